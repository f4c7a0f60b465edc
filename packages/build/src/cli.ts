import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll } from './build-all.ts';
import { REPO_ROOT } from './workspace.ts';

const USAGE = `usage: npm run build [-- [--force] [--quiet] [package ...]]
  Bundles every service and command of the hub into plain JavaScript (<package>/dist/<entry>.js) with esbuild.
  Only what changed since the last build is rebuilt; --force rebuilds everything.`;

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}

const started = performance.now();
try {
  const built = await buildAll({ only: parsed.positionals, force: parsed.values.force });
  const rebuilt = built.filter((b) => b.rebuilt);
  if (!parsed.values.quiet || rebuilt.length > 0) {
    for (const b of rebuilt) console.error(`built ${path.relative(REPO_ROOT, b.output)} in ${Math.round(b.milliseconds)} ms`);
    console.error(`${rebuilt.length} of ${built.length} bundles rebuilt in ${Math.round(performance.now() - started)} ms`);
  }
} catch (error) {
  // esbuild has printed each error with its file and line already.
  console.error(`build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exit(1);
}
