/**
 * The departments' HTTP layer alone (packages/core/src/http.ts), this tree's against another commit's, side by side.
 *
 *   npm run bench:http-layer -- [--before e79f899] [--rounds 8] [--duration 3] [--connections 4]
 *
 * The other commit's http.ts is written under .data/ with its imports pointed at this tree's modules, so only
 * http.ts differs. Each version serves from a process of its own (`http-layer/server.ts`: a guard that reads and
 * hashes the body, metrics, span and request scope, over a stub Apollo Server with a fixed 2 KB answer); autocannon
 * sends both the same subgraph-sized POST, the two taking turns round by round. Reported: requests per second, p99
 * and each server process's CPU per request (/proc). Everything shares the machine: read the ratio of one run.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const value = (flag: string, fallback: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1]! : fallback);
const before = value('--before', 'e79f899');
const rounds = Number(value('--rounds', '8'));
const duration = Number(value('--duration', '3'));
const connections = Number(value('--connections', '4'));
for (const [name, n] of Object.entries({ rounds, duration, connections })) if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);

const source = path.join(ROOT, 'packages/core/src');
const beforeFile = path.join(ROOT, '.data/http-layer', `http-${before}.ts`);
mkdirSync(path.dirname(beforeFile), { recursive: true });
const beforeText = execFileSync('git', ['show', `${before}:packages/core/src/http.ts`], { cwd: ROOT, encoding: 'utf8' });
writeFileSync(beforeFile, beforeText.replace(/from '\.\/([^']+)'/g, (_, file: string) => `from '${path.join(source, file)}'`));

interface Served {
  url: string;
  pid: number;
  stop(): void;
}
const serve = (module: string) =>
  new Promise<Served>((resolve, reject) => {
    const child = fork(path.join(ROOT, 'bench/http-layer/server.ts'), [module], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('exit', (code) => reject(new Error(`the ${module} server exited (code ${code})`)));
    child.once('message', (m: { url: string; pid: number }) => resolve({ ...m, stop: () => child.kill() }));
  });
/** A process's CPU so far, µs (user + system, in clock ticks of 10 ms). */
const cpuOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

const trees = { before: await serve(beforeFile), after: await serve(path.join(source, 'http.ts')) };
try {
  const body = JSON.stringify({
    query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Resident{id name grid address}}}',
    variables: { representations: Array.from({ length: 20 }, (_, i) => ({ __typename: 'Resident', id: `r${i}` })) },
  });
  const drive = (url: string, seconds: number) =>
    autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json', 'x-request-id': 'bench-http-layer' }, connections, duration: seconds });
  for (const tree of Object.values(trees)) await drive(tree.url, 2);
  const totals = { before: { cpu: 0, requests: 0, p99: [] as number[] }, after: { cpu: 0, requests: 0, p99: [] as number[] } };
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
      const tree = trees[which];
      const cpuBefore = cpuOf(tree.pid);
      const result = await drive(tree.url, duration);
      const cpu = cpuOf(tree.pid) - cpuBefore;
      if (result.non2xx || result.errors) throw new Error(`${which}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
      totals[which].cpu += cpu;
      totals[which].requests += result.requests.total;
      totals[which].p99.push(result.latency.p99);
      console.log(`round ${round + 1} ${which.padEnd(6)} ${(result.requests.total / duration).toFixed(0).padStart(6)} req/s  ${(cpu / result.requests.total).toFixed(1).padStart(6)} µs CPU/request  p99 ${result.latency.p99} ms`);
    }
  }
  const per = (which: 'before' | 'after') => totals[which].cpu / totals[which].requests;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nLoad average when it ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')}. Machine: ${machineLine()}.`);
  console.log(`| tree | CPU µs/request | median p99 ms |\n|---|---:|---:|`);
  console.log(`| before (${before}) | ${per('before').toFixed(1)} | ${median(totals.before.p99)} |`);
  console.log(`| after (this tree) | ${per('after').toFixed(1)} | ${median(totals.after.p99)} |`);
  console.log(`| after ÷ before | ${(per('after') / per('before')).toFixed(2)} | |`);
} finally {
  for (const tree of Object.values(trees)) tree.stop();
}
