import path from 'node:path';
import { parseArgs } from 'node:util';
import { assembleTrees } from './assemble.ts';

const USAGE = `usage: npm run assemble -- --out <folder> [image ...]
  Builds what changed, then writes each image's runtime tree to <folder>/<image>/: its bundle, the files it reads,
  a package.json whose main starts it (node <folder>/<image>). deploy/Dockerfile copies one tree into an image.`;

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!parsed.values.out) {
  console.error(`--out is required\n${USAGE}`);
  process.exit(2);
}

try {
  for (const tree of await assembleTrees(parsed.values.out, parsed.positionals)) {
    console.log(`${tree.image}: ${path.relative(process.cwd(), tree.dir) || '.'} (node ${tree.main}; ${tree.packages.length} packages inside)`);
  }
} catch (error) {
  console.error(`assemble failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
