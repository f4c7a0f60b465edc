import {
  getNamedType,
  isObjectType,
  isInterfaceType,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type ValueNode,
} from 'graphql';
import type { Caller } from './model.ts';

/**
 * What a field needs, read from Federation's authorization directives: `@authenticated`,
 * `@requiresScopes(scopes: [[String]])`, `@policy(policies: [[String]])`, as composition keeps them in the supergraph
 * (the gateway) and as each department's schema.graphql declares them (the subgraph): the same rules over the same
 * directives, at both. A list of lists means any inner list, all of its members: [["a", "b"], ["c"]] is (a and b) or c.
 * A field's needs are its own and those of the type it returns; all must hold.
 */
export interface Requirement {
  authenticated: boolean;
  /** Each entry is one directive's alternatives; every entry must be met. */
  scopes: string[][][];
  policies: string[][][];
}

const EMPTY: Requirement = { authenticated: false, scopes: [], policies: [] };

function stringMatrix(value: ValueNode | undefined): string[][] {
  if (!value || value.kind !== Kind.LIST) return [];
  return value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [],
  );
}

function fromDirectives(directives: readonly ConstDirectiveNode[] | undefined): Requirement {
  const requirement: Requirement = { authenticated: false, scopes: [], policies: [] };
  for (const directive of directives ?? []) {
    // A subgraph that does not import a directive by name writes it with Federation's namespace.
    const name = directive.name.value.replace(/^federation__/, '');
    const arg = (argName: string) => directive.arguments?.find((a) => a.name.value === argName)?.value;
    if (name === 'authenticated') requirement.authenticated = true;
    if (name === 'requiresScopes') requirement.scopes.push(stringMatrix(arg('scopes')));
    if (name === 'policy') requirement.policies.push(stringMatrix(arg('policies')));
  }
  return requirement;
}

function merge(a: Requirement, b: Requirement): Requirement {
  return {
    authenticated: a.authenticated || b.authenticated,
    scopes: [...a.scopes, ...b.scopes],
    policies: [...a.policies, ...b.policies],
  };
}

const isEmpty = (r: Requirement) => !r.authenticated && r.scopes.length === 0 && r.policies.length === 0;

export type PolicyIndex = Map<string, Requirement>;

/** What a type itself needs: the directives on its definition and on every `extend type` of it. */
export function typeRequirement(type: GraphQLNamedType): Requirement {
  return [type.astNode, ...(type.extensionASTNodes ?? [])].reduce<Requirement>((needs, node) => merge(needs, fromDirectives(node?.directives)), EMPTY);
}

/** `Type.field` → what reading it needs, for every field of every object and interface type that needs anything. */
export function buildPolicyIndex(schema: GraphQLSchema): PolicyIndex {
  const typeNeeds = typeRequirement;
  const index: PolicyIndex = new Map();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const needs = merge(fromDirectives(field.astNode?.directives), typeNeeds(getNamedType(field.type)));
      if (!isEmpty(needs)) index.set(`${type.name}.${field.name}`, needs);
    }
  }
  return index;
}

export function requirementOf(index: PolicyIndex, typeName: string, fieldName: string): Requirement {
  return index.get(`${typeName}.${fieldName}`) ?? EMPTY;
}

export interface Grants {
  authenticated: boolean;
  scopes: ReadonlySet<string>;
  /** Whether a named policy holds for this request (purpose, department…). */
  policy(name: string): boolean;
}

/** What is missing for a caller to read a field, or null when nothing is. */
export function missingFor(requirement: Requirement, grants: Grants): { scopes: string[]; policies: string[]; authenticated: boolean } | null {
  const missingScopes: string[] = [];
  const missingPolicies: string[] = [];
  for (const alternatives of requirement.scopes) {
    if (!alternatives.some((all) => all.every((s) => grants.scopes.has(s)))) {
      // Name the cheapest alternative: the fewest scopes the caller lacks.
      const best = [...alternatives].sort(
        (a, b) => a.filter((s) => !grants.scopes.has(s)).length - b.filter((s) => !grants.scopes.has(s)).length,
      )[0];
      missingScopes.push(...(best ?? []).filter((s) => !grants.scopes.has(s)));
    }
  }
  for (const alternatives of requirement.policies) {
    if (!alternatives.some((all) => all.every((p) => grants.policy(p)))) {
      missingPolicies.push(...(alternatives[0] ?? []).filter((p) => !grants.policy(p)));
    }
  }
  const missingAuth = requirement.authenticated && !grants.authenticated;
  if (!missingAuth && missingScopes.length === 0 && missingPolicies.length === 0) return null;
  return { scopes: [...new Set(missingScopes)], policies: [...new Set(missingPolicies)], authenticated: missingAuth };
}

/**
 * What the authorization directives are checked against, the same at the gateway and in every department: the
 * caller's scopes; `@policy` names `purpose:<declared purpose>`, `role:<role>` and `department:<department>`.
 */
export function grantsOf(caller: Caller): Grants {
  const scopes = new Set<string>(caller.scopes);
  return {
    authenticated: true,
    scopes,
    policy: (name) => name === `purpose:${caller.purpose}` || name === `role:${caller.role}` || name === `department:${caller.department}`,
  };
}
