import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ageBand, DATASETS } from '../src/datasets/catalog.ts';
import { batchedDocument } from '../src/datasets/engine.ts';
import { parquetReadObjects } from 'hyparquet';
import type { ColumnSpec } from '../src/datasets/catalog.ts';
import { encoderFor, type Format } from '../src/datasets/formats.ts';

const api = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

describe('the datasets', () => {
  it('are operations valid against the API, and stay valid asked for several grids at once', () => {
    for (const dataset of DATASETS.values()) {
      expect(validate(api, parse(dataset.document)), dataset.name).toEqual([]);
      if (dataset.pagedBy === 'grids') {
        // Column pages cover many grids in one operation already.
        for (const variable of ['$gridCodes: [ID!]!', '$first: Int!', '$after: String']) expect(dataset.document, dataset.name).toContain(variable);
        continue;
      }
      const batched = batchedDocument(dataset.document, dataset.operationName, 4);
      expect(validate(api, parse(batched)), `${dataset.name} batched`).toEqual([]);
      expect(batched).toContain('g3: grid(code: $g3)');
      expect(batched).not.toContain('$after');
      expect(batched).not.toContain('$gridCode');
    }
  });

  it('name their columns uniquely and describe each in both languages', () => {
    for (const dataset of DATASETS.values()) {
      const names = dataset.columns.map((c) => c.name);
      expect(new Set(names).size, dataset.name).toBe(names.length);
      for (const column of dataset.columns) expect(column.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('cells', () => {
  const columns = [
    { name: 'note', type: 'string' },
    { name: 'amount', type: 'double' },
  ] as ColumnSpec[];
  const rows = [
    ['=HYPERLINK("http://x")', -12.5],
    ['-1+1', 3],
    ['a,b', 0],
    [null, null],
  ];
  const encode = (format: Format) => {
    const encoder = encoderFor(format, columns);
    return Buffer.concat([...encoder.begin(), ...encoder.write(rows), ...encoder.end()]);
  };

  it('are spreadsheet-safe in CSV: text defanged and quoted, numbers written as numbers', () => {
    expect(encode('csv').toString('utf8')).toBe('\uFEFFnote,amount\r\n"\'=HYPERLINK(""http://x"")",-12.5\r\n\'-1+1,3\r\n"a,b",0\r\n,\r\n');
  });

  it('are carried unchanged in NDJSON and Parquet', async () => {
    const ndjson = encode('ndjson').toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(ndjson).toEqual(rows.map(([note, amount]) => ({ note, amount })));
    const bytes = encode('parquet');
    const parquet = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    expect(parquet).toEqual(rows.map(([note, amount]) => ({ note, amount })));
  });

  it('bands ages at 18, 35, 60 and 80', () => {
    expect([null, 0, 17, 18, 34, 35, 59, 60, 79, 80, 104].map(ageBand)).toEqual([null, '0-17', '0-17', '18-34', '18-34', '35-59', '35-59', '60-79', '60-79', '80+', '80+']);
  });
});
