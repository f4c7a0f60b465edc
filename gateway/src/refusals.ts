import type { AuditRecordInput } from '@hub/audit-trail';
import type { AccessCode, Logger } from '@hub/core';
import type { AuditSink } from './audit.ts';

/**
 * A request refused before GraphQL ran (no token, a bad token, a purpose the role may not declare): what the audit
 * trail records of it. Never the token itself.
 */
export interface RefusalEvent {
  time: string;
  status: number;
  code: AccessCode;
  /** Which check failed: `missing`, `expired`, `not-before`, `signature`, `issuer`, `audience`, `algorithm`, `role`, … */
  reason: string;
  /** The subject the token names; `subjectVerified` is false when the token's signature or validity failed. */
  subject: string | null;
  subjectVerified: boolean;
  role: string | null;
  purpose: string | null;
  method: string;
  path: string;
  remoteAddress: string | null;
}

export type RefusalHook = (event: RefusalEvent) => void | Promise<void>;

/** The audit record of a refused request; the hub's own hook and any custom `onRefusal` write the same one. */
export function refusalAuditRecord(event: RefusalEvent): AuditRecordInput {
  return {
    occurredAt: new Date(event.time),
    // An unverified token's claims are recorded as claims, never as the caller: the subject says "claimed:".
    userId: event.subject === null ? null : event.subjectVerified ? event.subject : `claimed:${event.subject}`,
    role: event.role,
    purpose: event.purpose,
    eventType: 'TOKEN_REFUSED',
    operationName: `${event.method} ${event.path}`,
    outcome: 'DENIED',
    errorCodes: [event.code],
  };
}

/**
 * Who is told of a refusal: the given hook, or by default one redacted JSON log line and the audit record. Awaited
 * before the refusal is answered; a hook that fails is logged, and the request is refused all the same.
 */
export function refusalReporter(hook: RefusalHook | undefined, audit: AuditSink, logger: Logger): (event: RefusalEvent) => Promise<void> {
  const onRefusal =
    hook ??
    (async (event: RefusalEvent) => {
      logger.warn('request refused', { ...event });
      await audit.write(refusalAuditRecord(event));
    });
  return async function reportRefusal(event) {
    try {
      await onRefusal(event);
    } catch (error) {
      logger.error('the refusal hook failed', { code: event.code, error: error instanceof Error ? error.message : String(error) });
    }
  };
}
