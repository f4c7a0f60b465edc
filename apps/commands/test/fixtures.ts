import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import pg from 'pg';
import { DEMO_HUB_SECRET } from '@hub/core';
import { cloneDatabase } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { formatOnlyReferences, runImport, type ImportOptions, type ImportSummary } from '@hub/import';
import { findEntity } from '../src/import-registry.ts';

/** The test district, grid by grid, as the templates were seeded with it. */
export function demoGrids(): DemoGridContents[] {
  return [...generateDemoWorld(TEST_DEMO).gridContents()];
}

export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV text from a header and rows, with the given line break. */
export function csv(header: readonly string[], rows: readonly (readonly string[])[], newline = '\r\n'): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join(newline) + newline;
}

export interface Workspace {
  dir: string;
  /** Writes a file: text as UTF-8 (optionally with a BOM) or GBK, or raw bytes. */
  write(name: string, content: string | Buffer, encoding?: 'utf-8' | 'utf-8-bom' | 'gbk'): Promise<string>;
  read(name: string): Promise<string>;
  remove(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-import-'));
  return {
    dir,
    async write(name, content, encoding = 'utf-8') {
      const file = path.join(dir, name);
      const bytes =
        typeof content !== 'string'
          ? content
          : encoding === 'gbk'
            ? iconv.encode(content, 'gbk')
            : Buffer.from(encoding === 'utf-8-bom' ? `\uFEFF${content}` : content, 'utf8');
      await writeFile(file, bytes);
      return file;
    },
    read: (name) => readFile(path.join(dir, name), 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface ClonedDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function clone(templateUrl: string): Promise<ClonedDatabase> {
  const copy = await cloneDatabase(templateUrl);
  const pool = new pg.Pool({ connectionString: copy.url, max: 4 });
  // pool.end() resolves before its idle connections have closed: the forced drop that follows may cut one off.
  pool.on('error', () => {});
  return {
    url: copy.url,
    pool,
    drop: async () => {
      await pool.end();
      await copy.drop();
    },
  };
}

/** Imports a file with the test defaults: the demo secret, references to other departments checked by format. */
export function importFile(
  pool: pg.Pool,
  department: string,
  entity: string,
  file: string,
  options: Partial<Omit<ImportOptions, 'entity' | 'file' | 'pool'>> = {},
): Promise<ImportSummary> {
  return runImport({
    entity: findEntity(department, entity),
    file,
    pool,
    secret: DEMO_HUB_SECRET,
    foreign: formatOnlyReferences,
    importedBy: 'test-clerk',
    rejectReport: `${file}.rejects.csv`,
    ...options,
  });
}

/** The reject report's lines after its header, split into cells (the tests' values hold no commas). */
export async function rejectLines(file: string): Promise<{ row: number; column: string; value: string; code: string; zh: string; en: string }[]> {
  const text = await readFile(file, 'utf8');
  const [header, ...lines] = text.split('\r\n').filter((l) => l !== '');
  if (!header?.startsWith('\uFEFF')) throw new Error('reject report has no byte-order mark');
  return lines.map((line) => {
    const cells = parseLine(line);
    return { row: Number(cells[0]), column: cells[1]!, value: cells[2]!, code: cells[3]!, zh: cells[4]!, en: cells[5]! };
  });
}

function parseLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** A table's rows as sorted JSON lines, without its bookkeeping timestamps: what two loads must agree on. */
export async function tableSnapshot(pool: pg.Pool, table: string, orderBy: string, without: readonly string[] = ['created_at', 'updated_at']): Promise<string[]> {
  const result = await pool.query(`SELECT * FROM ${table} ORDER BY ${orderBy}`);
  return result.rows.map((row: Record<string, unknown>) => {
    for (const column of without) delete row[column];
    return JSON.stringify(row);
  });
}
