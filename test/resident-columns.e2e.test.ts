import { ageOn } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ResidentColumnsPageDocument,
  type ResidentColumnsPageQuery,
  type ResidentColumnsPageQueryVariables,
} from './__generated__/operations.ts';
import { grids, idOf, world } from './world.ts';

/**
 * Column pages (`residentColumns`): public security pages the residents of many grids as lists and party, civil
 * affairs and mediation add their columns for the same ids through `@requires`. Every entry is checked against the
 * generator's records, the pages against each other (each resident once, in grid then id order), and the page
 * against the caller's scope, field policy and the audit trail.
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

type Page = NonNullable<ResidentColumnsPageQuery['residentColumns']>;
const ask = (variables: ResidentColumnsPageQueryVariables, headers = analyst) => postGraphQL(hub.gatewayUrl, ResidentColumnsPageDocument, variables, headers);

const OPEN = new Set(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);
const WELFARE_ORDER = ['MINIMUM_LIVING', 'EXTREME_POVERTY', 'DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE'];

/** What each department holds on each resident of some grids, from the generator, in grid then hub id order. */
function expectedColumns(gridCodes: string[]) {
  const codes = new Set(gridCodes);
  const people = grids
    .filter((g) => codes.has(g.grid.code))
    .flatMap((g) => g.residents)
    .map((r) => ({ ...r, id: idOf(r.idNumber) }))
    .sort((a, b) => (a.gridCode === b.gridCode ? (a.id < b.id ? -1 : 1) : a.gridCode < b.gridCode ? -1 : 1));
  const memberStatus = new Map(grids.flatMap((g) => g.party.members.map((m) => [idOf(m.idNumber), m.status] as const)));
  const kinds = new Map<string, Set<string>>();
  for (const w of grids.flatMap((g) => g.civilAffairs.welfare)) {
    if (w.status !== 'ACTIVE') continue;
    const id = idOf(w.idNumber);
    kinds.set(id, (kinds.get(id) ?? new Set()).add(w.kind));
  }
  const openCases = new Map<string, number>();
  for (const c of grids.flatMap((g) => g.mediation.cases)) {
    if (!OPEN.has(c.status)) continue;
    for (const id of new Set(c.parties.flatMap((p) => (p.idNumber ? [idOf(p.idNumber)] : [])))) openCases.set(id, (openCases.get(id) ?? 0) + 1);
  }
  return {
    ids: people.map((r) => r.id),
    gridCodes: people.map((r) => r.gridCode),
    sexes: people.map((r) => r.sex),
    ages: people.map((r) => ageOn(r.birthDate)),
    populationTypes: people.map((r) => r.populationType),
    partyMemberStatuses: people.map((r) => memberStatus.get(r.id) ?? null),
    activeWelfareKinds: people.map((r) => WELFARE_ORDER.filter((k) => kinds.get(r.id)?.has(k))),
    openCaseCounts: people.map((r) => openCases.get(r.id) ?? 0),
  };
}

/** Every page of some grids, `first` at a time. */
async function allPages(gridCodes: string[], first: number, headers = analyst): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const response = await ask({ gridCodes, first, after }, headers);
    expect(response.errors).toBeUndefined();
    const page = response.data!.residentColumns!;
    pages.push(page);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null);
  return pages;
}

const street = world.streets[0]!;
const streetGrids = grids.filter((g) => g.grid.code.startsWith(street.code.slice(0, 9))).map((g) => g.grid.code);

describe('a column page of residents', () => {
  it('holds every department’s column for each resident of the grids, each once, in grid then id order', async () => {
    expect(streetGrids.length).toBeGreaterThan(2);
    const expected = expectedColumns(streetGrids);
    // Pages that end inside grids and across grid boundaries.
    const pages = await allPages([...streetGrids].reverse(), 37);
    for (const page of pages.slice(0, -1)) expect(page.ids).toHaveLength(37);
    expect(pages.at(-1)!.hasNextPage).toBe(false);
    const joined = (key: keyof typeof expected) => pages.flatMap((p) => p[key] as unknown[]);
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) expect(joined(key), key).toEqual(expected[key]);
    // The generator gives the street members, welfare and open cases, so every column is really exercised.
    expect(expected.partyMemberStatuses.some((s) => s !== null)).toBe(true);
    expect(expected.activeWelfareKinds.some((k) => k.length > 1)).toBe(true);
    expect(expected.openCaseCounts.some((n) => n > 0)).toBe(true);
  });

  it('answers the same rows whatever the page size', async () => {
    const some = streetGrids.slice(0, 3);
    const whole = await allPages(some, 5000);
    expect(whole).toHaveLength(1);
    const small = await allPages(some, 11);
    expect(small.flatMap((p) => p.ids)).toEqual(whole[0]!.ids);
    expect(small.flatMap((p) => p.openCaseCounts!)).toEqual(whole[0]!.openCaseCounts);
  });

  it('covers only a grid worker’s own grid, and leaves out the columns the role may not read', async () => {
    const [own, other] = streetGrids as [string, string];
    const worker = { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [own] })}`, 'x-hub-purpose': 'grid-service' };
    const response = await ask({ gridCodes: [own, other], first: 5000 }, worker);
    const page = response.data!.residentColumns!;
    const expected = expectedColumns([own]);
    expect(page.ids).toEqual(expected.ids);
    expect(page.partyMemberStatuses).toEqual(expected.partyMemberStatuses);
    // Grid workers have no welfare:read: that column is null with its reason, the rest stands.
    expect(page.activeWelfareKinds).toBeNull();
    expect(response.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'residentColumns.activeWelfareKinds']]);
  });

  it('is recorded in the audit trail with every resident it holds', async () => {
    const sub = `columns-analyst-${Date.now()}`;
    const headers = { authorization: `Bearer ${await hub.tokenFor('district-analyst', { sub })}`, 'x-hub-purpose': 'statistics' };
    const response = await ask({ gridCodes: streetGrids.slice(0, 2), first: 50 }, headers);
    expect(response.errors).toBeUndefined();
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ resident_ids: string[] }>('SELECT resident_ids FROM audit_records WHERE user_id = $1', [sub]);
      expect(rows).toHaveLength(1);
      // Stored as uuid (PostgreSQL writes it back with hyphens): the same 128-bit ids.
      expect(rows[0]!.resident_ids.map((id) => id.replaceAll('-', ''))).toEqual([...response.data!.residentColumns!.ids].sort());
    } finally {
      await audit.end();
    }
  });

  it('refuses bad grids, sizes and cursors with their codes', async () => {
    const codeOf = async (variables: ResidentColumnsPageQueryVariables) => (await ask(variables)).errors?.map((e) => e.extensions?.code);
    expect(await codeOf({ gridCodes: [] })).toEqual(['INVALID_GRID_CODE']);
    expect(await codeOf({ gridCodes: ['12345'] })).toEqual(['INVALID_GRID_CODE']);
    expect(await codeOf({ gridCodes: Array.from({ length: 501 }, (_, i) => `320311001001${String(i).padStart(3, '0')}`) })).toEqual(['INVALID_GRID_CODE']);
    expect(await codeOf({ gridCodes: streetGrids, first: 5001 })).toEqual(['INVALID_PAGE_SIZE']);
    expect(await codeOf({ gridCodes: streetGrids, first: -1 })).toEqual(['INVALID_PAGE_SIZE']);
    expect(await codeOf({ gridCodes: streetGrids, after: 'not-a-cursor!' })).toEqual(['INVALID_CURSOR']);
    // A cursor of other grids would start the page in the wrong place.
    const first = (await ask({ gridCodes: [streetGrids[0]!], first: 1 })).data!.residentColumns!;
    expect(first.endCursor).not.toBeNull();
    expect(await codeOf({ gridCodes: [streetGrids[1]!], after: first.endCursor })).toEqual(['INVALID_CURSOR']);
  });
});
