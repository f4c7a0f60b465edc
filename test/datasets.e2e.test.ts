import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { builtEntry } from '@hub/hub/process';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busiestGrid, communityByCode, grids, idOf, residentByIdNumber, residents, world } from './world.ts';

/**
 * The datasets analysts pull, read back with DuckDB as an analyst's tool would: row counts and aggregates must equal
 * the generator's records and the graph's own statistics, Chinese text must survive, types must be real types.
 */
let hub: TestHub;
let duck: DuckDBConnection;
let folder: string;
let analyst: Record<string, string>;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  folder = mkdtempSync(join(tmpdir(), 'hub-datasets-'));
  analyst = { authorization: `Bearer ${await hub.tokenFor('district-analyst')}`, 'x-hub-purpose': 'statistics' };
});
afterAll(async () => {
  await hub?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, hub.gatewayUrl).toString();

/** Downloads a dataset into a file for DuckDB, checking the answer is a whole file. */
async function download(path: string, headers = analyst): Promise<{ file: string; bytes: Buffer }> {
  const response = await fetch(url(path), { headers });
  expect(response.status, await response.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const file = join(folder, path.replace(/[^a-z0-9.]+/gi, '_'));
  writeFileSync(file, bytes);
  return { file, bytes };
}

async function sql<T extends Record<string, unknown>>(query: string): Promise<T[]> {
  return (await duck.runAndReadAll(query)).getRowObjectsJson() as T[];
}

/** `npm run export` as its bundle (npm run build). */
function runExportCommand(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtEntry(fileURLToPath(new URL('../apps/commands/src/export.ts', import.meta.url))), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const streetOfGrid = (gridCode: string) => `${gridCode.slice(0, 9)}000`;

describe('the catalog', () => {
  it('lists every dataset the caller may read, with columns, types and descriptions in both languages', async () => {
    const response = await fetch(url('/datasets'), { headers: analyst });
    expect(response.status).toBe(200);
    const { datasets } = (await response.json()) as { datasets: { name: string; formats: Record<string, string>; columns: { name: string; type: string; en: string; zh: string }[] }[] };
    expect(datasets.map((d) => d.name).sort()).toEqual([
      'assistance-grants-by-grid', 'care-lists', 'cases', 'disability-by-grid', 'group-rentals', 'party-members-by-grid', 'report-ins-by-community', 'residents-by-grid', 'volunteers-by-community', 'welfare-cross-check',
    ]);
    for (const dataset of datasets) {
      expect(Object.keys(dataset.formats)).toEqual(['csv', 'ndjson', 'parquet']);
      for (const column of dataset.columns) {
        expect(column.en.length, `${dataset.name}.${column.name}`).toBeGreaterThan(0);
        expect(column.zh).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    const auditor = await fetch(url('/datasets'), { headers: { authorization: `Bearer ${await hub.tokenFor('auditor')}` } });
    expect(((await auditor.json()) as { datasets: unknown[] }).datasets).toEqual([]);
  });
});

describe('residents by grid', () => {
  it('reads in DuckDB from CSV and Parquet with the generator’s counts, the graph’s statistics and the Chinese names intact', async () => {
    const csv = await download('/datasets/residents-by-grid.csv');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.toString('utf8', 3, 200)).toMatch(/^resident_id,street_code,street,community_code,community,grid_code,grid,population_type,residence_status,sex,age_band,party_member,welfare_kinds,open_cases\r\n/);
    const parquet = await download('/datasets/residents-by-grid.parquet');
    expect(parquet.bytes.subarray(0, 4).toString()).toBe('PAR1');

    for (const source of [`read_csv('${csv.file}', header = true)`, `read_parquet('${parquet.file}')`]) {
      const [total] = await sql<{ n: string; ids: string }>(`select count(*) n, count(distinct resident_id) ids from ${source}`);
      expect(Number(total!.n)).toBe(residents.length);
      expect(Number(total!.ids)).toBe(residents.length);
      // Population by street and type, against the generator.
      const byStreet = await sql<{ street_code: string; street: string; population_type: string; n: string }>(
        `select street_code, street, population_type, count(*) n from ${source} group by all order by all`,
      );
      const expected = new Map<string, number>();
      for (const r of residents) {
        const key = `${streetOfGrid(r.gridCode)}|${r.populationType}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      expect(new Map(byStreet.map((r) => [`${r.street_code}|${r.population_type}`, Number(r.n)]))).toEqual(expected);
      // 人户分离: the register's status of each resident, none for people without a hukou.
      const separated = await sql<{ residence_status: string | null; n: string }>(`select residence_status, count(*) n from ${source} group by all order by all`);
      const statuses = new Map<string | null, number>();
      for (const r of residents) statuses.set(r.residenceStatus, (statuses.get(r.residenceStatus) ?? 0) + 1);
      expect(new Map(separated.map((r) => [r.residence_status, Number(r.n)]))).toEqual(statuses);
      // Chinese names come through whole.
      for (const row of byStreet) expect(row.street).toBe(world.streets.find((s) => s.code === row.street_code)?.name);
      // Party members: residents the party's register names.
      const members = new Set(grids.flatMap((g) => g.party.members.map((m) => idOf(m.idNumber))).filter((id) => residents.some((r) => idOf(r.idNumber) === id)));
      const [party] = await sql<{ n: string }>(`select count(*) n from ${source} where party_member`);
      expect(Number(party!.n)).toBe(members.size);
      // Welfare received now and open cases: civil affairs' and mediation's columns, against the generator.
      const ids = new Set(residents.map((r) => idOf(r.idNumber)));
      const receiving = new Set(grids.flatMap((g) => g.civilAffairs.welfare.filter((w) => w.status === 'ACTIVE').map((w) => idOf(w.idNumber))).filter((id) => ids.has(id)));
      const openCases = grids
        .flatMap((g) => g.mediation.cases)
        .filter((c) => ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'].includes(c.status))
        .reduce((n, c) => n + new Set(c.parties.flatMap((p) => (p.idNumber && ids.has(idOf(p.idNumber)) ? [p.idNumber] : []))).size, 0);
      const [other] = await sql<{ welfare: string; open: string }>(
        `select count(*) filter (where coalesce(welfare_kinds, '') <> '') welfare, sum(open_cases) open from ${source}`,
      );
      expect(Number(other!.welfare)).toBe(receiving.size);
      expect(Number(other!.open)).toBe(openCases);
      expect(openCases).toBeGreaterThan(0);
    }

    // The same population per grid as the graph's own statistics.
    type GridPopulation = { code: string; population: { registered: number; floating: number; overseas: number; unsettled: number } };
    type Places = { district: { streets: { communities: { grids: GridPopulation[] }[] }[] } };
    const graph = await postGraphQL<Places>(
      hub.gatewayUrl,
      '{ district { streets { communities { grids { code population { registered floating overseas unsettled } } } } } }',
      {},
      analyst,
    );
    expect(graph.errors).toBeUndefined();
    const fromGraph = new Map<string, number>();
    for (const street of graph.data!.district.streets)
      for (const community of street.communities)
        for (const grid of community.grids)
          for (const [type, count] of Object.entries(grid.population)) if (count > 0) fromGraph.set(`${grid.code}|${type.toUpperCase()}`, count);
    const fromParquet = await sql<{ grid_code: string; population_type: string; n: string }>(`select grid_code, population_type, count(*) n from read_parquet('${parquet.file}') group by all`);
    expect(new Map(fromParquet.map((r) => [`${r.grid_code}|${r.population_type}`, Number(r.n)]))).toEqual(fromGraph);

    // And per street, against the street's own statistics in the graph (public security's figures of the street).
    const streets = await postGraphQL<{ district: { streets: { code: string; population: Record<string, number> }[] } }>(
      hub.gatewayUrl,
      '{ district { streets { code population { registered floating overseas unsettled } } } }',
      {},
      analyst,
    );
    expect(streets.errors).toBeUndefined();
    const streetsFromGraph = new Map<string, number>();
    for (const street of streets.data!.district.streets)
      for (const [type, count] of Object.entries(street.population)) if (count > 0) streetsFromGraph.set(`${street.code}|${type.toUpperCase()}`, count);
    const streetsFromCsv = await sql<{ street_code: string; population_type: string; n: string }>(`select street_code, population_type, count(*) n from read_csv('${csv.file}', header = true) group by all`);
    expect(new Map(streetsFromCsv.map((r) => [`${r.street_code}|${r.population_type}`, Number(r.n)]))).toEqual(streetsFromGraph);
  });

  it('gives Parquet real column types and NDJSON typed values', async () => {
    const parquet = await download('/datasets/residents-by-grid.parquet');
    const types = await sql<{ column_name: string; column_type: string }>(`describe select * from read_parquet('${parquet.file}')`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({ resident_id: 'VARCHAR', party_member: 'BOOLEAN', open_cases: 'INTEGER', age_band: 'VARCHAR' });
    const cases = await download('/datasets/cases.parquet');
    const caseTypes = await sql<{ column_name: string; column_type: string }>(`describe select * from read_parquet('${cases.file}')`);
    expect(Object.fromEntries(caseTypes.map((t) => [t.column_name, t.column_type]))).toMatchObject({ received_at: 'TIMESTAMP', due_on: 'DATE', overdue: 'BOOLEAN', overdue_days: 'INTEGER' });
    const ndjson = await download('/datasets/residents-by-grid.ndjson');
    const lines = ndjson.bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(residents.length);
    expect(typeof lines[0]!.party_member).toBe('boolean');
    expect(typeof lines[0]!.open_cases).toBe('number');
  });

  it('is pseudonymous for an analyst: no name, ID number or phone of anyone in it', async () => {
    const csv = await download('/datasets/residents-by-grid.csv');
    const text = csv.bytes.toString('utf8');
    for (const r of residents.slice(0, 200)) {
      expect(text).not.toContain(r.idNumber);
      expect(text).not.toContain(r.name);
    }
    const ids = await sql<{ resident_id: string }>(`select resident_id from read_csv('${csv.file}', header = true) limit 5`);
    for (const { resident_id } of ids) expect(residentByIdNumber.size > 0 && /^[0-9a-f]{32}$/.test(resident_id)).toBe(true);
  });

  it('covers only a grid worker’s own grids', async () => {
    const grid = grids.find((g) => g.residents.length > 0)!;
    const gridWorker = { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [grid.grid.code] })}` };
    const response = await fetch(url('/datasets/party-members-by-grid.csv'), { headers: gridWorker });
    expect(response.status).toBe(200);
    const rows = (await response.text()).trim().split('\r\n').slice(1);
    expect(new Set(rows.map((r) => r.split(',')[5]))).toEqual(rows.length > 0 ? new Set([grid.grid.code]) : new Set());
  });
});

describe('the other datasets', () => {
  it('agree with the generator: cases, group rentals, social assistance, care lists, party members', async () => {
    const count = async (path: string) => {
      const { file } = await download(path);
      const [row] = await sql<{ n: string }>(`select count(*) n from read_parquet('${file}')`);
      return Number(row!.n);
    };
    expect(await count('/datasets/cases.parquet')).toBe(grids.flatMap((g) => g.mediation.cases).length);
    expect(await count('/datasets/group-rentals.parquet')).toBe(grids.flatMap((g) => g.housing.groupRentals).length);
    // Only 低保 and 特困 are means-tested: 高龄津贴 and the disability allowances are not checked against property.
    const assistance = grids.flatMap((g) => g.civilAffairs.welfare).filter((w) => w.kind === 'MINIMUM_LIVING' || w.kind === 'EXTREME_POVERTY');
    expect(assistance.length).toBeLessThan(grids.flatMap((g) => g.civilAffairs.welfare).length);
    expect(await count('/datasets/welfare-cross-check.parquet')).toBe(assistance.length);
    const care = await download('/datasets/care-lists.csv');
    const byKind = await sql<{ kind: string; n: string }>(`select kind, count(*) n from read_csv('${care.file}', header = true) group by all`);
    const lists = new Map<string, number>();
    for (const c of grids.flatMap((g) => g.civilAffairs.care)) lists.set(c.kind, (lists.get(c.kind) ?? 0) + 1);
    expect(new Map(byKind.map((r) => [r.kind, Number(r.n)]))).toEqual(lists);
    const { file } = await download('/datasets/cases.csv');
    const byCategory = await sql<{ category: string; n: string }>(`select category, count(*) n from read_csv('${file}', header = true) group by all`);
    const expected = new Map<string, number>();
    for (const c of grids.flatMap((g) => g.mediation.cases)) expected.set(c.category, (expected.get(c.category) ?? 0) + 1);
    expect(new Map(byCategory.map((r) => [r.category, Number(r.n)]))).toEqual(expected);
  });

  it('counts the disability register per grid by category and by grade, every count the generator gives or suppressed', async () => {
    const CATEGORIES = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];
    const expected = new Map<string, number>();
    for (const d of grids.flatMap((g) => g.civilAffairs.disabilities)) {
      for (const key of [`${d.gridCode}|${CATEGORIES[d.category - 1]}|`, `${d.gridCode}||${d.grade}`]) expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const { file } = await download('/datasets/disability-by-grid.parquet');
    const rows = await sql<{ grid_code: string; category: string | null; grade: number | null; holders: number | null; suppressed: boolean }>(
      `select grid_code, category, grade, holders, suppressed from read_parquet('${file}')`,
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const n = expected.get(`${r.grid_code}|${r.category ?? ''}|${r.grade ?? ''}`);
      expect(n, `${r.grid_code} ${r.category} ${r.grade}`).toBeGreaterThan(0);
      if (r.suppressed) expect(r.holders).toBeNull();
      else expect(Number(r.holders)).toBe(n);
      if (n! < 5) expect(r.suppressed).toBe(true);
    }
    // The register holds certificates without an allowance too: more holders than disability allowances.
    const allowances = new Set(grids.flatMap((g) => g.civilAffairs.welfare).filter((w) => w.disabilityCertificateNumber).map((w) => w.idNumber));
    expect(grids.flatMap((g) => g.civilAffairs.disabilities).length).toBeGreaterThan(allowances.size);
    // A role with neither health:read nor statistics:read is refused the dataset.
    const refused = await fetch(url('/datasets/disability-by-grid.csv'), { headers: { authorization: `Bearer ${await hub.tokenFor('housing-officer')}`, 'x-hub-purpose': 'housing-management' } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('DATASET_FORBIDDEN');
  });

  it('counts temporary and medical assistance per grid, year and kind, every row the generator gives or suppressed', async () => {
    const expected = new Map<string, { grants: number; people: Set<string>; cents: number }>();
    for (const g of grids.flatMap((x) => x.civilAffairs.assistance)) {
      const key = `${g.gridCode}|${g.grantedOn.slice(0, 4)}|${g.kind}`;
      const cell = expected.get(key) ?? { grants: 0, people: new Set<string>(), cents: 0 };
      cell.grants += 1;
      cell.people.add(g.idNumber);
      cell.cents += Math.round(g.amount * 100);
      expected.set(key, cell);
    }
    const { file } = await download('/datasets/assistance-grants-by-grid.parquet');
    const rows = await sql<{ grid_code: string; year: number; kind: string; recipients: number | null; grants: number | null; amount: number | null; suppressed: boolean }>(
      `select grid_code, year, kind, recipients, grants, amount, suppressed from read_parquet('${file}')`,
    );
    expect(rows.length).toBe(expected.size);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const cell = expected.get(`${r.grid_code}|${r.year}|${r.kind}`)!;
      expect(cell, `${r.grid_code} ${r.year} ${r.kind}`).toBeDefined();
      expect(r.suppressed).toBe(cell.people.size < 5);
      if (r.suppressed) expect([r.recipients, r.grants, r.amount]).toEqual([null, null, null]);
      else expect([Number(r.recipients), Number(r.grants), Math.round(Number(r.amount) * 100)]).toEqual([cell.people.size, cell.grants, cell.cents]);
    }
    const refused = await fetch(url('/datasets/assistance-grants-by-grid.csv'), { headers: { authorization: `Bearer ${await hub.tokenFor('housing-officer')}`, 'x-hub-purpose': 'housing-management' } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('DATASET_FORBIDDEN');
  });

  it('filters by place and by date', async () => {
    const street = world.streets[0]!;
    const { file } = await download(`/datasets/residents-by-grid.csv?street=${street.code}`);
    const [row] = await sql<{ n: string; streets: string }>(`select count(*) n, count(distinct street_code) streets from read_csv('${file}', header = true)`);
    expect(Number(row!.n)).toBe(residents.filter((r) => streetOfGrid(r.gridCode) === street.code).length);
    const all = grids.flatMap((g) => g.mediation.cases).map((c) => c.receivedAt.slice(0, 10)).sort();
    const from = all[Math.floor(all.length / 3)]!;
    const to = all[Math.floor((2 * all.length) / 3)]!;
    const dated = await download(`/datasets/cases.ndjson?from=${from}&to=${to}`);
    const lines = dated.bytes.toString('utf8').trimEnd().split('\n').filter(Boolean);
    expect(lines.length).toBe(all.filter((d) => d >= from && d <= to).length);
  });
});

describe('双报到 members and the volunteer register per community', () => {
  /** A count of people as the dataset must publish it: 1 to 4 empty (small cells), anything else as counted. */
  const published = (n: number) => (n > 0 && n < 5 ? null : n);
  /** Two parts of a published total: when one alone is small, the other goes empty too. */
  const parts = (a: number, b: number) => {
    const [pa, pb] = [published(a), published(b)];
    return (pa === null) !== (pb === null) && a > 0 && b > 0 ? [null, null] : [pa, pb];
  };
  const communitiesOf = (gridCodes: string[]) => [...new Set(gridCodes.map((g) => g.slice(0, 12)))].sort();
  type Row = Record<string, string | number | null>;
  const rowsOf = async (path: string) => {
    const { file } = await download(path);
    return sql<Row>(`select * from read_csv('${file}', header = true) order by community_code`);
  };
  const n = (v: unknown) => (v === null ? null : Number(v));

  it('counts report-ins, claimed posts and hours served once per community, against the generator, small cells empty', async () => {
    const reportIns = grids.flatMap((g) => g.party.reportIns);
    const claims = grids.flatMap((g) => g.party.postClaims);
    const volunteers = new Map(grids.flatMap((g) => g.party.volunteers).map((v) => [v.idNumber, v]));
    const rows = await rowsOf('/datasets/report-ins-by-community.csv');
    const communities = communitiesOf(grids.map((g) => g.grid.code));
    // One row per community, though the export reads the grids in runs that would split the bigger ones.
    expect(rows.map((r) => String(r.community_code))).toEqual(communities);
    expect(communities.length).toBeGreaterThan(1);
    const checked = { small: 0, exact: 0 };
    for (const row of rows) {
      const code = String(row.community_code);
      expect(row.community).toBe(communityByCode.get(code)!.name);
      expect(String(row.street_code)).toBe(`${code.slice(0, 9)}000`);
      const mine = reportIns.filter((b) => b.gridCode.startsWith(code));
      const ids = new Set(mine.map((b) => b.idNumber));
      const myClaims = claims.filter((c) => ids.has(c.idNumber));
      const claimants = new Set(myClaims.map((c) => c.idNumber)).size;
      const serving = [...ids].flatMap((id) => (volunteers.has(id) ? [volunteers.get(id)!] : []));
      const hours = Math.round(serving.reduce((h, v) => h + v.serviceHours, 0));
      const inService = mine.filter((b) => b.kind === 'IN_SERVICE').length;
      expect([n(row.reported_in), n(row.in_service), n(row.floating)]).toEqual([published(mine.length), ...parts(inService, mine.length - inService)]);
      expect([n(row.claiming_members), n(row.claimed_posts)]).toEqual([published(claimants), published(claimants) === null ? null : myClaims.length]);
      expect([n(row.serving_members), n(row.hours_served)]).toEqual([published(serving.length), published(serving.length) === null ? null : hours]);
      for (const count of [mine.length, claimants, serving.length]) count > 0 && count < 5 ? checked.small++ : checked.exact++;
    }
    // Both kinds of cell are exercised by the test district.
    expect(checked.small).toBeGreaterThan(0);
    expect(checked.exact).toBeGreaterThan(0);
  });

  it('counts the volunteer register per community: teams, party members and others, 民情监督员, hours', async () => {
    const all = grids.flatMap((g) => g.party.volunteers);
    const rows = await rowsOf('/datasets/volunteers-by-community.csv');
    expect(rows.map((r) => String(r.community_code))).toEqual(communitiesOf(grids.map((g) => g.grid.code)));
    for (const row of rows) {
      const mine = all.filter((v) => v.gridCode.startsWith(String(row.community_code)));
      const members = mine.filter((v) => v.partyMember).length;
      expect({
        teams: n(row.teams), volunteers: n(row.volunteers), party_members: n(row.party_members), non_party: n(row.non_party), monitors: n(row.monitors), service_hours: n(row.service_hours),
      }).toEqual({
        teams: new Set(mine.map((v) => v.team)).size,
        volunteers: published(mine.length),
        party_members: parts(members, mine.length - members)[0],
        non_party: parts(members, mine.length - members)[1],
        monitors: published(mine.filter((v) => v.role === 'MONITOR').length),
        service_hours: published(mine.length) === null ? null : Math.round(mine.reduce((h, v) => h + v.serviceHours, 0)),
      });
    }
    expect(rows.some((r) => n(r.non_party) !== null && n(r.non_party)! > 0)).toBe(true);
  });

  it('is a statistics dataset: an analyst reads it, a grid worker gets only their grids counted, a role without party or statistics scopes is refused', async () => {
    const grid = busiestGrid;
    const worker = { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [grid.grid.code] })}` };
    const response = await fetch(url(`/datasets/volunteers-by-community.csv?community=${grid.grid.communityCode}`), { headers: worker });
    expect(response.status).toBe(200);
    const [header, line, ...rest] = (await response.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rest).toEqual([]);
    const columns = header!.split(',');
    const mine = grid.party.volunteers;
    expect(Number(line!.split(',')[columns.indexOf('teams')])).toBe(new Set(mine.map((v) => v.team)).size);
    const refused = await fetch(url('/datasets/report-ins-by-community.csv'), { headers: { authorization: `Bearer ${await hub.tokenFor('auditor')}` } });
    expect(refused.status).toBe(403);
  });
});

describe('spreadsheet-safe CSV', () => {
  it('defangs a formula-looking text cell in CSV, carries it unchanged in NDJSON and Parquet, and keeps a negative amount a number', async () => {
    const hostile = '=HYPERLINK("http://example.invalid","点此")';
    const party = new pg.Client({ connectionString: hub.databaseUrls.party });
    const civil = new pg.Client({ connectionString: hub.databaseUrls['civil-affairs'] });
    await party.connect();
    await civil.connect();
    try {
      // A branch and an entitlement the datasets carry, changed in the departments' databases. Each is read back from
      // the one grid it lies in: the whole district's exports, eight times over, made this test the slowest of the
      // file on a loaded machine, and the cells under test are all in those grids.
      const ndjsonOf = async <T>(path: string) => (await download(path)).bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as T);
      const member = (await party.query<{ branch_id: string; grid_code: string }>('SELECT organization_id AS branch_id, grid_code FROM party_members ORDER BY grid_code, resident_id LIMIT 1')).rows[0]!;
      const entitlement = (
        await civil.query<{ id: string; grid_code: string }>("SELECT id, grid_code FROM welfare_entitlements WHERE kind IN ('MINIMUM_LIVING', 'EXTREME_POVERTY') ORDER BY grid_code, id LIMIT 1")
      ).rows[0]!;
      const [branchId, welfareId] = [member.branch_id, entitlement.id];
      const partyPath = (format: string) => `/datasets/party-members-by-grid.${format}?grid=${member.grid_code}`;
      const welfarePath = (format: string) => `/datasets/welfare-cross-check.${format}?grid=${entitlement.grid_code}`;
      const branchName = (await party.query<{ name: string }>('SELECT name FROM party_organizations WHERE id = $1', [branchId])).rows[0]!.name;
      const amount = (await civil.query<{ monthly_amount: string }>('SELECT monthly_amount FROM welfare_entitlements WHERE id = $1', [welfareId])).rows[0]!.monthly_amount;
      await party.query('UPDATE party_organizations SET name = $1 WHERE id = $2', [hostile, branchId]);
      await civil.query('UPDATE welfare_entitlements SET monthly_amount = -12.5 WHERE id = $1', [welfareId]);
      try {
        const csv = await download(partyPath('csv'));
        const text = csv.bytes.toString('utf8');
        expect(text).toContain(`,"'=HYPERLINK(""http://example.invalid"",""点此"")",`);
        expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
        const fromCsv = await sql<{ branch: string }>(`select distinct branch from read_csv('${csv.file}', header = true) where branch_id = '${branchId}'`);
        expect(fromCsv).toEqual([{ branch: `'${hostile}` }]);
        const ndjson = await ndjsonOf<{ branch_id: string; branch: string }>(partyPath('ndjson'));
        expect(new Set(ndjson.filter((m) => m.branch_id === branchId).map((m) => m.branch))).toEqual(new Set([hostile]));
        expect(ndjson.length).toBeGreaterThan(0);
        // The export command's file is the gateway's CSV, byte for byte.
        const exported = join(folder, 'party-members-export.csv');
        const token = analyst.authorization!.slice('Bearer '.length);
        const exportRun = await runExportCommand(['party-members-by-grid', '--grid', member.grid_code, '--out', exported, '--gateway', hub.gatewayUrl.replace(/\/graphql$/, ''), '--purpose', 'statistics'], { HUB_TOKEN: token });
        expect(exportRun.code, exportRun.stderr).toBe(0);
        expect(readFileSync(exported).equals(csv.bytes)).toBe(true);
        const parquet = await download(partyPath('parquet'));
        expect(await sql(`select distinct branch from read_parquet('${parquet.file}') where branch_id = '${branchId}'`)).toEqual([{ branch: hostile }]);

        const welfare = await download(welfarePath('csv'));
        expect(welfare.bytes.toString('utf8')).toMatch(new RegExp(`^${welfareId},.*,-12\\.5,`, 'm'));
        const amounts = await sql<{ monthly_amount: number; type: string }>(`select monthly_amount, typeof(monthly_amount) as type from read_csv('${welfare.file}', header = true) where entitlement_id = '${welfareId}'`);
        expect(amounts).toEqual([{ monthly_amount: -12.5, type: 'DOUBLE' }]);
        const welfareNdjson = await ndjsonOf<{ entitlement_id: string; monthly_amount: unknown }>(welfarePath('ndjson'));
        expect(welfareNdjson.find((w) => w.entitlement_id === welfareId)?.monthly_amount).toBe(-12.5);
      } finally {
        await party.query('UPDATE party_organizations SET name = $1 WHERE id = $2', [branchName, branchId]);
        await civil.query('UPDATE welfare_entitlements SET monthly_amount = $1 WHERE id = $2', [amount, welfareId]);
      }
    } finally {
      await party.end();
      await civil.end();
    }
  });
});

describe('refusals', () => {
  it('answers bad filters 400, unknown datasets, formats and places 404, without a token 401', async () => {
    const status = async (path: string, headers = analyst) => {
      const response = await fetch(url(path), { headers });
      return [response.status, ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
    };
    expect(await status('/datasets/residents-by-grid.csv?grid=123')).toEqual([400, 'INVALID_FILTER']);
    expect(await status('/datasets/residents-by-grid.csv?colour=red')).toEqual([400, 'INVALID_FILTER']);
    expect(await status('/datasets/residents-by-grid.csv?from=2026-01-01')).toEqual([400, 'INVALID_FILTER']);
    expect(await status('/datasets/cases.csv?from=2026-02-30')).toEqual([400, 'INVALID_FILTER']);
    expect(await status('/datasets/cases.csv?from=2026-12-01&to=2026-01-01')).toEqual([400, 'INVALID_FILTER']);
    const unknownStreet = `${world.streets[0]!.code.slice(0, 6)}${world.streets[0]!.code.slice(6, 7)}99000`;
    expect(world.streets.some((s) => s.code === unknownStreet)).toBe(false);
    expect(await status(`/datasets/residents-by-grid.csv?street=${unknownStreet}`)).toEqual([404, 'PLACE_NOT_FOUND']);
    expect(await status('/datasets/no-such-thing.csv')).toEqual([404, 'DATASET_NOT_FOUND']);
    expect(await status('/datasets/residents-by-grid.xlsx')).toEqual([404, 'FORMAT_NOT_SUPPORTED']);
    expect(await status('/datasets/residents-by-grid.csv', {})).toEqual([401, 'TOKEN_MISSING']);
  });

  it('refuses a dataset the role may not read with 403 and records the refusal', async () => {
    const party = { authorization: `Bearer ${await hub.tokenFor('party-affairs-worker', { sub: 'party-worker-7' })}` };
    const response = await fetch(url('/datasets/welfare-cross-check.csv'), { headers: party });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('DATASET_FORBIDDEN');
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ event_type: string; outcome: string; error_codes: string[] }>(
        "SELECT event_type, outcome, error_codes FROM audit_records WHERE user_id = 'party-worker-7' AND operation_name = 'GET /datasets/welfare-cross-check.csv'",
      );
      expect(rows).toEqual([{ event_type: 'REQUEST_REFUSED', outcome: 'DENIED', error_codes: ['DATASET_FORBIDDEN'] }]);
    } finally {
      await audit.end();
    }
  });
});

/**
 * Resolves when this process writes a log line with `message` (the gateway under test runs here and logs JSON lines
 * to stderr); `stop` puts stderr back.
 */
function logLine(message: string): { seen: Promise<void>; stop: () => void } {
  const write = process.stderr.write;
  let resolve: () => void = () => {};
  const seen = new Promise<void>((r) => (resolve = r));
  process.stderr.write = function (this: typeof process.stderr, chunk: unknown, ...rest: unknown[]) {
    if (String(chunk).includes(`"message":${JSON.stringify(message)}`)) resolve();
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stderr.write;
  return { seen, stop: () => (process.stderr.write = write) };
}

describe('a client that goes away', () => {
  it('stops the export: no page is read after the disconnect', async () => {
    // The gateway says when a stopped export has ended, which is only once its pages in flight have come back.
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    const stopped = logLine('dataset export stopped by the client');
    // A gateway of its own with tiny pages, so the export is long enough to be interrupted.
    const gateway = await createGateway({
      supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
      urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
      ...hub.gatewayAccess,
      datasets: { concurrency: 1, columnPageSize: 2, gridsPerRun: 1 },
    }).listen(0);
    if (level === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = level;
    let closed = false;
    try {
      const statements = hub.subgraphs['public-security']!.statements;
      const before = statements.count;
      const controller = new AbortController();
      const response = await fetch(new URL('/datasets/residents-by-grid.ndjson', gateway.url), { headers: analyst, signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await stopped.seen;
      const settled = statements.count;
      // Nothing of the export is left to run: closing the gateway finds no page to wait for, and none is read after.
      await gateway.close();
      closed = true;
      expect(statements.count).toBe(settled);
      // A whole export at two rows a page takes a statement or more for each of over a thousand pages; the first
      // chunk comes after the first grid's pages, a small part of them.
      expect(residents.length / 2).toBeGreaterThan(1000);
      expect(settled - before).toBeLessThan(residents.length / 2 / 3);
    } finally {
      stopped.stop();
      if (!closed) await gateway.close();
    }
  });
});

describe('the export command', () => {
  const run = runExportCommand;

  it('writes a dataset to a file with its row count, and leaves no file when refused', async () => {
    const out = join(folder, 'cases-export.csv');
    const token = analyst.authorization!.slice('Bearer '.length);
    const ok = await run(['cases', '--format', 'csv', '--out', out, '--gateway', hub.gatewayUrl.replace(/\/graphql$/, ''), '--purpose', 'statistics'], { HUB_TOKEN: token });
    const cases = grids.flatMap((g) => g.mediation.cases).length;
    expect(ok.stderr).toContain(`${cases.toLocaleString('en')} rows written to ${out}`);
    expect(ok.code).toBe(0);
    const [row] = await sql<{ n: string }>(`select count(*) n from read_csv('${out}', header = true)`);
    expect(Number(row!.n)).toBe(cases);

    const refusedOut = join(folder, 'refused.csv');
    const party = await hub.tokenFor('party-affairs-worker');
    const refused = await run(['welfare-cross-check', '--out', refusedOut, '--gateway', hub.gatewayUrl.replace(/\/graphql$/, '')], { HUB_TOKEN: party });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DATASET_FORBIDDEN');
    expect(existsSync(refusedOut) || existsSync(`${refusedOut}.partial`)).toBe(false);
    const usage = await run(['--format', 'csv'], { HUB_TOKEN: token });
    expect(usage.code).toBe(2);
    // Three commands, each a Node process loading TypeScript: seconds apiece on a loaded machine.
  }, 90_000);
});
