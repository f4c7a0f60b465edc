import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from './log.ts';

/**
 * A record a department writes to the audit trail itself: the events only it sees (an internal caller token it
 * refused, a notice its timer issued). The fields are those of `AuditRecordInput` in @hub/audit-trail (which depends
 * on this package, so the writer there satisfies `AuditSink` without this package knowing it).
 */
export interface DepartmentAuditRecord {
  occurredAt?: Date;
  /** Whom the event concerns: the subject a refused token claimed (`claimed:…`), or `system` for the hub's own write. */
  userId?: string | null;
  role?: string | null;
  department?: string | null;
  purpose?: string | null;
  eventType: 'INTERNAL_TOKEN_REFUSED' | 'SYSTEM_WRITE';
  operationName?: string | null;
  residentIds?: readonly string[];
  outcome: 'SUCCESS' | 'DENIED' | 'ERROR';
  errorCodes?: readonly string[];
  /** The subgraph, the reason, trace and request ids, what was written: redacted by the trail's writer, never a token. */
  details?: Record<string, unknown> | null;
}

/** Where a department's audit records go: `createAuditWriter(AUDIT_DATABASE_URL)` of @hub/audit-trail in a process. */
export interface AuditSink {
  /** Resolves once the record is committed, rejects when it is not. */
  write(record: DepartmentAuditRecord): Promise<unknown>;
}

/** A department's hand-off to the trail: records go out without the caller waiting, and none is dropped unsaid. */
export interface DepartmentAudit {
  /** Queues the record and returns at once; the write happens behind (the caller never waits on the audit database). */
  record(record: DepartmentAuditRecord): void;
  /** The records whose write has not succeeded yet, for tests and shutdown. */
  pending(): number;
  /** Waits until every queued record is written or given up on (after the retries), for tests. */
  settled(): Promise<void>;
  /**
   * For shutdown: waits up to `timeoutMs` for the queued records, then logs each one still unwritten at error level
   * (counted as lost) so the process can go.
   */
  close(timeoutMs?: number): Promise<void>;
}

export interface DepartmentAuditOptions {
  /** Most records held while the trail cannot be written (default 10,000); beyond, each one dropped is logged. */
  maxPending?: number;
  /** Wait before writing a failed batch again, doubled each time up to a minute (default 1 s). */
  retryMs?: number;
  /** Attempts per record before it is given up on (default 8: about four minutes of the audit database down). */
  attempts?: number;
  registry?: Registry;
}

/**
 * Delivery to the trail for a department, shaped by who waits: a refusal is answered before its record is written
 * (an attacker gains nothing from the audit database being slow, and a down one does not turn 401s into hangs), a
 * failed write is retried with backoff, and a record that cannot be written after the retries, or finds the queue
 * full, is logged at error level with its fields (redacted like every log line) and counted in
 * `hub_audit_records_lost_total`, so the log keeps what the trail could not. Without a sink (no AUDIT_DATABASE_URL)
 * records are only counted as unwritten, and the service said at start that it has no trail.
 */
export function createDepartmentAudit(sink: AuditSink | undefined, logger: Logger, options: DepartmentAuditOptions = {}): DepartmentAudit {
  const maxPending = options.maxPending ?? 10_000;
  const retryMs = options.retryMs ?? 1000;
  const attempts = options.attempts ?? 8;
  const registers = options.registry ? [options.registry] : [];
  const written = new Counter({ name: 'hub_audit_records_written_total', help: 'Audit records this department wrote to the trail itself', labelNames: ['event'] as const, registers });
  const lost = new Counter({
    name: 'hub_audit_records_lost_total',
    help: 'Audit records this department could not write to the trail (logged at error level instead), by why',
    labelNames: ['event', 'why'] as const,
    registers,
  });
  const inFlight = new Set<DepartmentAuditRecord>();
  const waiters: (() => void)[] = [];
  new Gauge({
    name: 'hub_audit_records_pending',
    help: 'Audit records waiting to be written (or retried)',
    registers,
    collect() {
      this.set(inFlight.size);
    },
  });

  const done = (record: DepartmentAuditRecord) => {
    inFlight.delete(record);
    if (inFlight.size === 0) for (const wake of waiters.splice(0)) wake();
  };
  const giveUp = (record: DepartmentAuditRecord, why: 'unwritable' | 'queue-full' | 'no-trail' | 'shutdown', error?: unknown) => {
    lost.inc({ event: record.eventType, why });
    if (why === 'no-trail') return;
    logger.error('audit record not written to the trail', {
      why,
      error: error instanceof Error ? error.message : error === undefined ? undefined : String(error),
      record: { ...record, occurredAt: record.occurredAt?.toISOString() },
    });
  };

  async function deliver(record: DepartmentAuditRecord, sinkOf: AuditSink): Promise<void> {
    let wait = retryMs;
    for (let attempt = 1; ; attempt++) {
      // Given up on at shutdown meanwhile: already in the error log.
      if (!inFlight.has(record)) return;
      try {
        await sinkOf.write(record);
        written.inc({ event: record.eventType });
        return;
      } catch (error) {
        if (attempt >= attempts) return giveUp(record, 'unwritable', error);
        if (attempt === 1) logger.warn('audit trail not writable, retrying', { event: record.eventType, error: error instanceof Error ? error.message : String(error) });
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
        wait = Math.min(wait * 2, 60_000);
      }
    }
  }

  return {
    record(input) {
      // The time is the event's, not the write's: a retried record keeps when it happened.
      const record = { ...input, occurredAt: input.occurredAt ?? new Date() };
      if (!sink) return giveUp(record, 'no-trail');
      if (inFlight.size >= maxPending) return giveUp(record, 'queue-full');
      inFlight.add(record);
      void deliver(record, sink).finally(() => done(record));
    },
    pending: () => inFlight.size,
    settled,
    async close(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      for (const record of [...inFlight]) {
        giveUp(record, 'shutdown');
        done(record);
      }
    },
  };

  function settled(): Promise<void> {
    return inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
  }
}
