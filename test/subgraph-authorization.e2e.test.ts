import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  buildPolicyIndex,
  CALLER_HEADER,
  DEMO_ROLES,
  departments,
  grantsOf,
  missingFor,
  requirementOf,
  signCallerToken,
  type Caller,
  type DemoRole,
  type PolicyIndex,
} from '@hub/core';
import { postGraphQL, type GraphQLResponse } from '@hub/core/testing';
import { DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cases, PROBES, PURPOSE, roles, writeCaseRecords, type Probe } from './authorization-matrix.ts';
import { busiestGrid, grids, idOf, world } from './world.ts';

/**
 * Every department enforces the schema's authorization directives itself: each subgraph is asked directly, with a
 * valid internal token of every demo role (with and without its purpose), as a compromised gateway or a leaked
 * token would ask it, and must refuse exactly what the gateway refuses.
 *
 * 1. The hand-written matrix (`authorization-matrix.ts`, the gateway's own test table) at the department that owns
 *    each category's field, through an entity fetch: clear, masked or refused, as at the gateway.
 * 2. Every guarded field of every subgraph, listed from the directives in its schema.graphql (a new guarded field is
 *    covered without touching this file): FORBIDDEN at the subgraph exactly where the gateway's policy over the
 *    committed supergraph refuses it. Root fields (mutations too) and entity fields (`_entities`) alike; each probed
 *    field carries `@include(if: false)`, so nothing is read or written, and a refusal is all there is to see.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  await writeCaseRecords(hub.databaseUrls.mediation!);
});
afterAll(async () => {
  await hub?.close();
});

/** The caller a gateway would sign: the role's scopes and flags; a grid worker answers for `ownGrids`. */
function callerOf(role: DemoRole, purpose: string | null, ownGrids: string[]): Caller {
  const definition = DEMO_ROLES[role];
  return {
    userId: `direct-${role}`,
    role,
    department: definition.department,
    scopes: [...definition.scopes],
    purpose: purpose as Caller['purpose'],
    grids: definition.ownGridsOnly ? ownGrids : [],
    communities: [],
    ownGridsOnly: definition.ownGridsOnly,
    namesMasked: definition.namesMasked,
    ...('unit' in definition ? { unit: definition.unit } : {}),
  };
}

/** Asks one subgraph directly, with a valid internal token for this very request. */
function askSubgraph<T = Record<string, any>>(subgraph: string, caller: Caller, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(hub.subgraphs[subgraph]!.url, query, variables, async (body) => ({
    [CALLER_HEADER]: await signCallerToken(caller, subgraph, hub.internalKeys.privateKey, { body }),
  }));
}

const forbidden = (response: GraphQLResponse<unknown>) => (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');
const others = (response: GraphQLResponse<unknown>) => (response.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');

const schemaOf = (name: string): GraphQLSchema =>
  buildSubgraphSchema({ typeDefs: parse(readFileSync(new URL(`../subgraphs/${name}/schema.graphql`, import.meta.url), 'utf8')) });
const subgraphSchemas = new Map(departments.map((d) => [d.name, schemaOf(d.name)]));

describe('the authorization matrix, at the department that owns each field (asked directly)', () => {
  /** The department whose `Resident` defines the probe's first field. */
  const ownerOf = (probe: Probe): string => {
    const field = probe.query.split(/[\s{]/)[0]!;
    const owners = [...subgraphSchemas].filter(([, schema]) => (schema.getType('Resident') as GraphQLObjectType | undefined)?.getFields()[field]);
    expect(owners.map(([name]) => name), `one department owns Resident.${field}`).toHaveLength(1);
    return owners[0]![0];
  };

  it.each(cases)('$role, $category, purpose $purpose: $expected', async ({ role, category, purpose, expected }) => {
    const probe = PROBES[category];
    const subgraph = ownerOf(probe);
    const caller = callerOf(role, purpose, [probe.resident.gridCode]);
    const response = await askSubgraph(subgraph, caller, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id ${probe.query} } } }`, {
      reps: [{ __typename: 'Resident', id: idOf(probe.resident.idNumber) }],
    });
    expect(others(response)).toEqual([]);
    const entity = response.data?._entities[0];
    const at = forbidden(response).map((e) => (e.path ?? []).filter((step) => typeof step === 'string').slice(1).join('.'));
    if (expected === 'refused') {
      // Where the gateway refuses the field (or, without resident:read, the resident above it), the department refuses the field.
      expect(at.some((path) => probe.refusedAt.some((where) => where.slice(1).join('.') === path))).toBe(true);
      expect(probe.read(entity)).toEqual(probe.refused);
      return;
    }
    expect(at).toEqual([]);
    expect(probe.read(entity)).toEqual(expected === 'clear' ? probe.clear : expected === 'withheld' ? probe.withheld : expected === 'absent' ? probe.absent : probe.masked);
    expect(probe.clear).not.toEqual(probe.masked);
  });
});

// --- every guarded field of every subgraph, against the gateway's policy over the supergraph ---

/** The gateway's rules: its policy index over the committed supergraph, as its policy plugin builds it. */
const gatewayIndex: PolicyIndex = buildPolicyIndex(buildSchema(readSupergraph(DEFAULT_SUPERGRAPH), { assumeValidSDL: true }));

/** A literal of an argument's type that passes validation; the field is never executed. */
function sampleLiteral(type: GraphQLInputType): string {
  const inner = getNullableType(type);
  if (isListType(inner)) return `[${sampleLiteral(inner.ofType)}]`;
  if (isEnumType(inner)) return inner.getValues()[0]!.name;
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${sampleLiteral(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(inner)) {
    const samples: Record<string, string> = { ID: '"x"', String: '"x"', Int: '1', Float: '1', Boolean: 'false', Date: '"2026-01-01"', DateTime: '"2026-01-01T00:00:00Z"' };
    const sample = samples[inner.name];
    if (sample === undefined) throw new Error(`no sample literal for scalar ${inner.name}: add one here`);
    return sample;
  }
  throw new Error(`no sample literal for ${String(type)}`);
}

/** `name(required args) @include(if: false) { __typename }`, under an alias unique in its selection. */
function probeSelection(alias: string, field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined).map((a) => `${a.name}: ${sampleLiteral(a.type)}`);
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  return `${alias}: ${field.name}${args.length ? `(${args.join(', ')})` : ''} @include(if: false)${selection}`;
}

interface FieldProbe {
  coordinate: string;
  /** The coordinates read from the root (or the entity) down to the probed field, itself last. */
  trail: string[];
  /** A non-null field refused nulls its parent, hiding any other refusal there: such probes go alone. */
  alone: boolean;
  kind: 'query' | 'mutation' | 'entity';
  /** The entity type a probe through `_entities` starts at. */
  entity?: string;
  /** The selection inside the root or the `... on Entity` fragment. */
  selection: string;
}

/** Where each guarded field of a subgraph is read from: its root, its entity, or a path from an entity to its type. */
function fieldProbes(schema: GraphQLSchema): FieldProbe[] {
  const entityUnion = schema.getType('_Entity');
  const entities = new Set(entityUnion && 'getTypes' in entityUnion ? (entityUnion.getTypes() as GraphQLObjectType[]).map((t) => t.name) : []);
  const index = buildPolicyIndex(schema);
  const probes: FieldProbe[] = [];
  let n = 0;
  for (const coordinate of index.keys()) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    // A department serves no subscription (its request guard refuses one): the gateway runs each as queries over the
    // feed (`Query.caseEvents`, `Query.myWork`), whose fields are probed here with the same requirements.
    if (typeName === 'Subscription') continue;
    const type = schema.getType(typeName) as GraphQLObjectType;
    const field = type.getFields()[fieldName]!;
    const alias = `p${n++}`;
    const alone = isNonNullType(field.type);
    if (typeName === 'Query' || typeName === 'Mutation') {
      probes.push({ coordinate, trail: [coordinate], alone, kind: typeName === 'Query' ? 'query' : 'mutation', selection: probeSelection(alias, field) });
    } else if (entities.has(typeName)) {
      probes.push({ coordinate, trail: [coordinate], alone, kind: 'entity', entity: typeName, selection: probeSelection(alias, field) });
    } else {
      const path = pathFromEntity(schema, entities, typeName);
      if (!path) throw new Error(`${coordinate}: no entity of this subgraph leads to ${typeName} through fields without required arguments`);
      const [entity, ...steps] = path;
      const open = steps.map((s) => `${s.split('.')[1]} {`).join(' ');
      probes.push({ coordinate, trail: [...steps, coordinate], alone, kind: 'entity', entity, selection: `${alias}: ${open} ${probeSelection(`${alias}x`, field)} ${'}'.repeat(steps.length)}` });
    }
  }
  return probes;
}

/** The shortest path of fields (no required arguments) from an entity type to `target`: [entity, 'Type.field', …]. */
function pathFromEntity(schema: GraphQLSchema, entities: Set<string>, target: string): [string, ...string[]] | undefined {
  const queue = [...entities].map((entity) => ({ at: entity, path: [entity] as [string, ...string[]] }));
  const seen = new Set(entities);
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const field of Object.values((schema.getType(next.at) as GraphQLObjectType).getFields())) {
      const type = getNamedType(field.type);
      if (!isObjectType(type) || field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
      const path: [string, ...string[]] = [...next.path, `${next.at}.${field.name}`];
      if (type.name === target) return path;
      if (!seen.has(type.name)) {
        seen.add(type.name);
        queue.push({ at: type.name, path });
      }
    }
  }
  return undefined;
}

/** What the gateway refuses of a probe for this caller: the first field along its trail its policy refuses. */
function gatewayRefusal(probe: FieldProbe, caller: Caller): string | undefined {
  const grants = grantsOf(caller);
  return probe.trail.find((coordinate) => {
    const [type, field] = coordinate.split('.') as [string, string];
    return missingFor(requirementOf(gatewayIndex, type, field), grants) !== null;
  });
}

/** One real record of each entity type, from the test district (the column pages are asked for below). */
function representations(
  columnPage: { page: string; ids: string[] },
  partyPage: { page: string; residentIds: string[] },
  carePage: { page: string; residentIds: string[] },
  otherPages: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const g = busiestGrid;
  const withWelfare = grids.flatMap((c) => c.civilAffairs.welfare).find((w) => w.disabilityCertificateNumber)!;
  const first = <T>(list: T[], what: string): T => {
    if (!list[0]) throw new Error(`the test district has no ${what}`);
    return list[0];
  };
  return {
    Resident: { id: idOf(withWelfare.idNumber) },
    Grid: { code: g.grid.code },
    Community: { code: g.grid.code.slice(0, 12) },
    Street: { code: g.grid.code.slice(0, 9) },
    District: { code: world.district.code },
    Organization: { id: first(grids.flatMap((c) => c.organizations), 'organization').id },
    House: { code: first(grids.flatMap((c) => c.houses), 'house').code },
    Building: { code: first(grids.flatMap((c) => c.buildings), 'building').code },
    GroupRental: { id: first(grids.flatMap((c) => c.housing.groupRentals), 'group rental').id },
    Case: { id: first(grids.flatMap((c) => c.mediation.cases), 'case').id },
    Incident: { id: first(grids.flatMap((c) => c.publicSecurity.incidents), 'incident').id },
    Household: { id: first(g.residents, 'resident').householdId },
    ResidentColumns: columnPage,
    PartyMemberColumns: partyPage,
    CareRecordColumns: carePage,
    ...otherPages,
  };
}

/** The documents that probe a list of fields: one for the root fields of each kind, one `_entities` for the rest. */
function documentsOf(probes: FieldProbe[], reps: Record<string, Record<string, unknown>>): { query: string; variables?: Record<string, unknown> }[] {
  const documents: { query: string; variables?: Record<string, unknown> }[] = [];
  const groups = [...probes.filter((p) => !p.alone).reduce((all, p) => all.set(p.kind, [...(all.get(p.kind) ?? []), p]), new Map<string, FieldProbe[]>())];
  for (const [kind, group] of [...groups, ...probes.filter((p) => p.alone).map((p) => [p.kind, [p]] as const)]) {
    if (kind !== 'entity') {
      documents.push({ query: `${kind} { ${group.map((p) => p.selection).join(' ')} }` });
      continue;
    }
    const types = [...new Set(group.map((p) => p.entity!))];
    const fragments = types.map((t) => `... on ${t} { ${group.filter((p) => p.entity === t).map((p) => p.selection).join(' ')} }`);
    documents.push({
      query: `query ($reps: [_Any!]!) { _entities(representations: $reps) { __typename ${fragments.join(' ')} } }`,
      variables: {
        reps: types.map((t) => {
          if (!reps[t]) throw new Error(`no record of ${t} to probe its fields through _entities: add one to representations()`);
          return { __typename: t, ...reps[t] };
        }),
      },
    });
  }
  return documents;
}

describe('every guarded field of every subgraph, asked directly, refused exactly where the gateway refuses it', () => {
  const allGrids = grids.map((g) => g.grid.code);
  const callers = roles.flatMap((role) => [null, PURPOSE[role]].map((purpose) => ({ role, purpose, caller: callerOf(role, purpose, allGrids) })));
  const probesBySubgraph = new Map([...subgraphSchemas].map(([name, schema]) => [name, fieldProbes(schema)]));

  it('lists every field each schema guards, and the gateway refuses each of them to someone', () => {
    for (const [name, schema] of subgraphSchemas) {
      const probes = probesBySubgraph.get(name)!;
      // Subscription fields are the gateway's to serve (fieldProbes).
      const guarded = [...buildPolicyIndex(schema).keys()].filter((coordinate) => !coordinate.startsWith('Subscription.'));
      expect(probes.map((p) => p.coordinate).sort(), name).toEqual(guarded.sort());
      expect(probes.length, `${name} guards fields`).toBeGreaterThan(0);
    }
    // A field refused to no caller would test nothing, unless all it asks is a signed-in caller (`@authenticated`):
    // every caller a subgraph hears of is one, so those are the fields no role is refused.
    const refusedToNobody = [...probesBySubgraph.values()].flat().filter((p) => !callers.some(({ caller }) => gatewayRefusal(p, caller) === p.coordinate));
    for (const probe of refusedToNobody) {
      const [type, field] = probe.coordinate.split('.') as [string, string];
      expect(requirementOf(gatewayIndex, type, field), probe.coordinate).toEqual({ authenticated: true, scopes: [], policies: [] });
    }
    expect(refusedToNobody.length).toBeLessThan([...probesBySubgraph.values()].flat().length / 4);
  });

  it('guards every field it resolves that the gateway guards, with the same requirement (shared fields included)', () => {
    for (const [name, schema] of subgraphSchemas) {
      const index = buildPolicyIndex(schema);
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('_')) continue;
        for (const field of Object.values(type.getFields())) {
          // A field another department resolves (`@external`) is that department's to guard; `_entities` and `_service` are Federation's.
          if (field.name.startsWith('_') || field.astNode?.directives?.some((d) => d.name.value === 'external')) continue;
          const coordinate = `${type.name}.${field.name}`;
          expect(requirementOf(index, type.name, field.name), `${name}: ${coordinate}`).toEqual(requirementOf(gatewayIndex, type.name, field.name));
        }
      }
    }
  });

  describe.each(departments.map((d) => d.name))('%s', (name) => {
    let reps: Record<string, Record<string, unknown>>;
    beforeAll(async () => {
      const admin = callerOf('administrator', 'case-handling', []);
      const grid = busiestGrid.grid.code;
      const page = await askSubgraph<{ residentColumns: { page: string; ids: string[] } }>('public-security', admin, `{ residentColumns(gridCodes: ["${grid}"], first: 3) { page ids } }`);
      const party = await askSubgraph<{ partyMemberColumns: { page: string; residentIds: string[] } }>('party', admin, `{ partyMemberColumns(gridCodes: ["${grid}"], first: 3) { page residentIds } }`);
      const care = await askSubgraph<{ careRecordColumns: { page: string; residentIds: string[] } }>('civil-affairs', admin, `{ careRecordColumns(gridCodes: ["${grid}"], first: 3) { page residentIds } }`);
      const cases = await askSubgraph<{ caseColumns: { page: string } }>('mediation', admin, `{ caseColumns(gridCodes: ["${grid}"], first: 3) { page } }`);
      const rentals = await askSubgraph<{ groupRentalColumns: { page: string; ids: string[]; houseCodes: string[] } }>(
        'housing',
        admin,
        `{ groupRentalColumns(gridCodes: ["${grid}"], first: 3) { page ids houseCodes } }`,
      );
      const welfare = await askSubgraph<{ welfareEntitlementColumns: { page: string; residentIds: string[] } }>(
        'civil-affairs',
        admin,
        `{ welfareEntitlementColumns(gridCodes: ["${grid}"], first: 3) { page residentIds } }`,
      );
      for (const answer of [page, party, care, cases, rentals, welfare]) expect(answer.errors).toBeUndefined();
      reps = representations(page.data!.residentColumns, party.data!.partyMemberColumns, care.data!.careRecordColumns, {
        CaseColumns: cases.data!.caseColumns,
        GroupRentalColumns: rentals.data!.groupRentalColumns,
        WelfareEntitlementColumns: welfare.data!.welfareEntitlementColumns,
      });
    });

    it.each(callers.map((c) => [`${c.role}, purpose ${c.purpose}`, c] as const))('%s', async (_, { caller }) => {
      const probes = probesBySubgraph.get(name)!;
      const expected = new Set(probes.map((p) => gatewayRefusal(p, caller)).filter((c): c is string => c !== undefined));
      const refused = new Set<string>();
      for (const document of documentsOf(probes, reps)) {
        const response = await askSubgraph(name, caller, document.query, document.variables);
        expect(others(response), document.query).toEqual([]);
        for (const error of forbidden(response)) refused.add(String(error.extensions?.field));
      }
      expect([...refused].sort()).toEqual([...expected].sort());
    });
  });
});
