import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CareListsByGridConnectionDocument,
  CasesByGridConnectionDocument,
  ResidentsByGridConnectionDocument,
  GroupRentalsByGridConnectionDocument,
  PartyMembersByGridConnectionDocument,
  WelfareCrossCheckByGridConnectionDocument,
} from './__generated__/operations.ts';
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
type Headers = Record<string, string>;

/** The place columns every dataset starts with, for a grid of the test district. */
function placeOf(gridCode: string): Record<string, Cell> {
  const grid = world.grids.find((g) => g.code === gridCode)!;
  const community = world.communities.find((c) => c.code === grid.communityCode)!;
  const street = world.streets.find((s) => s.code === community.streetCode)!;
  return { street_code: street.code, street: street.name, community_code: community.code, community: community.name, grid_code: grid.code, grid: grid.name };
}

const ageBand = (age: number | null) => (age === null ? null : age < 18 ? '0-17' : age < 35 ? '18-34' : age < 60 ? '35-59' : age < 80 ? '60-79' : '80+');

/**
 * An operation as the caller, asked again after the wait the gateway names while the caller is over its rate budget:
 * reading every grid's connection at once is far more than one caller may ask in a burst.
 */
async function askPatiently<TData, TVariables extends Record<string, unknown>>(
  document: Parameters<typeof postGraphQL<TData, TVariables>>[1],
  variables: TVariables,
  headers: Headers,
): ReturnType<typeof postGraphQL<TData, TVariables>> {
  for (;;) {
    const response = await postGraphQL(hub.gatewayUrl, document, variables, headers);
    const limited = response.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
    if (!limited) return response;
    await new Promise((resolve) => setTimeout(resolve, Number(limited.extensions?.retryAfterSeconds ?? 1) * 1000));
  }
}

type Connection<TNode> = { edges: { node: TNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null | undefined;

/** Every page of one grid's connection, 500 rows a page, as the engine read grid-paged datasets. */
async function connectionRows<TData, TNode>(
  document: TypedDocumentNode<TData, { gridCode: string; first: number; after: string | null }>,
  connectionOf: (data: TData | null | undefined) => Connection<TNode>,
  gridCode: string,
  headers: Headers,
): Promise<TNode[]> {
  const nodes: TNode[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await askPatiently(document, { gridCode, first: 500, after }, headers);
    expect(response.errors).toBeUndefined();
    const connection = connectionOf(response.data);
    if (!connection) return nodes;
    for (const edge of connection.edges) nodes.push(edge.node);
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
}

/** The party-members-by-grid rows of one grid as the dataset gave them on the grid's `partyMembers` connection. */
async function partyMembersBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const members = await connectionRows(PartyMembersByGridConnectionDocument, (data) => data?.grid?.partyMembers, gridCode, headers);
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
async function careListsBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const entries = await connectionRows(CareListsByGridConnectionDocument, (data) => data?.grid?.careRecords, gridCode, headers);
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
async function residentsBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const people = await connectionRows(ResidentsByGridConnectionDocument, (data) => data?.grid?.residents, gridCode, headers);
  return people.map((r) => ({
    resident_id: r.id,
    ...placeOf(gridCode),
    population_type: r.populationType,
    residence_status: r.residenceStatus ?? null,
    sex: r.sex,
    age_band: ageBand(r.age ?? null),
  }));
}

/** The group-rentals rows of one grid as the dataset gave them on the grid's `groupRentals` connection. */
async function groupRentalsBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const rentals = await connectionRows(GroupRentalsByGridConnectionDocument, (data) => data?.grid?.groupRentals, gridCode, headers);
  return rentals.map((g) => ({
    group_rental_id: g.id,
    house_code: g.house.code,
    ...placeOf(gridCode),
    status: g.status,
    identified_on: g.identifiedOn,
    occupants: g.occupantCount,
    registered_occupants: (g.house.occupants ?? []).length,
    floating_occupants: (g.house.occupants ?? []).filter((o) => o.populationType === 'FLOATING').length,
    disputes: (g.disputes ?? []).length,
  }));
}

/** The cases rows of one grid as the dataset gave them on the grid's `cases` connection. */
async function casesBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const cases = await connectionRows(CasesByGridConnectionDocument, (data) => data?.grid?.cases, gridCode, headers);
  return cases.map((c) => ({
    case_id: c.id,
    ...placeOf(gridCode),
    category: c.category,
    source: c.source,
    hotline_ticket: c.hotlineTicket ?? null,
    severity: c.severity,
    criminal_risk: c.criminalRisk,
    group_dispute: c.groupDispute,
    head_count: c.headCount ?? null,
    leader_post: c.leader?.post ?? null,
    status: c.status,
    outcome: c.outcome ?? null,
    department: c.assignedDepartment ?? null,
    lead_unit: c.leadUnit?.code ?? null,
    co_handlers: c.parts.filter((p) => p.role === 'CO_HANDLER').map((p) => p.unit.code).join(';') || null,
    hand_backs: c.partHistory.filter((p) => p.status === 'HANDED_BACK').length,
    level: c.level,
    reported_up: c.reportedUpAt !== null && c.reportedUpAt !== undefined,
    received_at: c.receivedAt,
    accepted_at: c.acceptedAt ?? null,
    acknowledged_at: c.acknowledgedAt ?? null,
    resolved_at: c.resolvedAt ?? null,
    closed_at: c.closedAt ?? null,
    due_on: c.dueOn,
    overdue: c.overdue,
    overdue_days: c.overdueDays,
    card: c.card ?? null,
    follow_ups: c.followUps.length,
    satisfied: c.followUps.at(-1)?.satisfied ?? null,
    satisfaction: c.followUps.at(-1)?.level ?? null,
  }));
}

/** The welfare-cross-check rows of one grid as the dataset gave them on the grid's `welfareRecipients` connection. */
async function welfareCrossCheckBefore(gridCode: string, headers: Headers): Promise<Record<string, Cell>[]> {
  const entitlements = await connectionRows(WelfareCrossCheckByGridConnectionDocument, (data) => data?.grid?.welfareRecipients, gridCode, headers);
  return entitlements.map((w) => ({
    entitlement_id: w.id,
    resident_id: w.resident?.id ?? null,
    ...placeOf(gridCode),
    kind: w.kind,
    status: w.status,
    monthly_amount: w.monthlyAmount,
    starts_on: w.startsOn,
    houses_owned: w.resident?.housingSummary?.ownedHouses ?? null,
    total_area_m2: w.resident?.housingSummary?.ownedAreaM2 ?? null,
  }));
}

/** Who reads a dataset in these comparisons: the analyst, and for the datasets that moved last a second role. */
type Reader = { role: string; purpose?: string; ownGrids?: true };
const ANALYST: Reader = { role: 'district-analyst', purpose: 'statistics' };

let readers = 0;
async function readerHeaders(reader: Reader, grids?: string[]): Promise<Headers> {
  const token = await hub.tokenFor(reader.role, { sub: `column-pages-${reader.role}-${++readers}`, ...(reader.ownGrids ? { grids } : {}) });
  return { authorization: `Bearer ${token}`, ...(reader.purpose ? { 'x-hub-purpose': reader.purpose } : {}) };
}

const BEFORE: Record<string, { before: (gridCode: string, headers: Headers) => Promise<Record<string, Cell>[]>; readers: Reader[] }> = {
  'party-members-by-grid': { before: partyMembersBefore, readers: [ANALYST] },
  'care-lists': { before: careListsBefore, readers: [ANALYST] },
  // A grid worker's row scope: two of their grids, the export holding those grids' rows only.
  'group-rentals': { before: groupRentalsBefore, readers: [ANALYST, { role: 'grid-worker', ownGrids: true }] },
  cases: { before: casesBefore, readers: [ANALYST, { role: 'grid-worker', ownGrids: true }] },
  // No role limited to its grids may read welfare (grid workers have no welfare:read): the clerk, for another purpose and masking.
  'welfare-cross-check': { before: welfareCrossCheckBefore, readers: [ANALYST, { role: 'civil-affairs-clerk', purpose: 'welfare-review' }] },
};

async function exported(name: string, format: 'ndjson' | 'csv', headers = analyst): Promise<string> {
  const response = await fetch(new URL(`/datasets/${name}.${format}`, hub.gatewayUrl), { headers });
  expect(response.status, await response.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  return response.text();
}

describe('datasets on column pages', () => {
  for (const [name, { before, readers }] of Object.entries(BEFORE)) {
    for (const reader of readers) {
      it(`${name}, as ${reader.role}: the same rows, columns and order as each grid's connection gave`, async () => {
        const allGrids = world.grids.map((g) => g.code).sort();
        let gridCodes = allGrids;
        // A caller of its own for each comparison: reading every grid's connection spends much of one caller's rate budget.
        let headers = await readerHeaders(ANALYST);
        if (reader !== ANALYST) {
          if (reader.ownGrids) {
            // The two grids with the most rows in the analyst's export, so the worker's export is not trivially empty
            // (which grids is all this takes from the export; their rows are compared with the connections).
            const counts = new Map<string, number>();
            for (const line of (await exported(name, 'ndjson', headers)).trimEnd().split('\n')) {
              const grid = (JSON.parse(line) as { grid_code: string }).grid_code;
              counts.set(grid, (counts.get(grid) ?? 0) + 1);
            }
            gridCodes = [...counts]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
              .slice(0, 2)
              .map(([code]) => code)
              .sort();
          }
          headers = await readerHeaders(reader, gridCodes);
        }
        const expected = (await Promise.all(gridCodes.map((code) => before(code, headers)))).flat();
        expect(expected.length).toBeGreaterThan(reader.ownGrids ? 0 : 5);
        const rows = (await exported(name, 'ndjson', headers)).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Cell>);
        expect(rows).toEqual(expected);
        // Column for column in the catalog's order, as CSV writes them.
        expect(rows.every((row) => Object.keys(row).join() === Object.keys(expected[0]!).join())).toBe(true);
        const csv = (await exported(name, 'csv', headers)).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
        expect(csv[0]).toBe(Object.keys(expected[0]!).join(','));
        expect(csv).toHaveLength(expected.length + 1);
      }, 180_000);
    }
  }

  it("residents-by-grid: the people each grid's residents connection lists, those living in the grid, in the same order", async () => {
    const headers = await readerHeaders(ANALYST);
    const gridCodes = world.grids.map((g) => g.code).sort();
    const expected = (await Promise.all(gridCodes.map((code) => residentsBefore(code, headers)))).flat();
    const rows = (await exported('residents-by-grid', 'ndjson', headers)).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Cell>);
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

  it('cases, group-rentals, welfare-cross-check: pages of three rows over runs of two grids give the same rows, none lost or repeated', async () => {
    // A gateway of its own with tiny column pages, so every page but the last ends inside a run and the next starts
    // from its cursor, within a grid and across grids.
    const gateway = await createGateway({
      supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
      urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
      ...hub.gatewayAccess,
      datasets: { columnPageSize: 3, gridsPerRun: 2 },
    }).listen(0);
    try {
      for (const name of ['cases', 'group-rentals', 'welfare-cross-check']) {
        const headers = await readerHeaders(ANALYST);
        const whole = await exported(name, 'ndjson', headers);
        const response = await fetch(new URL(`/datasets/${name}.ndjson`, gateway.url), { headers });
        expect(response.status).toBe(200);
        const paged = await response.text();
        // Runs' pages are handed on in turn, so across runs the order is the engine's, not the grids': the rows are the same.
        const lines = (text: string) => text.trimEnd().split('\n').sort();
        expect(lines(paged).length, name).toBeGreaterThan(10);
        expect(lines(paged), name).toEqual(lines(whole));
      }
    } finally {
      await gateway.close();
    }
  }, 180_000);

  it('cases: a date range keeps the rows reported in it, as it did on the connections', async () => {
    const all = (await exported('cases', 'ndjson')).trimEnd().split('\n').map((line) => JSON.parse(line) as { received_at: string });
    const days = [...new Set(all.map((r) => r.received_at.slice(0, 10)))].sort();
    expect(days.length).toBeGreaterThan(2);
    const [from, to] = [days[1]!, days[days.length - 2]!];
    const response = await fetch(new URL(`/datasets/cases.ndjson?from=${from}&to=${to}`, hub.gatewayUrl), { headers: analyst });
    expect(response.status).toBe(200);
    const kept = (await response.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as { received_at: string });
    // received_at is written in China Standard Time, so its date is the day the range speaks of.
    expect(kept).toEqual(all.filter((r) => r.received_at.slice(0, 10) >= from && r.received_at.slice(0, 10) <= to));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(all.length);
  }, 180_000);

  /** An export as an analyst of its own, its rows, and the audit records of the dataset's operation for that analyst. */
  async function exportedAndAudited(name: string, operationName: string) {
    const sub = `${name}-columns-${Date.now()}`;
    const headers = { authorization: `Bearer ${await hub.tokenFor('district-analyst', { sub })}`, 'x-hub-purpose': 'statistics' };
    const rows = (await exported(name, 'ndjson', headers))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { resident_id: string; age_band?: string });
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows: records } = await audit.query<{ resident_ids: string[]; categories: string[] }>(
        `SELECT resident_ids, categories FROM audit_records WHERE user_id = $1 AND operation_name = $2`,
        [sub, operationName],
      );
      expect(records.length).toBeGreaterThan(0);
      // Stored as uuid (PostgreSQL writes it back with hyphens): the same 128-bit ids.
      const audited = new Set(records.flatMap((r) => r.resident_ids.map((id) => id.replaceAll('-', ''))));
      return { rows, records, audited };
    } finally {
      await audit.end();
    }
  }

  it('welfare-cross-check: the export is audited with every recipient it held', async () => {
    const { rows, audited } = await exportedAndAudited('welfare-cross-check', 'DatasetWelfareCrossCheck');
    expect(audited).toEqual(new Set(rows.map((r) => r.resident_id)));
  }, 180_000);

  it('care-lists: the export is audited as care data, with minors, and every person it held', async () => {
    const { rows, records, audited } = await exportedAndAudited('care-lists', 'DatasetCareLists');
    expect(rows.some((r) => r.age_band === '0-17')).toBe(true);
    expect(records.every((r) => r.categories.includes('care'))).toBe(true);
    expect(records.some((r) => r.categories.includes('minors'))).toBe(true);
    expect(audited).toEqual(new Set(rows.map((r) => r.resident_id)));
  }, 180_000);

  it('party-members-by-grid: the export is audited with every member it held', async () => {
    const { rows, audited } = await exportedAndAudited('party-members-by-grid', 'DatasetPartyMembersByGrid');
    expect(audited).toEqual(new Set(rows.map((r) => r.resident_id)));
  }, 180_000);
});
