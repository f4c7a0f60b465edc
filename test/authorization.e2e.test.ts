import { ageOn } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busiestGrid, grids, idOf } from './world.ts';

/**
 * The schema's `@requiresScopes` policy, enforced by the gateway: a field the caller's role may not read comes back
 * null with a FORBIDDEN error at its path naming the missing scope, and the rest of the answer stands.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const keyPerson = grids.flatMap((g) => g.publicSecurity.keyPersons)[0]!;
const person = keyPerson.idNumber;
const grid = grids.find((g) => g.residents.some((r) => r.idNumber === person))!;

async function as(role: string, query: string, claims: Record<string, unknown> = {}, purpose?: string) {
  const token = await hub.tokenFor(role, claims);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(purpose ? { 'x-hub-purpose': purpose } : {}) };
  return postGraphQL<Record<string, unknown>>(hub.gatewayUrl, query, undefined, headers);
}

const forbidden = (response: Awaited<ReturnType<typeof as>>) =>
  (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => ({ path: e.path, missingScopes: e.extensions?.missingScopes }));

describe('field policy through the gateway', () => {
  const PROFILE = `{ resident(id: "${idOf(person)}") { name keyPerson { category } homes { role } welfare { kind } } }`;

  it('gives a police officer the key-person record but not housing or welfare', async () => {
    const response = await as('police-officer', PROFILE, {}, 'public-safety');
    expect(response.data?.resident).toEqual({ name: expect.any(String), keyPerson: { category: keyPerson.category }, homes: null, welfare: null });
    expect(forbidden(response)).toEqual([
      { path: ['resident', 'homes'], missingScopes: ['housing:read'] },
      { path: ['resident', 'welfare'], missingScopes: ['welfare:read'] },
    ]);
  });

  it('gives a housing officer homes but not the key-person record', async () => {
    const response = await as('housing-officer', PROFILE);
    expect(response.data?.resident).toMatchObject({ name: expect.any(String), keyPerson: null, welfare: null });
    expect(Array.isArray((response.data?.resident as { homes: unknown }).homes)).toBe(true);
    expect(forbidden(response)).toContainEqual({ path: ['resident', 'keyPerson'], missingScopes: ['keyperson:read'] });
  });

  it('gives an auditor the audit trail, only with the audit purpose declared (@policy)', async () => {
    const without = await as('auditor', '{ auditChainStatus { ok } }');
    expect(without.data).toEqual({ auditChainStatus: null });
    expect(without.errors?.[0]).toMatchObject({
      path: ['auditChainStatus'],
      extensions: { code: 'FORBIDDEN', missingPolicies: ['purpose:audit'] },
    });
  });

  it('gives an auditor the audit trail and nothing about residents', async () => {
    const response = await as('auditor', `{ auditChainStatus { ok } resident(id: "${idOf(person)}") { name } }`, {}, 'audit');
    expect(response.data).toEqual({ auditChainStatus: { ok: true }, resident: null });
    expect(forbidden(response)).toEqual([{ path: ['resident'], missingScopes: ['resident:read'] }]);
  });

  it('refuses the audit trail to everyone else, and keeps the rest of the answer', async () => {
    const response = await as('mediator', `{ grid(code: "${busiestGrid.grid.code}") { name } auditChainStatus { ok } }`);
    expect(response.data).toEqual({ grid: { name: busiestGrid.grid.name }, auditChainStatus: null });
    expect(forbidden(response)).toEqual([{ path: ['auditChainStatus'], missingScopes: ['audit:read'] }]);
  });

  it('denies a field inside a list at every position, and plans no fetch for it', async () => {
    hub.subgraphs['public-security']!.statements.reset();
    const response = await as(
      'party-affairs-worker',
      `{ grid(code: "${grid.grid.code}") { residents(first: 5) { edges { node { id keyPerson { category } } } } } }`,
    );
    const edges = ((response.data?.grid as { residents: { edges: { node: { keyPerson: unknown } }[] } }).residents.edges);
    expect(edges).toHaveLength(Math.min(5, grid.residents.length));
    for (const edge of edges) expect(edge.node.keyPerson).toBeNull();
    expect(forbidden(response).map((f) => f.path)).toEqual(edges.map((_, i) => ['grid', 'residents', 'edges', i, 'node', 'keyPerson']));
  });

  it('never serves one caller the plan made for another', async () => {
    const query = `{ resident(id: "${idOf(person)}") { keyPerson { category } } }`;
    // The category only with public safety declared (PIPL art. 28).
    const police = await as('police-officer', query, {}, 'public-safety');
    const housing = await as('housing-officer', query);
    const policeAgain = await as('police-officer', query, {}, 'public-safety');
    expect(police.data).toEqual({ resident: { keyPerson: { category: keyPerson.category } } });
    expect(housing.data).toEqual({ resident: { keyPerson: null } });
    expect(policeAgain.data).toEqual(police.data);
  });
});

describe("minors' data", () => {
  const ageOf = (birthDate: string) => ageOn(birthDate);
  const child = grids.flatMap((g) => g.residents).find((r) => ageOf(r.birthDate) < 12)!;
  const query = `{ resident(id: "${idOf(child.idNumber)}") { name birthDate age } }`;

  it("withholds a child's name and birth date without a declared purpose, even from a role that sees names", async () => {
    const response = await as('police-officer', query);
    expect(response.errors).toBeUndefined();
    expect(response.data?.resident).toEqual({ name: `${[...child.name][0]}${'*'.repeat([...child.name].length - 1)}`, birthDate: null, age: ageOf(child.birthDate) });
  });

  it('shows them with a purpose the role may declare', async () => {
    const token = await hub.tokenFor('police-officer');
    const response = await postGraphQL(hub.gatewayUrl, query, undefined, { authorization: `Bearer ${token}`, 'x-hub-purpose': 'public-safety' });
    expect(response.data?.resident).toEqual({ name: child.name, birthDate: child.birthDate, age: ageOf(child.birthDate) });
  });
});
