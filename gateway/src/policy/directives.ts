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

/**
 * What a field needs, read from Federation's authorization directives as composition keeps them in the supergraph:
 * `@authenticated`, `@requiresScopes(scopes: [[String]])`, `@policy(policies: [[String]])`. A list of lists means
 * any inner list, all of its members: [["a", "b"], ["c"]] is (a and b) or c. A field's needs are its own and those
 * of the type it returns; all must hold.
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
    const name = directive.name.value;
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

/** `Type.field` → what reading it needs, for every field of every object and interface type that needs anything. */
export function buildPolicyIndex(schema: GraphQLSchema): PolicyIndex {
  const typeNeeds = (type: GraphQLNamedType): Requirement => fromDirectives(type.astNode?.directives);
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
