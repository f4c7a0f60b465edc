import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { CALLER_HEADER, INTERNAL_TOKEN_KEY_BYTES, signCallerToken, subgraphTokenKey } from '../access/internal-token.ts';
import { generateSigningKeyPair } from '../access/keys.ts';
import { DEMO_ROLES, type Caller, type DemoRole, type RoleDefinition } from '../access/model.ts';
import type { BodyHeaders } from './graphql.ts';

/**
 * This test process's stand-in for the gateway's hub secret (HUB_INTERNAL_SECRET). A subgraph under test is created
 * with `callerKey: testCallerKeyFor(<its name>)`, its own derived key, and asked with `callerHeaders(<subgraph name>)`,
 * exactly as the gateway would ask it.
 */
export const testInternalSecret = createSecretKey(randomBytes(INTERNAL_TOKEN_KEY_BYTES));
export const testCallerKeyFor = (subgraph: string): KeyObject => subgraphTokenKey(testInternalSecret, subgraph);

/** An ES256 pair, for tests of the other way to sign (HUB_INTERNAL_PRIVATE_KEY / HUB_INTERNAL_PUBLIC_KEY). */
export const testInternalKeys = generateSigningKeyPair();
export const testCallerKey = testInternalKeys.publicKey;

/** A caller of a demo role (the administrator unless told), as the gateway would pass it on. */
export function testCaller(role: DemoRole = 'administrator', overrides: Partial<Caller> = {}): Caller {
  const definition: RoleDefinition = DEMO_ROLES[role];
  return {
    userId: `test-${role}`,
    role,
    department: definition.department,
    scopes: [...definition.scopes],
    purpose: null,
    grids: [],
    communities: [],
    ownGridsOnly: definition.ownGridsOnly,
    namesMasked: definition.namesMasked,
    ...(definition.unit !== undefined ? { unit: definition.unit } : {}),
    ...overrides,
  };
}

/**
 * The internal-token header for requests to the named subgraph, as `postGraphQL` takes it: each request is signed
 * for its own body when it is sent, with a fresh token id, as the gateway signs each attempt.
 */
export async function callerHeaders(subgraph: string, caller: Caller = testCaller()): Promise<BodyHeaders> {
  return async (body) => ({ [CALLER_HEADER]: await signCallerToken(caller, subgraph, testInternalSecret, { body }) });
}
