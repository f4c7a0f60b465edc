import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkEnvironment } from '@hub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { forkService, GATEWAY_ENTRY, GATEWAY_NODE_FLAGS, SERVICE_NODE_FLAGS, serviceArgsFor, serviceNodeFlags } from '../src/process.ts';

/** A service module that reports, as its ready message, the flags node started it with (node exits on one it refuses). */
const REPORTER = `
process.send({ type: 'ready', url: JSON.stringify({ execArgv: process.execArgv }) });
setTimeout(() => {}, 60_000);
`;

const folders: string[] = [];
const saved = process.env.HUB_NODE_FLAGS;
afterEach(() => {
  if (saved === undefined) delete process.env.HUB_NODE_FLAGS;
  else process.env.HUB_NODE_FLAGS = saved;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function execArgvOfService(): Promise<string[]> {
  const folder = mkdtempSync(path.join(tmpdir(), 'hub-node-flags-'));
  folders.push(folder);
  const entry = path.join(folder, 'service.cjs');
  writeFileSync(entry, REPORTER);
  const service = forkService('reporter', entry, { PATH: process.env.PATH }, { stdio: 'ignore' });
  try {
    return (JSON.parse(await service.ready) as { execArgv: string[] }).execArgv;
  } finally {
    await service.stop();
  }
}

describe('the service processes’ node flags', () => {
  it('starts a service with HUB_NODE_FLAGS of the launching process, and node accepts them', async () => {
    process.env.HUB_NODE_FLAGS = ' --max-semi-space-size=32   --single-threaded-gc ';
    const execArgv = await execArgvOfService();
    expect(execArgv).toEqual(['--max-semi-space-size=32', '--single-threaded-gc']);
  });

  it('starts it with the default flags when HUB_NODE_FLAGS is unset, and with none when it is blank', async () => {
    delete process.env.HUB_NODE_FLAGS;
    expect(await execArgvOfService()).toEqual([...SERVICE_NODE_FLAGS]);
    process.env.HUB_NODE_FLAGS = '  ';
    expect(await execArgvOfService()).toEqual([]);
    expect(serviceNodeFlags({ HUB_NODE_FLAGS: '' })).toEqual([]);
  });

  it('bounds the gateway’s heap as its manifest does, built or from source, and no other service’s; HUB_NODE_FLAGS come after it', () => {
    const built = path.join(path.dirname(path.dirname(GATEWAY_ENTRY)), 'dist', 'index.js');
    expect(GATEWAY_NODE_FLAGS).toEqual(['--max-old-space-size=256']);
    expect(serviceArgsFor(built, {})).toEqual(['--max-old-space-size=256', ...SERVICE_NODE_FLAGS]);
    expect(serviceArgsFor(GATEWAY_ENTRY, {})).toEqual(['--import', 'tsx', '--max-old-space-size=256', ...SERVICE_NODE_FLAGS]);
    const partyBuilt = path.join(path.dirname(path.dirname(path.dirname(GATEWAY_ENTRY))), 'subgraphs', 'party', 'dist', 'index.js');
    expect(serviceArgsFor(partyBuilt, {})).not.toContain('--max-old-space-size=256');
    // A bundle runs as its image runs it; source maps only when asked for.
    expect(serviceArgsFor(partyBuilt, {})).toEqual([...SERVICE_NODE_FLAGS]);
    expect(serviceArgsFor(partyBuilt, { HUB_NODE_FLAGS: '--enable-source-maps' })).toEqual(['--enable-source-maps']);
    // Node takes the last of two bounds: an operator's own wins.
    expect(serviceArgsFor(built, { HUB_NODE_FLAGS: '--max-old-space-size=1024' }).slice(-2)).toEqual(['--max-old-space-size=256', '--max-old-space-size=1024']);
  });

  it('runs a service on the node binary given as execPath (a benchmark comparing Node versions), else on this one', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'hub-node-binary-'));
    folders.push(folder);
    const entry = path.join(folder, 'service.cjs');
    writeFileSync(entry, `process.send({ type: 'ready', url: JSON.stringify({ wrapped: process.env.HUB_TEST_WRAPPED ?? null, execArgv: process.execArgv }) });\nsetTimeout(() => {}, 60_000);\n`);
    // Another "node": this one's, behind a script that marks the processes it starts.
    const wrapper = path.join(folder, 'node');
    writeFileSync(wrapper, `#!/bin/sh\nHUB_TEST_WRAPPED=yes exec ${JSON.stringify(process.execPath)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const report = async (execPath?: string) => {
      const service = forkService('reporter', entry, { PATH: process.env.PATH }, { stdio: 'ignore', execArgv: ['--max-semi-space-size=8'], ...(execPath ? { execPath } : {}) });
      try {
        return JSON.parse(await service.ready) as { wrapped: string | null; execArgv: string[] };
      } finally {
        await service.stop();
      }
    };
    expect(await report(wrapper)).toEqual({ wrapped: 'yes', execArgv: [...serviceNodeFlags(), '--max-semi-space-size=8'] });
    expect((await report()).wrapped).toBeNull();
  });

  it('refuses at the launcher’s start a value that is not flags, naming the variable', () => {
    const problems = (value: string) => checkEnvironment('launcher', { HUB_NODE_FLAGS: value }).filter((p) => p.variables.includes('HUB_NODE_FLAGS'));
    expect(problems('--max-semi-space-size=64 --single-threaded-gc')).toEqual([]);
    expect(problems('max-semi-space-size=64')).toHaveLength(1);
    expect(problems('--max-semi-space-size=64; rm -rf /')).toHaveLength(1);
  });
});
