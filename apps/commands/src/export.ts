/**
 * `npm run -s export -- <dataset> [--format csv|ndjson|parquet] [--out <file>] [--street <code>] [--community <code>]
 * [--grid <code>] [--from <date>] [--to <date>] [--gateway <url>] [--purpose <purpose>] [--role <role>]`
 *
 * Pulls a dataset from a running gateway into a file, with a progress bar and the row count at the end. The token is
 * `HUB_TOKEN`; without it, in development, a demo token of `--role` (default district-analyst) is minted. The file
 * appears only when the export is whole: it is written as `<out>.partial` and renamed at the end.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createProgressBar } from '@hub/core';
import { mintDemoToken } from '@hub/gateway/demo-token';
import { PURPOSE_HEADER } from '@hub/gateway/identity';

const USAGE =
  'usage: npm run -s export -- <dataset> [--format csv|ndjson|parquet] [--out <file>] [--street <code>] [--community <code>] [--grid <code>] [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--gateway <url>] [--purpose <purpose>] [--role <role>]';

interface ExportArguments {
  dataset: string;
  format: string;
  out: string;
  filters: [string, string][];
  gateway: string;
  purpose: string | null;
  role: string;
}

export function parseExportArguments(argv: string[]): ExportArguments {
  const [dataset, ...rest] = argv;
  if (!dataset || dataset.startsWith('--')) throw new Error(`name the dataset first\n${USAGE}`);
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i] as string;
    const value = rest[i + 1];
    const name = flag.startsWith('--') ? flag.slice(2) : '';
    if (!['format', 'out', 'street', 'community', 'grid', 'from', 'to', 'gateway', 'purpose', 'role'].includes(name)) throw new Error(`unknown argument ${flag}\n${USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (options.has(name)) throw new Error(`${flag} may be given once`);
    options.set(name, value);
  }
  const format = options.get('format') ?? 'csv';
  return {
    dataset,
    format,
    out: options.get('out') ?? `${dataset}.${format}`,
    filters: ['street', 'community', 'grid', 'from', 'to'].flatMap((key) => (options.has(key) ? [[key, options.get(key) as string] as [string, string]] : [])),
    gateway: options.get('gateway') ?? `http://localhost:${process.env.GATEWAY_PORT ?? 4000}`,
    purpose: options.get('purpose') ?? null,
    role: options.get('role') ?? 'district-analyst',
  };
}

/** Counts the records of a CSV stream (line breaks outside quotes) or an NDJSON one (lines). */
function recordCounter(format: string) {
  let inQuotes = false;
  let records = 0;
  return {
    count(chunk: Buffer) {
      if (format === 'ndjson') {
        for (const byte of chunk) if (byte === 0x0a) records++;
      } else if (format === 'csv') {
        for (const byte of chunk) {
          if (byte === 0x22) inQuotes = !inQuotes;
          else if (byte === 0x0a && !inQuotes) records++;
        }
      }
    },
    /** Rows so far, the CSV header not counted. */
    get rows() {
      return format === 'csv' ? Math.max(0, records - 1) : records;
    },
  };
}

function get(url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { headers }, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runExport(args: ExportArguments): Promise<number> {
  const token = process.env.HUB_TOKEN || (await mintDemoToken({ role: args.role, user: `export-${args.role}`, department: undefined, grids: [], communities: [], purpose: undefined, ttl: '1h' }));
  const url = new URL(`/datasets/${encodeURIComponent(args.dataset)}.${encodeURIComponent(args.format)}`, args.gateway);
  for (const [key, value] of args.filters) url.searchParams.set(key, value);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(args.purpose ? { [PURPOSE_HEADER]: args.purpose } : {}) };
  const response = await get(url, headers);
  if (response.statusCode !== 200) {
    const body = await readAll(response);
    let message = body.slice(0, 500);
    try {
      const [first] = (JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: string } }[] }).errors ?? [];
      message = `${first?.message ?? ''} (${first?.extensions?.code ?? response.statusCode})`;
    } catch {
      // Not our JSON: show what came.
    }
    throw new Error(`the gateway refused the export: HTTP ${response.statusCode} ${message}`);
  }
  const counter = recordCounter(args.format);
  const bar = createProgressBar(`export ${args.dataset}.${args.format}`, null, args.format === 'parquet' ? 'bytes' : 'rows');
  let bytes = 0;
  const partial = `${args.out}.partial`;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      counter.count(chunk);
      bar.update(args.format === 'parquet' ? bytes : counter.rows);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, meter, createWriteStream(partial));
    const announced = Number(response.trailers['x-hub-rows']);
    if (!Number.isInteger(announced)) throw new Error('the export ended without its row count: it was cut short');
    if (args.format !== 'parquet' && announced !== counter.rows) throw new Error(`the file holds ${counter.rows} rows, the gateway sent ${announced}`);
    renameSync(partial, args.out);
    bar.finish(args.format === 'parquet' ? bytes : counter.rows);
    return announced;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const args = parseExportArguments(process.argv.slice(2));
    const rows = await runExport(args);
    process.stderr.write(`${rows.toLocaleString('en')} rows written to ${args.out}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof Error && /usage:|unknown argument|needs a value|given once|name the dataset/.test(error.message) ? 2 : 1);
  }
}
