import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CareListsByGridConnectionDocument, PartyMembersByGridConnectionDocument, ResidentsByGridConnectionDocument } from './__generated__/operations.ts';
import { grids, idOf, world } from './world.ts';

/**
 * Datasets that moved from each grid's connection to column pages give the same rows as before, in the same order:
 * the rows read the old way (each grid's connection through the gateway, as the analyst, mapped to the dataset's
 * columns as the catalog mapped them) against the dataset's export; and the export's audit records hold every
 * resident its pages held.
 */
let hub: TestHub;
let analyst: Record<string, string>;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  analyst = { authorization: `Bearer ${await hub.tokenFor('district-analyst')}`, 'x-hub-purpose': 'statistics' };
});
afterAll(async () => {
  await hub?.close();
});

type Cell = string | number | boolean | null;

/** The place columns every dataset starts with, for a grid of the test district. */
function placeOf(gridCode: string): Record<string, Cell> {
  const grid = world.grids.find((g) => g.code === gridCode)!;
  const community = world.communities.find((c) => c.code === grid.communityCode)!;
  const street = world.streets.find((s) => s.code === community.streetCode)!;
  return { street_code: street.code, street: street.name, community_code: community.code, community: community.name, grid_code: grid.code, grid: grid.name };
}

const ageBand = (age: number | null) => (age === null ? null : age < 18 ? '0-17' : age < 35 ? '18-34' : age < 60 ? '35-59' : age < 80 ? '60-79' : '80+');

/** Every page of one grid's connection, 500 rows a page, as the engine read grid-paged datasets. */
async function connectionRows<TNode>(
  read: (after: string | null) => Promise<{ nodes: TNode[]; hasNextPage: boolean; endCursor: string | null } | null>,
): Promise<TNode[]> {
  const nodes: TNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await read(after);
    if (!page) return nodes;
    nodes.push(...page.nodes);
    if (!page.hasNextPage) return nodes;
    after = page.endCursor;
  }
}

/** The party-members-by-grid rows of one grid as the dataset gave them on the grid's `partyMembers` connection. */
async function partyMembersBefore(gridCode: string): Promise<Record<string, Cell>[]> {
  const members = await connectionRows(async (after) => {
    const response = await postGraphQL(hub.gatewayUrl, PartyMembersByGridConnectionDocument, { gridCode, first: 500, after }, analyst);
    expect(response.errors).toBeUndefined();
    const connection = response.data?.grid?.partyMembers;
    return connection ? { nodes: connection.edges.map((e) => e.node), hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor } : null;
  });
  return members.map((m) => ({
    resident_id: m.resident?.id ?? null,
    ...placeOf(gridCode),
    member_type: m.status,
    probationary: m.probationary,
    joined_on: m.joinedOn,
    full_member_on: m.fullMemberOn ?? null,
    branch_id: m.branch.id,
    branch: m.branch.name,
    branch_level: m.branch.level,
    points: m.points,
    sex: m.resident?.sex ?? null,
    age_band: ageBand(m.resident?.age ?? null),
    population_type: m.resident?.populationType ?? null,
  }));
}

/** The care-lists rows of one grid as the dataset gave them on the grid's `careRecords` connection. */
async function careListsBefore(gridCode: string): Promise<Record<string, Cell>[]> {
  const entries = await connectionRows(async (after) => {
    const response = await postGraphQL(hub.gatewayUrl, CareListsByGridConnectionDocument, { gridCode, first: 500, after }, analyst);
    expect(response.errors).toBeUndefined();
    const connection = response.data?.grid?.careRecords;
    return connection ? { nodes: connection.edges.map((e) => e.node), hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor } : null;
  });
  return entries.map((c) => ({
    care_id: c.id,
    resident_id: c.resident?.id ?? null,
    ...placeOf(gridCode),
    kind: c.kind,
    listed_on: c.listedOn,
    sex: c.resident?.sex ?? null,
    age_band: c.resident ? ageBand(c.resident.age) : null,
  }));
}

/** The public-security columns of one grid's residents-by-grid rows, as the grid's residents connection lists them. */
async function residentsBefore(gridCode: string): Promise<Record<string, Cell>[]> {
  const people = await connectionRows(async (after) => {
    const response = await postGraphQL(hub.gatewayUrl, ResidentsByGridConnectionDocument, { gridCode, first: 500, after }, analyst);
    expect(response.errors).toBeUndefined();
    const connection = response.data?.grid?.residents;
    return connection ? { nodes: connection.edges.map((e) => e.node), hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor } : null;
  });
  return people.map((r) => ({
    resident_id: r.id,
    ...placeOf(gridCode),
    population_type: r.populationType,
    residence_status: r.residenceStatus ?? null,
    sex: r.sex,
    age_band: ageBand(r.age ?? null),
  }));
}

const BEFORE: Record<string, (gridCode: string) => Promise<Record<string, Cell>[]>> = {
  'party-members-by-grid': partyMembersBefore,
  'care-lists': careListsBefore,
};

async function exported(name: string, format: 'ndjson' | 'csv', headers = analyst): Promise<string> {
  const response = await fetch(new URL(`/datasets/${name}.${format}`, hub.gatewayUrl), { headers });
  expect(response.status, await response.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  return response.text();
}

describe('datasets on column pages', () => {
  for (const [name, before] of Object.entries(BEFORE)) {
    it(`${name}: the same rows, columns and order as each grid's connection gave`, async () => {
      const gridCodes = world.grids.map((g) => g.code).sort();
      const expected = (await Promise.all(gridCodes.map((code) => before(code)))).flat();
      expect(expected.length).toBeGreaterThan(20);
      const rows = (await exported(name, 'ndjson')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Cell>);
      expect(rows).toEqual(expected);
      // Column for column in the catalog's order, as CSV writes them.
      expect(rows.every((row) => Object.keys(row).join() === Object.keys(expected[0]!).join())).toBe(true);
      const csv = (await exported(name, 'csv')).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(csv[0]).toBe(Object.keys(expected[0]!).join(','));
      expect(csv).toHaveLength(expected.length + 1);
    }, 180_000);
  }

  it("residents-by-grid: the people each grid's residents connection lists, those living in the grid, in the same order", async () => {
    const gridCodes = world.grids.map((g) => g.code).sort();
    const expected = (await Promise.all(gridCodes.map((code) => residentsBefore(code)))).flat();
    const rows = (await exported('residents-by-grid', 'ndjson')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Cell>);
    const keys = Object.keys(expected[0]!);
    expect(rows.map((row) => Object.fromEntries(keys.map((k) => [k, row[k]])))).toEqual(expected);
    // The generator's people living in the district, none of those registered here but living elsewhere (户在人不在),
    // though the register holds them.
    const living = grids.flatMap((g) => g.residents.map((r) => idOf(r.idNumber)));
    const away = grids.flatMap((g) => g.registeredAway.map((r) => idOf(r.idNumber)));
    expect(away.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.resident_id))).toEqual(new Set(living));
    expect(rows.some((r) => r.residence_status === 'REGISTERED_NOT_RESIDENT')).toBe(false);
  }, 180_000);

  it('care-lists: the export is audited as care data, with minors, and every person it held', async () => {
    const sub = `care-columns-${Date.now()}`;
    const headers = { authorization: `Bearer ${await hub.tokenFor('district-analyst', { sub })}`, 'x-hub-purpose': 'statistics' };
    const rows = (await exported('care-lists', 'ndjson', headers))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { resident_id: string; age_band: string });
    expect(rows.some((r) => r.age_band === '0-17')).toBe(true);
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows: records } = await audit.query<{ resident_ids: string[]; categories: string[] }>(
        `SELECT resident_ids, categories FROM audit_records WHERE user_id = $1 AND operation_name = 'DatasetCareLists'`,
        [sub],
      );
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.categories.includes('care'))).toBe(true);
      expect(records.some((r) => r.categories.includes('minors'))).toBe(true);
      expect(new Set(records.flatMap((r) => r.resident_ids.map((id) => id.replaceAll('-', ''))))).toEqual(new Set(rows.map((r) => r.resident_id)));
    } finally {
      await audit.end();
    }
  }, 180_000);

  it('party-members-by-grid: the export is audited with every member it held', async () => {
    const sub = `party-columns-${Date.now()}`;
    const headers = { authorization: `Bearer ${await hub.tokenFor('district-analyst', { sub })}`, 'x-hub-purpose': 'statistics' };
    const ids = new Set(
      (await exported('party-members-by-grid', 'ndjson', headers))
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { resident_id: string }).resident_id),
    );
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ resident_ids: string[] }>(
        `SELECT resident_ids FROM audit_records WHERE user_id = $1 AND operation_name = 'DatasetPartyMembersByGrid'`,
        [sub],
      );
      expect(rows.length).toBeGreaterThan(0);
      // Stored as uuid (PostgreSQL writes it back with hyphens): the same 128-bit ids.
      expect(new Set(rows.flatMap((r) => r.resident_ids.map((id) => id.replaceAll('-', ''))))).toEqual(ids);
    } finally {
      await audit.end();
    }
  }, 180_000);
});
