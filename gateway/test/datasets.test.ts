import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ageBand, DATASETS } from '../src/datasets/catalog.ts';
import { datasetRows } from '../src/datasets/engine.ts';
import { parquetReadObjects } from 'hyparquet';
import { csvText } from '@hub/core';
import type { ColumnSpec } from '../src/datasets/catalog.ts';
import { encoderFor, type Format } from '../src/datasets/formats.ts';

const api = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

describe('the datasets', () => {
  it('are operations valid against the API that read a column page of many grids', () => {
    for (const dataset of DATASETS.values()) {
      expect(validate(api, parse(dataset.document)), dataset.name).toEqual([]);
      for (const variable of ['$gridCodes: [ID!]!', '$first: Int!', '$after: String']) expect(dataset.document, dataset.name).toContain(variable);
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

describe('datasets of communities', () => {
  it('read runs of grids that never split a community and stay within the run size', async () => {
    const dataset = DATASETS.get('volunteers-by-community')!;
    // Communities of 1 to 7 grids, 60 grids in all.
    const grids = Array.from({ length: 12 }, (_, c) => Array.from({ length: (c % 7) + 1 }, (_, g) => `3203110010${String(c).padStart(2, '0')}${String(g + 1).padStart(3, '0')}`))
      .flat()
      .slice(0, 60)
      .map((gridCode) => ({ streetCode: '320311001000', streetName: '街道', communityCode: gridCode.slice(0, 12), communityName: '社区', gridCode, gridName: '网格' }));
    const asked: string[][] = [];
    const execute = async ({ variables }: { variables: Record<string, unknown> }) => {
      const gridCodes = variables.gridCodes as string[];
      asked.push(gridCodes);
      const communities = [...new Set(gridCodes.map((g) => g.slice(0, 12)))];
      const column = communities.map(() => 0);
      return {
        data: {
          partyCommunityColumns: {
            communityCodes: communities,
            firstGridCodes: communities.map((c) => gridCodes.find((g) => g.startsWith(c))),
            volunteerTeams: column, volunteers: column, partyMemberVolunteers: column, nonPartyVolunteers: column, monitors: column, volunteerHours: column,
            hasNextPage: false,
            endCursor: null,
          },
        },
      };
    };
    const rows = [];
    for await (const page of datasetRows(dataset, grids, { streetCode: null, communityCode: null, gridCode: null, from: null, to: null }, execute, { signal: new AbortController().signal, gridsPerRun: 8 })) rows.push(...page);
    expect(asked.flat().sort()).toEqual(grids.map((g) => g.gridCode).sort());
    for (const run of asked) expect(run.length).toBeLessThanOrEqual(8);
    const communityOf = (run: string[]) => new Set(run.map((g) => g.slice(0, 12)));
    const seen = asked.flatMap((run) => [...communityOf(run)]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(rows.length).toBe(new Set(grids.map((g) => g.communityCode)).size);
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

  it('come out whole in CSV however many bytes a page takes (Chinese, a surrogate pair, past the first buffer)', () => {
    // Every width of UTF-8 (1, 2, 3 and 4 bytes), and a page several times the encoder's first 64 KiB.
    const page = Array.from({ length: 5000 }, (_, i) => [`竹杆社区第${i}网格 é 😀 "${'x'.repeat(i % 50)}"`, i / 4]);
    const encoder = encoderFor('csv', columns);
    const bytes = Buffer.concat([...encoder.write(page), ...encoder.write(rows)]);
    expect(bytes.length).toBeGreaterThan(4 * 64 * 1024);
    expect(bytes.toString('utf8')).toBe(csvText([...page, ...rows]));
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
