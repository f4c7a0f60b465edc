import type { IncomingMessage } from 'node:http';
import { AccessRefusal, callerFromClaims, declarePurpose, type GuardedRequest } from '@hub/core';
import { decodeJwt } from 'jose';
import type { GatewayContext } from './context.ts';
import { bearerToken, declaredPurpose, type TokenVerifier } from './identity.ts';
import type { RefusalEvent } from './refusals.ts';

/** Who is asking: the caller of a request, or an `AccessRefusal` (already reported) before GraphQL runs. */
export type Authenticate = (request: GuardedRequest) => Promise<GatewayContext>;

/**
 * The gateway's one identity check, for `/graphql` and `/datasets` alike: the bearer token verified, its claims made
 * a caller, the declared purpose checked against the caller's role. Every refusal is reported before it is thrown.
 */
export function createAuthenticator(verifier: TokenVerifier, reportRefusal: (event: RefusalEvent) => Promise<void>): Authenticate {
  return async function authenticate({ req, url, body }) {
    let token: string | undefined;
    let verified: Record<string, unknown> | undefined;
    let purpose: string | null = null;
    try {
      token = bearerToken(req);
      verified = await verifier.verify(token);
      const caller = callerFromClaims(verified, verifier.roles);
      purpose = await declaredPurpose(req, body, url);
      return { caller: declarePurpose(caller, purpose, verifier.roles) };
    } catch (error) {
      if (error instanceof AccessRefusal) await reportRefusal(refusalEvent(error, { req, url, token, verified, purpose }));
      throw error;
    }
  };
}

/** What is recorded of a refused request: how far its checks got, and what its token claims. */
function refusalEvent(
  error: AccessRefusal,
  { req, url, token, verified, purpose }: { req: IncomingMessage; url: URL; token: string | undefined; verified: Record<string, unknown> | undefined; purpose: string | null },
): RefusalEvent {
  const claimed = verified
    ? { subject: typeof verified.sub === 'string' ? verified.sub : null, role: typeof verified.role === 'string' ? verified.role : null }
    : unverifiedClaims(token);
  return {
    time: new Date().toISOString(),
    status: error.status,
    code: error.accessCode,
    reason: error.reason,
    ...claimed,
    subjectVerified: verified !== undefined,
    purpose: purpose?.slice(0, 64) ?? null,
    method: req.method ?? 'GET',
    path: url.pathname,
    remoteAddress: req.socket.remoteAddress ?? null,
  };
}

/** What a refused token claims about itself, unverified, for the audit trail only. */
function unverifiedClaims(token: string | undefined): { subject: string | null; role: string | null } {
  if (!token) return { subject: null, role: null };
  try {
    const { sub, role } = decodeJwt(token);
    return { subject: typeof sub === 'string' ? sub.slice(0, 128) : null, role: typeof role === 'string' ? role.slice(0, 64) : null };
  } catch {
    return { subject: null, role: null };
  }
}
