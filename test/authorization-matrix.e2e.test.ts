import { CALLER_HEADER, DEMO_ROLES, maskAddress, maskIdNumber, maskName, maskPhone, signCallerToken, type Caller, type DemoRole } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cases, PROBES, writeCaseRecords, type Probe } from './authorization-matrix.ts';
import { grids, idOf } from './world.ts';

/**
 * The authorization matrix (`authorization-matrix.ts`): every demo role × every sensitive category × with and without
 * a declared purpose (one the role allows), asserting exactly what comes back — `clear`, `masked`, or `refused`
 * (null with FORBIDDEN at the field, from the gateway's @requiresScopes policy) — plus a grid worker's row scope, and
 * the same masking and scope held by a subgraph asked directly with a valid internal token. Every subgraph asked
 * directly is held to the same matrix in `subgraph-authorization.e2e.test.ts`.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  await writeCaseRecords(hub.databaseUrls.mediation!);
});
afterAll(async () => {
  await hub?.close();
});

async function ask(role: DemoRole, probe: Probe, purpose: string | null) {
  // A grid worker answers for the grid of the person asked about (row scope is tested below).
  const claims = DEMO_ROLES[role].ownGridsOnly ? { grids: [probe.resident.gridCode] } : {};
  const headers: Record<string, string> = { authorization: `Bearer ${await hub.tokenFor(role, claims)}` };
  if (purpose) headers['x-hub-purpose'] = purpose;
  return postGraphQL<Record<string, any>>(hub.gatewayUrl, `{ resident(id: "${idOf(probe.resident.idNumber)}") { id ${probe.query} } }`, undefined, headers);
}

describe('the authorization matrix, through the gateway', () => {
  it.each(cases)('$role, $category, purpose $purpose: $expected', async ({ role, category, purpose, expected }) => {
    const probe = PROBES[category];
    const response = await ask(role, probe, purpose);
    const forbidden = (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path);
    const others = (response.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
    expect(others).toEqual([]);
    if (expected === 'refused') {
      const at = forbidden.map((path) => (path ?? []).filter((step) => typeof step === 'string'));
      if (!DEMO_ROLES[role].scopes.some((scope) => scope === 'resident:read')) {
        // Without resident:read the resident itself is refused.
        expect(at).toContainEqual(['resident']);
        expect(response.data?.resident).toBeNull();
      } else {
        expect(at.some((path) => probe.refusedAt.some((where) => where.join('.') === path.join('.')))).toBe(true);
        expect(probe.read(response.data?.resident)).toEqual(probe.refused);
      }
      return;
    }
    expect(forbidden).toEqual([]);
    const value = probe.read(response.data?.resident);
    expect(value).toEqual(expected === 'clear' ? probe.clear : expected === 'withheld' ? probe.withheld : expected === 'absent' ? probe.absent : probe.masked);
    // The two must differ, or the assertion says nothing.
    expect(probe.clear).not.toEqual(probe.masked);
  });
});

describe("a grid worker's rows", () => {
  const [own, other] = grids.filter((g) => g.residents.length > 0 && g.mediation.cases.length > 0) as [(typeof grids)[number], (typeof grids)[number]];
  const mine = own.residents[0]!;
  const theirs = other.residents[0]!;
  const token = () => hub.tokenFor('grid-worker', { grids: [own.grid.code] });

  it('sees residents and cases of their own grid only; another grid lists nothing and counts nothing', async () => {
    const query = `{
      mine: resident(id: "${idOf(mine.idNumber)}") { id name }
      theirs: resident(id: "${idOf(theirs.idNumber)}") { id name }
      ownCase: case(id: "${own.mediation.cases[0]!.id}") { id }
      theirCase: case(id: "${other.mediation.cases[0]!.id}") { id }
      ownGrid: grid(code: "${own.grid.code}") { residents(first: 500) { totalCount edges { node { id } } } cases(first: 500) { totalCount edges { node { id } } } }
      otherGrid: grid(code: "${other.grid.code}") { residents(first: 500) { totalCount edges { node { id } } } cases(first: 500) { totalCount edges { node { id } } } }
    }`;
    const response = await postGraphQL<Record<string, any>>(hub.gatewayUrl, query, undefined, {
      authorization: `Bearer ${await token()}`,
      'x-hub-purpose': 'grid-service',
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.mine).toEqual({ id: idOf(mine.idNumber), name: mine.name });
    expect(response.data?.theirs).toBeNull();
    expect(response.data?.ownCase).toEqual({ id: own.mediation.cases[0]!.id });
    expect(response.data?.theirCase).toBeNull();
    expect(response.data?.ownGrid.residents.totalCount).toBe(own.residents.length);
    expect(response.data?.ownGrid.residents.edges).toHaveLength(own.residents.length);
    expect(response.data?.ownGrid.cases.totalCount).toBe(own.mediation.cases.length);
    expect(response.data?.ownGrid.cases.edges).toHaveLength(own.mediation.cases.length);
    expect(response.data?.otherGrid).toEqual({ residents: { totalCount: 0, edges: [] }, cases: { totalCount: 0, edges: [] } });
  });

  it('is held by the subgraph itself: a validly signed internal token for a low-privilege caller gains nothing', async () => {
    const caller = (role: DemoRole, overrides: Partial<Caller>): Caller => ({
      userId: `direct-${role}`,
      role,
      department: DEMO_ROLES[role].department,
      scopes: [...DEMO_ROLES[role].scopes],
      purpose: null,
      grids: [],
      communities: [],
      ownGridsOnly: DEMO_ROLES[role].ownGridsOnly,
      namesMasked: DEMO_ROLES[role].namesMasked,
      ...overrides,
    });
    const direct = async (c: Caller) =>
      postGraphQL<Record<string, any>>(
        hub.subgraphs['public-security']!.url,
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id name idNumber phone registeredAddress } } }`,
        { reps: [mine, theirs].map((r) => ({ __typename: 'Resident', id: idOf(r.idNumber) })) },
        async (body) => ({ [CALLER_HEADER]: await signCallerToken(c, 'public-security', hub.internalKeys.privateKey, { body }) }),
      );
    const worker = await direct(caller('grid-worker', { grids: [own.grid.code] }));
    // A person on the register outside the caller's grids: null, and said so (the gateway nulls a reference there).
    expect(worker.errors?.map((e) => ({ code: e.extensions?.code, path: e.path }))).toEqual([{ code: 'OUTSIDE_SCOPE', path: ['_entities', 1] }]);
    expect(worker.data?._entities).toEqual([
      {
        id: idOf(mine.idNumber),
        name: mine.name,
        idNumber: maskIdNumber(mine.idNumber),
        phone: mine.phone && maskPhone(mine.phone),
        registeredAddress: maskAddress(mine.registeredAddress),
      },
      null,
    ]);
    const analyst = await direct(caller('district-analyst', { purpose: 'statistics' }));
    expect(analyst.data?._entities[0]).toMatchObject({ name: maskName(mine.name), idNumber: maskIdNumber(mine.idNumber), registeredAddress: null });
    // The analyst holds no resident:address: the subgraph refuses it at every entity, as the gateway would.
    expect(analyst.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([0, 1].map((i) => [['_entities', i, 'registeredAddress'], 'FORBIDDEN']));
  });
});

describe('recording group-rental remediation (grouprental:write), role by role', () => {
  // Who records remediation in practice: the housing department, and the grid worker who visits (own grids only).
  const writers = new Set<DemoRole>(['grid-worker', 'housing-officer', 'administrator']);
  const rentals = grids.flatMap((g) => g.housing.groupRentals.filter((r) => r.status === 'RECTIFIED').map((r) => ({ id: r.id, grid: g.grid.code })));
  const other = (grid: string) => grids.find((g) => g.grid.code !== grid && g.housing.groupRentals.length > 0)!.grid.code;
  const RECORD = `mutation ($input: RecordGroupRentalRemediationInput!) { recordGroupRentalRemediation(input: $input) { replayed event { action toStatus } groupRental { id status } } }`;

  it.each(Object.keys(DEMO_ROLES) as DemoRole[])('%s', async (role) => {
    // A compliant re-inspection leaves the rental rectified, so every role probes the same kind of change.
    const rental = rentals[(Object.keys(DEMO_ROLES) as DemoRole[]).indexOf(role) % rentals.length]!;
    const record = async (grids: string[]) => {
      const claims = DEMO_ROLES[role].ownGridsOnly ? { grids } : {};
      const input = { idempotencyKey: `matrix-${role}-${grids.join('')}`, groupRentalId: rental.id, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 2 };
      return postGraphQL<Record<string, any>>(hub.gatewayUrl, RECORD, { input }, { authorization: `Bearer ${await hub.tokenFor(role, claims)}` });
    };
    const response = await record([rental.grid]);
    if (!writers.has(role)) {
      expect(response.errors?.map((e) => [e.extensions?.code, e.extensions?.missingScopes])).toEqual([['FORBIDDEN', ['grouprental:write']]]);
      expect(response.data?.recordGroupRentalRemediation ?? null).toBeNull();
      return;
    }
    expect(response.errors).toBeUndefined();
    expect(response.data?.recordGroupRentalRemediation).toMatchObject({ replayed: false, event: { action: 'REINSPECT', toStatus: 'RECTIFIED' }, groupRental: { id: rental.id } });
    if (DEMO_ROLES[role].ownGridsOnly) {
      // Row scope: a rental of another grid is as absent for writing as for reading.
      const outside = await record([other(rental.grid)]);
      expect(outside.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });
});
