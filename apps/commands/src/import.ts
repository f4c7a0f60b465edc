import { createReadStream } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createProgressBar, hubSecret, redactText } from '@hub/core';
import { formatOf, formatOnlyReferences, graphReferences, ImportRefused, MappingError, parseEncodingName, readMappingFile, runImport, type ImportSummary } from '@hub/import';
import { findEntity, ENTITIES } from './import-registry.ts';
import { locateDatabase, openDepartmentDatabase } from './locate-database.ts';

const USAGE = `usage: npm run import -- <department> <entity> <file> [options]

  <file>                .csv (UTF-8 with or without BOM, GBK/GB18030), .xlsx (first sheet unless --sheet), .ndjson
  --format F            csv | xlsx | ndjson (default: from the file name)
  --sheet S             the .xlsx sheet to read: its name or its 1-based number
  --encoding E          utf-8 | gbk | gb18030 (default: detected)
  --mapping FILE        JSON {"columns": {"<header in the file>": "<field>" | null}}
  --dry-run             validate and count, write nothing
  --rejects FILE        reject report (default: <file>.rejects.csv beside the file)
  --user ID             who is importing, kept in the import record (default: HUB_IMPORT_USER or the OS user)
  --gateway URL         check grids and houses of other departments through the graph (token in HUB_IMPORT_TOKEN);
                        without it they are checked by format only
  --batch-size N        rows per transaction (default 5000)
  --no-progress         no progress bar

importable: ${ENTITIES.map((e) => `${e.department} ${e.entity}`).join(', ')}`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const { values: flags, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        encoding: { type: 'string' },
        sheet: { type: 'string' },
        mapping: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        rejects: { type: 'string' },
        user: { type: 'string' },
        gateway: { type: 'string' },
        'batch-size': { type: 'string' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
  }
})();
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals.length !== 3) fail(USAGE);
const [departmentName, entityName, fileArg] = positionals as [string, string, string];
// Under `npm run`, the working directory is the repository root; paths are meant from where the command was typed.
const base = process.env.INIT_CWD ?? process.cwd();
const file = path.resolve(base, fileArg);

// Bad arguments are refused (exit 2) before any database is touched.
const { entity, format, encoding } = (() => {
  try {
    const chosen = {
      entity: findEntity(departmentName, entityName),
      format: formatOf(file, flags.format),
      encoding: flags.encoding ? parseEncodingName(flags.encoding) : undefined,
    };
    if (flags.sheet !== undefined && chosen.format !== 'xlsx') throw new Error(`--sheet chooses a sheet of an .xlsx workbook; ${path.basename(file)} is ${chosen.format}`);
    return chosen;
  } catch (error) {
    return fail(`refused: ${error instanceof Error ? error.message : error}`);
  }
})();

let summary: ImportSummary;
try {
  const mapping = flags.mapping ? await readMappingFile(path.resolve(base, flags.mapping)) : undefined;
  const batchSize = flags['batch-size'] ? Number(flags['batch-size']) : 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) fail('--batch-size must be a whole number from 1 to 100000');
  let foreign = formatOnlyReferences;
  if (flags.gateway) {
    const token = process.env.HUB_IMPORT_TOKEN;
    if (!token) fail('--gateway needs a bearer token in HUB_IMPORT_TOKEN (npm run -s token -- --role administrator)');
    foreign = graphReferences({ url: flags.gateway, token });
  }
  const rejects = flags.rejects ? path.resolve(base, flags.rejects) : `${file.replace(/\.[^./\\]+$/, '')}.rejects.csv`;
  const progress: { bar: ReturnType<typeof createProgressBar> | null } = { bar: null };
  const located = await locateDatabase(departmentName);
  const database = await openDepartmentDatabase(departmentName, located.url).catch(async (error: unknown) => {
    await located.server?.stop();
    throw error;
  });
  let done = 0;
  try {
    summary = await runImport({
      entity,
      file,
      format,
      encoding,
      sheet: flags.sheet,
      mapping,
      pool: database.pool,
      secret: hubSecret(),
      foreign,
      importedBy: flags.user ?? process.env.HUB_IMPORT_USER ?? userInfo().username,
      rejectReport: rejects,
      dryRun: flags['dry-run'],
      batchSize,
      onAccepted: async () => {
        if (flags['no-progress']) return;
        // A workbook's row count is not known before it is read: its bar stands full, its count and rate still move.
        const estimate = format === 'xlsx' ? 0 : await countLines(file);
        progress.bar = createProgressBar(`importing ${departmentName} ${entityName}`, estimate, 'rows');
      },
      onProgress: (read) => {
        done = read;
        progress.bar?.update(read);
      },
    });
    progress.bar?.finish(done);
  } finally {
    await database.close();
    await located.server?.stop();
  }
} catch (error) {
  if (error instanceof ImportRefused || error instanceof MappingError) fail(`refused: ${error.message}`);
  // Error text may quote a value from the file: mask any ID number or phone in it before it reaches a log.
  fail(`import failed: ${redactText(describe(error))}`, 1);
}

const n = (v: number) => v.toLocaleString('en');
const { sheet } = summary;
const lines = [
  // A workbook of several sheets: say which one was read, so a wrong one is noticed.
  ...(sheet ? [`read sheet ${sheet.name} (${sheet.index} of ${sheet.count})`] : []),
  `${summary.dryRun ? 'dry run (nothing written): ' : ''}${summary.department} ${summary.entity} from ${summary.fileName} ` +
    `(${summary.format}${summary.encoding ? `, ${summary.encoding}` : ''}, sha256 ${summary.fileSha256.slice(0, 16)}…)`,
  `  read ${n(summary.read)}   inserted ${n(summary.inserted)}   updated ${n(summary.updated)}   unchanged ${n(summary.unchanged)}   rejected ${n(summary.rejected)}`,
  `  reject report: ${summary.rejectReport} (${n(summary.rejectLines)} problem${summary.rejectLines === 1 ? '' : 's'})`,
  `  references to other departments: ${summary.foreignReferences === 'graph' ? 'checked through the graph' : 'checked by format only (no --gateway)'}`,
  ...(summary.unknownColumns.length > 0 ? [`  columns ignored (no such field): ${summary.unknownColumns.join(', ')}`] : []),
  ...(summary.recordId !== null ? [`  import record #${summary.recordId} in ${summary.department}'s database`] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);

/** Line breaks in the file: the progress bar's estimate of its rows (quoted line breaks make it a little high). */
async function countLines(target: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(target, { highWaterMark: 1 << 20 })) {
    const buffer = chunk as Buffer;
    for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) count++;
  }
  return Math.max(0, count - 1);
}

/** An error and its causes (a failed statement wraps the driver's reason, e.g. a refused connection). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    const message = e instanceof Error ? e.message || e.name : String(e);
    // Statement text and parameters stay out of the message: parameters may hold a row's personal data.
    parts.push(message.split('\nparams:')[0]!.trim());
  }
  return parts.join(': ');
}
