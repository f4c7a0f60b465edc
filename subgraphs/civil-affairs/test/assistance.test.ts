import { DEMO_HUB_SECRET, maskName, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoAssistanceGrant } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
const grants: DemoAssistanceGrant[] = contents.flatMap((c) => c.civilAffairs.assistance);
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);

const harness = serveSubgraphForTests(subgraph);
type Caller = ReturnType<typeof testCaller>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ask = (query: string, variables?: Record<string, unknown>, caller?: Caller) => harness.gql<Record<string, any>>(query, variables, caller);

const GRANT_FIELDS = 'id resident { id } kind reason amount grantedOn approvingOffice approver grid { code }';
const EPISODE_FIELDS = 'medicalEpisode { hospital admittedOn dischargedOn eligibleCost reimbursedPercent }';
const grant = (g: DemoAssistanceGrant, episode: boolean) => ({
  id: g.id,
  resident: { id: idOf(g.idNumber) },
  kind: g.kind,
  reason: g.reason,
  amount: g.amount,
  grantedOn: g.grantedOn,
  approvingOffice: g.approvingOffice,
  approver: g.approverName,
  grid: { code: g.gridCode },
  ...(episode ? { medicalEpisode: g.episode } : {}),
});

const GRID_ASSISTANCE = /* GraphQL */ `
  query ($reps: [_Any!]!, $year: Int, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Grid {
        temporaryAssistance(year: $year, first: $first, after: $after) {
          totalCount edges { cursor node { ${GRANT_FIELDS} } } pageInfo { hasNextPage endCursor }
        }
        medicalAssistance(year: $year, first: $first, after: $after) {
          totalCount edges { cursor node { ${GRANT_FIELDS} ${EPISODE_FIELDS} } } pageInfo { hasNextPage endCursor }
        }
        assistanceTotals { year temporary { grants recipients amount } medical { grants recipients amount } }
      }
    }
  }
`;

const busiest = contents.reduce((a, b) => (b.civilAffairs.assistance.length > a.civilAffairs.assistance.length ? b : a));
const ofKind = (list: DemoAssistanceGrant[], kind: DemoAssistanceGrant['kind']) => list.filter((g) => g.kind === kind).sort((a, b) => a.id.localeCompare(b.id));

describe('temporary and medical assistance (临时救助、医疗救助)', () => {
  it('the demo grants both kinds, medical ones with their episode, over three years', () => {
    expect(ofKind(grants, 'TEMPORARY').length).toBeGreaterThan(5);
    expect(ofKind(grants, 'MEDICAL').length).toBeGreaterThan(5);
    for (const g of grants) {
      expect(g.episode !== null).toBe(g.kind === 'MEDICAL');
      if (g.episode) expect(g.amount).toBeLessThanOrEqual(Math.ceil(g.episode.eligibleCost * g.episode.reimbursedPercent) / 100);
    }
    expect(new Set(grants.map((g) => g.grantedOn.slice(0, 4))).size).toBe(3);
  });

  it("pages a grid's grants of each kind by id, with totals, and its totals per year", async () => {
    const rep = { __typename: 'Grid', code: busiest.grid.code };
    const temporary = ofKind(busiest.civilAffairs.assistance, 'TEMPORARY');
    const medical = ofKind(busiest.civilAffairs.assistance, 'MEDICAL');
    // Each list read to its end on its own, three a page.
    const readAll = async (field: 'temporaryAssistance' | 'medicalAssistance') => {
      const query = `query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Grid {
        ${field}(first: 3, after: $after) { totalCount edges { node { ${GRANT_FIELDS} ${field === 'medicalAssistance' ? EPISODE_FIELDS : ''} } } pageInfo { hasNextPage endCursor } } } } }`;
      const nodes: unknown[] = [];
      let after: string | null = null;
      for (;;) {
        const response = await ask(query, { reps: [rep], after });
        expect(response.errors).toBeUndefined();
        const page = response.data!._entities[0][field];
        expect(page.totalCount).toBe(field === 'temporaryAssistance' ? temporary.length : medical.length);
        nodes.push(...page.edges.map((e: { node: unknown }) => e.node));
        if (!page.pageInfo.hasNextPage) return nodes;
        after = page.pageInfo.endCursor;
      }
    };
    expect(await readAll('temporaryAssistance')).toEqual(temporary.map((g) => grant(g, false)));
    expect(await readAll('medicalAssistance')).toEqual(medical.map((g) => grant(g, true)));

    const byYear = new Map<number, { temporary: DemoAssistanceGrant[]; medical: DemoAssistanceGrant[] }>();
    for (const g of busiest.civilAffairs.assistance) {
      const year = Number(g.grantedOn.slice(0, 4));
      const entry = byYear.get(year) ?? { temporary: [], medical: [] };
      entry[g.kind === 'TEMPORARY' ? 'temporary' : 'medical'].push(g);
      byYear.set(year, entry);
    }
    const totals = (list: DemoAssistanceGrant[]) => ({
      grants: list.length,
      recipients: new Set(list.map((g) => g.idNumber)).size,
      amount: Math.round(list.reduce((sum, g) => sum + g.amount * 100, 0)) / 100,
    });
    const response = await ask(GRID_ASSISTANCE, { reps: [rep], first: 0 });
    expect(response.data!._entities[0].assistanceTotals).toEqual(
      [...byYear.entries()].sort(([a], [b]) => b - a).map(([year, e]) => ({ year, temporary: totals(e.temporary), medical: totals(e.medical) })),
    );

    const year = Number(temporary[0]!.grantedOn.slice(0, 4));
    const ofYear = await ask(GRID_ASSISTANCE, { reps: [rep], year, first: 500 });
    expect(ofYear.data!._entities[0].temporaryAssistance.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(
      temporary.filter((g) => g.grantedOn.startsWith(`${year}-`)).map((g) => g.id),
    );
  });

  it("answers a resident's grants of each kind, oldest first", async () => {
    const person = [...new Set(grants.map((g) => g.idNumber))].find((p) => grants.some((g) => g.idNumber === p && g.kind === 'MEDICAL'))!;
    const mine = grants.filter((g) => g.idNumber === person).sort((a, b) => a.grantedOn.localeCompare(b.grantedOn));
    const response = await ask(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { temporaryAssistance { ${GRANT_FIELDS} } medicalAssistance { ${GRANT_FIELDS} ${EPISODE_FIELDS} } } } }`,
      { reps: [{ __typename: 'Resident', id: idOf(person) }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities[0]).toEqual({
      temporaryAssistance: ofKind(mine, 'TEMPORARY').sort((a, b) => a.grantedOn.localeCompare(b.grantedOn)).map((g) => grant(g, false)),
      medicalAssistance: ofKind(mine, 'MEDICAL').sort((a, b) => a.grantedOn.localeCompare(b.grantedOn)).map((g) => grant(g, true)),
    });
  });

  it('refuses medical assistance without health:read, masks approvers for names-masked roles, and keeps to the caller\u2019s grids', async () => {
    const rep = { __typename: 'Grid', code: busiest.grid.code };
    // The analyst holds welfare:read and statistics:read, not health:read, and has names masked.
    const analyst = testCaller('district-analyst', { purpose: 'statistics' });
    const response = await ask(GRID_ASSISTANCE, { reps: [rep], first: 500 }, analyst);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.errors![0]!.path).toEqual(['_entities', 0, 'medicalAssistance']);
    const grid = response.data!._entities[0];
    expect(grid.medicalAssistance).toBeNull();
    const temporary = ofKind(busiest.civilAffairs.assistance, 'TEMPORARY');
    expect(grid.temporaryAssistance.edges.map((e: { node: { approver: string } }) => e.node.approver)).toEqual(temporary.map((g) => maskName(g.approverName)));
    expect(grid.assistanceTotals.length).toBeGreaterThan(0);

    // A grid worker of another grid (with every scope) sees none of this grid's grants, nor counts them.
    const elsewhere = contents.find((c) => c.grid.code !== busiest.grid.code)!;
    const worker = testCaller('civil-affairs-clerk', { grids: [elsewhere.grid.code], ownGridsOnly: true });
    const scoped = await ask(GRID_ASSISTANCE, { reps: [rep], first: 500 }, worker);
    expect(scoped.errors).toBeUndefined();
    expect(scoped.data!._entities[0]).toMatchObject({
      temporaryAssistance: { totalCount: 0, edges: [] },
      medicalAssistance: { totalCount: 0, edges: [] },
      assistanceTotals: [],
    });
  });

  it('suppresses the per-year totals of a kind the caller may not list, as the dataset does (小数抑制)', async () => {
    const TOTALS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { assistanceTotals { year temporary { grants recipients amount } medical { grants recipients amount } } } } }`;
    const reps = contents.map((c) => ({ __typename: 'Grid', code: c.grid.code }));
    const totalsOf = (list: DemoAssistanceGrant[], suppressed: boolean) => {
      const recipients = new Set(list.map((g) => g.idNumber)).size;
      const whole = { grants: list.length, recipients, amount: Math.round(list.reduce((sum, g) => sum + g.amount * 100, 0)) / 100 };
      return suppressed && recipients >= 1 && recipients <= 4 ? { grants: null, recipients: null, amount: null } : whole;
    };
    const expected = (suppress: { temporary: boolean; medical: boolean }) =>
      contents.map((c) => {
        const years = [...new Set(c.civilAffairs.assistance.map((g) => Number(g.grantedOn.slice(0, 4))))].sort((a, b) => b - a);
        const of = (year: number, kind: DemoAssistanceGrant['kind']) => c.civilAffairs.assistance.filter((g) => g.kind === kind && g.grantedOn.startsWith(String(year)));
        return { assistanceTotals: years.map((year) => ({ year, temporary: totalsOf(of(year, 'TEMPORARY'), suppress.temporary), medical: totalsOf(of(year, 'MEDICAL'), suppress.medical) })) };
      });
    // The supervision office reads statistics only: both kinds suppressed; the test district's cells are small.
    const supervisor = await ask(TOTALS, { reps }, testCaller('supervisor', { purpose: 'case-handling' }));
    expect(supervisor.errors).toBeUndefined();
    const hidden = expected({ temporary: true, medical: true });
    expect(hidden.some((g) => g.assistanceTotals.some((y) => y.temporary.recipients === null))).toBe(true);
    expect(supervisor.data!._entities).toEqual(hidden);
    // The analyst may list temporary grants, not medical ones (health data): the medical totals alone suppressed.
    const analyst = await ask(TOTALS, { reps }, testCaller('district-analyst', { purpose: 'statistics' }));
    expect(analyst.errors).toBeUndefined();
    expect(analyst.data!._entities).toEqual(expected({ temporary: false, medical: true }));
  });

  it('refuses a year outside 1990-2100 with INVALID_DATE_RANGE', async () => {
    const response = await ask(GRID_ASSISTANCE, { reps: [{ __typename: 'Grid', code: busiest.grid.code }], year: 1066, first: 5 });
    expect(errorCodes(response)).toEqual(['INVALID_DATE_RANGE', 'INVALID_DATE_RANGE']);
  });
});
