import { CALLER_HEADER, DEMO_ROLES, signCallerToken, type Caller, type RoleRegistry } from '@hub/core';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { grids, idOf, residentByIdNumber } from './world.ts';

/**
 * No parent lost to a refused reference: every reference from a record a grid worker may see to a person they may
 * not (the person lives outside their grids) arrives as null with OUTSIDE_SCOPE at the reference's path, and the
 * record itself, with its other fields, arrives whole. The people are moved out of the worker's grid on the
 * register (public security's database), as when someone moves house: the referring records stay in the grid.
 */
let hub: TestHub;
/**
 * The demo roles limited to their grids (grid workers) may read neither welfare nor key persons; a deployment may
 * define one that does (`HUB_ROLES_FILE`). This gateway, over the same departments, knows such a role.
 */
let limitedGateway: { url: string; close(): Promise<void> };
const LIMITED_ROLE = 'community-welfare-officer';
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  const roles: RoleRegistry = {
    ...DEMO_ROLES,
    [LIMITED_ROLE]: {
      description: 'welfare and key persons of the grids in the token (a test role)',
      department: null,
      scopes: ['resident:read', 'welfare:read', 'keyperson:read'],
      purposes: ['welfare-review', 'public-safety'],
      ownGridsOnly: true,
      namesMasked: false,
    },
  };
  limitedGateway = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    identity: { ...hub.gatewayAccess.identity!, roles },
  }).listen(0);
});
afterAll(async () => {
  await limitedGateway?.close();
  await hub?.close();
});

const has = <T>(value: T | null | undefined, what: string): T => {
  if (value == null) throw new Error(`the test district has no ${what}`);
  return value;
};

// Each reference's record, in the grid the worker is given (its own), and the person it names.
const ownersCommittee = has(grids.flatMap((g) => g.housing.ownersCommittees.map((oc) => ({ g, oc })))[0], 'owners committee');
const socialOrganization = has(grids.flatMap((g) => g.civilAffairs.socialOrganizations.map((so) => ({ g, so })))[0], 'social organization');
const worker = has(grids.flatMap((g) => g.workers.map((w) => ({ g, w })))[0], 'grid worker');
const member = has(grids.flatMap((g) => g.party.members.map((m) => ({ g, m })))[0], 'party member');
const branch = has(grids.flatMap((g) => g.party.organizations.filter((o) => o.secretaryIdNumber && o.servesGridCode === g.grid.code).map((o) => ({ g, o })))[0], 'branch with a secretary');
const title = has(grids.flatMap((g) => g.housing.ownerships.filter((o) => o.ownerIdNumber).map((o) => ({ g, o })))[0], 'title held by a person');
const lease = has(
  grids.flatMap((g) => g.housing.tenancies.filter((t) => t.landlordIdNumber && t.occupantIdNumbers.length >= 2).map((t) => ({ g, t })))[0],
  'lease with a person as landlord and two occupants',
);
const mediatorOf = new Map(grids.flatMap((g) => g.mediation.mediators.map((m) => [m.id, m] as const)));
const disputed = has(
  grids.flatMap((g) => g.mediation.cases.filter((c) => c.parties.some((p) => p.idNumber) && c.mediatorId && mediatorOf.get(c.mediatorId)?.idNumber).map((c) => ({ g, c })))[0],
  'case with a person as party and a mediator on the register',
);
const entitlement = has(grids.flatMap((g) => g.civilAffairs.welfare.map((w) => ({ g, w })))[0], 'welfare entitlement');
const keyPerson = has(grids.flatMap((g) => g.publicSecurity.keyPersons.filter((k) => k.guardianIdNumber).map((k) => ({ g, k })))[0], 'key person with a guardian');

const party = disputed.c.parties.find((p) => p.idNumber)!;
const mediator = mediatorOf.get(disputed.c.mediatorId!)!;
const [movedOccupant, stayingOccupant] = lease.t.occupantIdNumbers as [string, string];

/** Everyone the tests move out of their grid. */
const moved = [
  ownersCommittee.oc.chairIdNumber,
  socialOrganization.so.legalRepresentativeIdNumber,
  worker.w.idNumber,
  member.m.idNumber,
  branch.o.secretaryIdNumber!,
  title.o.ownerIdNumber!,
  lease.t.landlordIdNumber!,
  movedOccupant,
  party.idNumber!,
  mediator.idNumber!,
  keyPerson.k.idNumber,
  keyPerson.k.guardianIdNumber!,
  entitlement.w.idNumber,
];

interface Reference {
  /** Who asks (default: a grid worker, through the hub's gateway). */
  as?: { role: string; purpose: string; gateway: () => string };
  name: string;
  /** The worker's own grids: where the record is (and where the person lived before moving, when elsewhere). */
  grids: string[];
  query: string;
  /** Where the reference stands in the answer. */
  path: (string | number)[];
  /** The person it names. */
  idNumber: string;
  /** Other places a moved person is named in the same answer (another entitlement of someone moved). */
  also?: (string | number)[][];
  /** A field of the record that must arrive whatever happens to the reference. */
  parent: (string | number)[];
  parentValue: unknown;
}

const references = (): Reference[] => [
  {
    name: "an owners' committee's chair",
    grids: [ownersCommittee.g.grid.code],
    query: `{ organization(id: "${ownersCommittee.oc.organizationId}") { id ownersCommittee { electedOn chair { id name } } } }`,
    path: ['organization', 'ownersCommittee', 'chair'],
    idNumber: ownersCommittee.oc.chairIdNumber,
    parent: ['organization', 'ownersCommittee', 'electedOn'],
    parentValue: ownersCommittee.oc.electedOn,
  },
  {
    name: "a social organization's legal representative",
    grids: [socialOrganization.g.grid.code],
    query: `{ organization(id: "${socialOrganization.so.organizationId}") { id socialOrganization { type legalRepresentative { id name } } } }`,
    path: ['organization', 'socialOrganization', 'legalRepresentative'],
    idNumber: socialOrganization.so.legalRepresentativeIdNumber,
    parent: ['organization', 'socialOrganization', 'type'],
    parentValue: socialOrganization.so.type,
  },
  {
    name: 'a grid worker as a resident',
    grids: [worker.g.grid.code],
    query: `{ grid(code: "${worker.g.grid.code}") { workers { name resident { id name } } } }`,
    path: ['grid', 'workers', worker.g.workers.indexOf(worker.w), 'resident'],
    idNumber: worker.w.idNumber,
    parent: ['grid', 'workers', worker.g.workers.indexOf(worker.w), 'name'],
    parentValue: worker.w.name,
  },
  {
    name: "a party member's resident",
    grids: [member.g.grid.code],
    query: `{ partyMember(residentId: "${idOf(member.m.idNumber)}") { memberNumber resident { id name } } }`,
    path: ['partyMember', 'resident'],
    idNumber: member.m.idNumber,
    parent: ['partyMember', 'memberNumber'],
    parentValue: member.m.memberNumber,
  },
  {
    name: "a branch's secretary",
    grids: [branch.g.grid.code],
    query: `{ partyOrganization(id: "${branch.o.organizationId}") { id secretary { id name } } }`,
    path: ['partyOrganization', 'secretary'],
    idNumber: branch.o.secretaryIdNumber!,
    parent: ['partyOrganization', 'id'],
    parentValue: branch.o.organizationId,
  },
  {
    name: "a title's owner",
    grids: [title.g.grid.code],
    query: `{ house(code: "${title.o.houseCode}") { owners { sharePercent owner { id name } } } }`,
    path: ['house', 'owners', ownerIndex(), 'owner'],
    idNumber: title.o.ownerIdNumber!,
    parent: ['house', 'owners', ownerIndex(), 'sharePercent'],
    parentValue: title.o.sharePercent,
  },
  {
    name: "a lease's landlord",
    grids: [lease.g.grid.code],
    query: `{ house(code: "${lease.t.houseCode}") { tenancies { id landlord { id name } } } }`,
    path: ['house', 'tenancies', leaseIndex(), 'landlord'],
    idNumber: lease.t.landlordIdNumber!,
    parent: ['house', 'tenancies', leaseIndex(), 'id'],
    parentValue: lease.t.id,
  },
  {
    name: "one of a lease's occupants",
    grids: [lease.g.grid.code],
    query: `{ house(code: "${lease.t.houseCode}") { tenancies { id occupants { id name } } } }`,
    path: ['house', 'tenancies', leaseIndex(), 'occupants', occupants.indexOf(idOf(movedOccupant))],
    idNumber: movedOccupant,
    parent: ['house', 'tenancies', leaseIndex(), 'occupants', occupants.indexOf(idOf(stayingOccupant)), 'name'],
    parentValue: residentByIdNumber.get(stayingOccupant)!.name,
  },
  {
    name: 'a party to a case',
    grids: [disputed.g.grid.code],
    query: `{ case(id: "${disputed.c.id}") { id parties { role resident { id name } } } }`,
    path: ['case', 'parties', disputed.c.parties.indexOf(party), 'resident'],
    idNumber: party.idNumber!,
    parent: ['case', 'parties', disputed.c.parties.indexOf(party), 'role'],
    parentValue: party.role,
  },
  {
    name: "a welfare entitlement's recipient",
    as: { role: LIMITED_ROLE, purpose: 'welfare-review', gateway: () => limitedGateway.url },
    grids: [entitlement.g.grid.code],
    query: `{ grid(code: "${entitlement.g.grid.code}") { welfareRecipients(first: 500) { edges { node { id kind resident { id name } } } } } }`,
    path: ['grid', 'welfareRecipients', 'edges', entitlementIndex(), 'node', 'resident'],
    also: sortedWelfare()
      .flatMap((w, i) => (moved.includes(w.idNumber) && w !== entitlement.w ? [i] : []))
      .map((i) => ['grid', 'welfareRecipients', 'edges', i, 'node', 'resident']),
    idNumber: entitlement.w.idNumber,
    parent: ['grid', 'welfareRecipients', 'edges', entitlementIndex(), 'node', 'kind'],
    parentValue: entitlement.w.kind,
  },
  {
    name: "a key person's resident",
    as: { role: LIMITED_ROLE, purpose: 'public-safety', gateway: () => limitedGateway.url },
    grids: [keyPerson.g.grid.code],
    query: `{ grid(code: "${keyPerson.g.grid.code}") { keyPersons(first: 500) { edges { node { id riskLevel resident { id name } } } } } }`,
    path: ['grid', 'keyPersons', 'edges', keyPersonIndex(), 'node', 'resident'],
    idNumber: keyPerson.k.idNumber,
    parent: ['grid', 'keyPersons', 'edges', keyPersonIndex(), 'node', 'riskLevel'],
    parentValue: keyPerson.k.riskLevel,
  },
  {
    name: "a key person's guardian",
    as: { role: LIMITED_ROLE, purpose: 'public-safety', gateway: () => limitedGateway.url },
    grids: [keyPerson.g.grid.code],
    query: `{ grid(code: "${keyPerson.g.grid.code}") { keyPersons(first: 500) { edges { node { id riskLevel guardian { id name } } } } } }`,
    path: ['grid', 'keyPersons', 'edges', keyPersonIndex(), 'node', 'guardian'],
    idNumber: keyPerson.k.guardianIdNumber!,
    parent: ['grid', 'keyPersons', 'edges', keyPersonIndex(), 'node', 'riskLevel'],
    parentValue: keyPerson.k.riskLevel,
  },
  {
    name: "a case's mediator as a resident",
    // Mediators serve cases of many grids: the worker is given the one the mediator lives in too, until the move.
    grids: [disputed.g.grid.code, residentByIdNumber.get(mediator.idNumber!)!.gridCode],
    query: `{ case(id: "${disputed.c.id}") { id mediator { id resident { id name } } } }`,
    path: ['case', 'mediator', 'resident'],
    idNumber: mediator.idNumber!,
    parent: ['case', 'mediator', 'id'],
    parentValue: mediator.id,
  },
];

// Positions in the graph's order: titles, leases and occupants as the house lists them.
let owners: string[] = [];
let leases: string[] = [];
let occupants: string[] = [];
function sortedWelfare() {
  return [...entitlement.g.civilAffairs.welfare].sort((a, b) => (a.id < b.id ? -1 : 1));
}
function entitlementIndex() {
  return sortedWelfare().indexOf(entitlement.w);
}
function keyPersonIndex() {
  return [...keyPerson.g.publicSecurity.keyPersons].sort((a, b) => (a.id < b.id ? -1 : 1)).indexOf(keyPerson.k);
}
function ownerIndex() {
  return owners.indexOf(idOf(title.o.ownerIdNumber!));
}
function leaseIndex() {
  return leases.indexOf(lease.t.id);
}

const at = (data: unknown, path: (string | number)[]) => path.reduce<any>((value, step) => (value == null ? undefined : value[step]), data);

async function ask(reference: Reference) {
  const { role, purpose, gateway } = reference.as ?? { role: 'grid-worker', purpose: 'grid-service', gateway: () => hub.gatewayUrl };
  const token = await hub.tokenFor(role, { grids: [...new Set(reference.grids)] });
  return postGraphQL<Record<string, any>>(gateway(), reference.query, undefined, { authorization: `Bearer ${token}`, 'x-hub-purpose': purpose });
}

describe('references to people outside a grid worker’s grids', () => {
  it('resolve to the person while the person lives in the grid', async () => {
    const titleHouse = await postGraphQL<Record<string, any>>(hub.gatewayUrl, `{ house(code: "${title.o.houseCode}") { owners { owner { id } } } }`, undefined, hub.headers);
    owners = titleHouse.data?.house.owners.map((o: { owner: { id: string } | null }) => o.owner?.id);
    const leaseHouse = await postGraphQL<Record<string, any>>(hub.gatewayUrl, `{ house(code: "${lease.t.houseCode}") { tenancies { id occupants { id } } } }`, undefined, hub.headers);
    leases = leaseHouse.data?.house.tenancies.map((t: { id: string }) => t.id);
    occupants = leaseHouse.data?.house.tenancies[leaseIndex()].occupants.map((o: { id: string }) => o.id);
    for (const reference of references()) {
      const response = await ask(reference);
      expect(response.errors, reference.name).toBeUndefined();
      expect(at(response.data, reference.path), reference.name).toEqual({ id: idOf(reference.idNumber), name: residentByIdNumber.get(reference.idNumber)!.name });
      expect(at(response.data, reference.parent), reference.name).toEqual(reference.parentValue);
    }
  });

  it('are null with OUTSIDE_SCOPE at their path once the person lives elsewhere; the record arrives whole', async () => {
    const elsewhere = grids.find((g) => !references().some((r) => r.grids.includes(g.grid.code)))!.grid.code;
    const db = new pg.Client({ connectionString: hub.databaseUrls['public-security'] });
    await db.connect();
    try {
      const { rowCount } = await db.query('update residents set grid_code = $1 where id = any($2)', [elsewhere, moved.map((n) => idOf(n))]);
      expect(rowCount).toBe(new Set(moved).size);
    } finally {
      await db.end();
    }
    for (const reference of references()) {
      const response = await ask(reference);
      expect(at(response.data, reference.path), reference.name).toBeNull();
      expect(at(response.data, reference.parent), reference.name).toEqual(reference.parentValue);
      const paths = [reference.path, ...(reference.also ?? [])];
      for (const path of paths) expect(at(response.data, path), reference.name).toBeNull();
      const errors = response.errors?.map((e) => ({ code: e.extensions?.code, path: e.path }));
      expect(errors, reference.name).toHaveLength(paths.length);
      expect(errors, reference.name).toEqual(expect.arrayContaining(paths.map((path) => ({ code: 'OUTSIDE_SCOPE', path }))));
      // The refusal names no one.
      expect(JSON.stringify(response.errors)).not.toContain(idOf(reference.idNumber));
    }
  });

  it("leave a key person's record whole at public security for a caller limited to grids: resident and guardian withheld", async () => {
    const caller: Caller = {
      userId: 'direct-limited-officer',
      role: 'police-officer',
      department: DEMO_ROLES['police-officer'].department,
      scopes: [...DEMO_ROLES['police-officer'].scopes],
      purpose: 'public-safety',
      grids: [keyPerson.g.grid.code],
      communities: [],
      ownGridsOnly: true,
      namesMasked: false,
    };
    const response = await postGraphQL<Record<string, any>>(
      hub.subgraphs['public-security']!.url,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { keyPersons(first: 500) { edges { node { id riskLevel category resident { id } guardian { id } } } } } } }`,
      { reps: [{ __typename: 'Grid', code: keyPerson.g.grid.code }] },
      async (body) => ({ [CALLER_HEADER]: await signCallerToken(caller, 'public-security', hub.internalKeys.privateKey, { body }) }),
    );
    const edges = response.data?._entities[0].keyPersons.edges as { node: Record<string, unknown> }[];
    const i = edges.findIndex((e) => e.node.id === keyPerson.k.id);
    expect(edges[i]!.node).toEqual({ id: keyPerson.k.id, riskLevel: keyPerson.k.riskLevel, category: keyPerson.k.category, resident: null, guardian: null });
    const prefix = ['_entities', 0, 'keyPersons', 'edges', i, 'node'];
    expect(response.errors?.filter((e) => e.path?.[4] === i).map((e) => ({ code: e.extensions?.code, path: e.path }))).toEqual([
      { code: 'OUTSIDE_SCOPE', path: [...prefix, 'resident'] },
      { code: 'OUTSIDE_SCOPE', path: [...prefix, 'guardian'] },
    ]);
  });
});
