import { isCommunityCode, isGridCode } from '../codes/places.ts';
import { HttpError } from '../http.ts';
import { isPurpose, type Caller } from './model.ts';
import type { RoleRegistry } from './roles.ts';

/** The stable codes of the refusals answered before GraphQL runs, as `{ error, code }` JSON. */
export const AccessCode = {
  /** No `Authorization: Bearer …` header. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** Malformed, wrongly signed, an algorithm other than RS256/ES256, an untrusted issuer or another audience. */
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  /** A `role` claim naming no configured role. */
  TOKEN_ROLE_UNKNOWN: 'TOKEN_ROLE_UNKNOWN',
  /** A claim of the wrong shape: no subject, a malformed grid code, a grid worker without grids. */
  TOKEN_CLAIMS_INVALID: 'TOKEN_CLAIMS_INVALID',
  /** A declared purpose that the caller's role may not declare (or that does not exist). */
  PURPOSE_NOT_ALLOWED: 'PURPOSE_NOT_ALLOWED',
  /** Different purposes in the `x-hub-purpose` header and in `extensions.purpose`. */
  PURPOSE_CONFLICT: 'PURPOSE_CONFLICT',
  /** The identity provider's key set could not be fetched: the hub cannot tell, so it refuses. */
  IDENTITY_PROVIDER_UNAVAILABLE: 'IDENTITY_PROVIDER_UNAVAILABLE',
  /** At a subgraph: no internal token from the gateway. */
  INTERNAL_TOKEN_MISSING: 'INTERNAL_TOKEN_MISSING',
  /** At a subgraph: an internal token not signed by the gateway's key, for another subgraph or another request body, or malformed. */
  INTERNAL_TOKEN_INVALID: 'INTERNAL_TOKEN_INVALID',
  INTERNAL_TOKEN_EXPIRED: 'INTERNAL_TOKEN_EXPIRED',
  /** At a subgraph: an internal token used before (each is good for one request): a security event, logged. */
  INTERNAL_TOKEN_REPLAYED: 'INTERNAL_TOKEN_REPLAYED',
  /** At a subgraph (503): it remembers too many recent token ids to accept another until some expire. */
  INTERNAL_TOKEN_CAPACITY: 'INTERNAL_TOKEN_CAPACITY',
} as const;
export type AccessCode = (typeof AccessCode)[keyof typeof AccessCode];

/**
 * A request refused for who is asking or why. `reason` is for the audit trail and the log (which check failed);
 * the message is what the client is told.
 */
export class AccessRefusal extends HttpError {
  constructor(
    status: 401 | 403 | 400 | 503,
    readonly accessCode: AccessCode,
    message: string,
    readonly reason: string = accessCode,
  ) {
    const error = status === 401 && accessCode !== AccessCode.TOKEN_MISSING ? ', error="invalid_token"' : '';
    super(status, message, accessCode, status === 401 ? { 'www-authenticate': `Bearer realm="governance-hub"${error}` } : {});
  }
}

const MAX_PLACES = 2000;

const claimsInvalid = (message: string) => new AccessRefusal(401, AccessCode.TOKEN_CLAIMS_INVALID, message, 'claims');

/**
 * The caller a verified token describes: the role's scopes and flags from the hub's configuration (never from the
 * token), the places the caller answers for from the token. The purpose is declared per request, later.
 */
export function callerFromClaims(claims: Record<string, unknown>, roles: RoleRegistry): Caller {
  const { sub, role: roleName, department, grids = [], communities = [], unit = null } = claims;
  if (typeof sub !== 'string' || sub === '' || sub.length > 256) throw claimsInvalid('the token names no subject (sub)');
  if (typeof roleName !== 'string' || roleName === '') throw claimsInvalid('the token names no role (role)');
  const role = Object.hasOwn(roles, roleName) ? roles[roleName] : undefined;
  if (!role) throw new AccessRefusal(401, AccessCode.TOKEN_ROLE_UNKNOWN, `role "${roleName.slice(0, 64)}" is not a role of this hub`, 'role');
  if (department !== undefined && department !== null) {
    if (typeof department !== 'string' || department === '' || department.length > 64) throw claimsInvalid('department must be a name');
    if (role.department !== null && department !== role.department) {
      throw claimsInvalid(`role ${roleName} belongs to ${role.department}, not to ${department}`);
    }
  }
  // The unit's code only: whether the directory holds it, and whether this department may act for it, is mediation's
  // to check against its configured directory (the gateway does not hold it).
  if (unit !== null && (typeof unit !== 'string' || !/^[A-Z][A-Z0-9_]{1,39}$/.test(unit))) {
    throw claimsInvalid('unit must be a handling unit code (capital letters, digits and _, 2 to 40 characters)');
  }
  const places = (value: unknown, claim: string, valid: (code: string) => boolean): string[] => {
    if (!Array.isArray(value) || value.length > MAX_PLACES || !value.every((v): v is string => typeof v === 'string' && valid(v))) {
      throw claimsInvalid(`${claim} must be an array of ${claim === 'grids' ? '15-digit grid' : '12-digit community'} codes`);
    }
    return [...new Set(value)];
  };
  const caller: Caller = {
    userId: sub,
    role: roleName,
    department: typeof department === 'string' ? department : role.department,
    scopes: [...role.scopes],
    purpose: null,
    grids: places(grids, 'grids', isGridCode),
    communities: places(communities, 'communities', isCommunityCode),
    ownGridsOnly: role.ownGridsOnly,
    namesMasked: role.namesMasked,
    // The token's unit, else the role's own (a station's officers act for the station).
    ...(unit !== null ? { unit } : role.unit !== undefined ? { unit: role.unit } : {}),
  };
  if (caller.ownGridsOnly && caller.grids.length === 0 && caller.communities.length === 0) {
    throw claimsInvalid(`role ${roleName} sees its own grids only, and the token names no grids or communities`);
  }
  return caller;
}

/** The caller with the purpose declared for this request, if the role may declare it; none declared is allowed. */
export function declarePurpose(caller: Caller, requested: string | null, roles: RoleRegistry): Caller {
  if (requested === null) return caller;
  const allowed = roles[caller.role]?.purposes ?? [];
  if (!isPurpose(requested)) {
    throw new AccessRefusal(403, AccessCode.PURPOSE_NOT_ALLOWED, `"${requested.slice(0, 64)}" is not a purpose; ${caller.role} may declare: ${allowed.join(', ') || 'none'}`, 'purpose');
  }
  if (!allowed.includes(requested)) {
    throw new AccessRefusal(403, AccessCode.PURPOSE_NOT_ALLOWED, `role ${caller.role} may not declare purpose ${requested}; it may declare: ${allowed.join(', ') || 'none'}`, 'purpose');
  }
  return { ...caller, purpose: requested };
}
