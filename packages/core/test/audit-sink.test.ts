import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDepartmentAudit, type AuditSink, type DepartmentAuditRecord } from '../src/audit-sink.ts';
import type { Logger } from '../src/log.ts';

/** A logger that keeps its lines, to see what a department says when the trail cannot take a record. */
function keptLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger };
}

/**
 * The audit database as a department sees it: takes records, or refuses them while `down` (as a pool whose server
 * is gone rejects the write), and holds a write open until `release` when `held`.
 */
function trail() {
  const records: DepartmentAuditRecord[] = [];
  const state = { down: false, held: null as Promise<void> | null, attempts: 0 };
  const sink: AuditSink = {
    async write(record) {
      state.attempts++;
      if (state.held) await state.held;
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      records.push(record);
      return { seq: records.length };
    },
  };
  return { sink, records, state };
}

const refusal = (n: number): DepartmentAuditRecord => ({
  eventType: 'INTERNAL_TOKEN_REFUSED',
  outcome: 'DENIED',
  errorCodes: ['INTERNAL_TOKEN_REPLAYED'],
  details: { subgraph: 'housing', reason: 'replay', requestId: `r-${n}` },
});

async function metric(registry: Registry, name: string): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe('a department’s records to the audit trail', () => {
  it('returns before the record is written: the caller never waits on the audit database', async () => {
    const { sink, records, state } = trail();
    let release!: () => void;
    state.held = new Promise<void>((resolve) => (release = resolve));
    const audit = createDepartmentAudit(sink, keptLogger().logger);
    audit.record(refusal(1));
    // The write is open and the record call has long returned.
    expect(audit.pending()).toBe(1);
    expect(records).toEqual([]);
    release();
    state.held = null;
    await audit.settled();
    expect(records).toEqual([expect.objectContaining({ details: expect.objectContaining({ requestId: 'r-1' }), occurredAt: expect.any(Date) })]);
  });

  it('keeps the time of the event, and retries while the trail is down until it takes the record', async () => {
    const { sink, records, state } = trail();
    const { lines, logger } = keptLogger();
    const registry = new Registry();
    state.down = true;
    const audit = createDepartmentAudit(sink, logger, { retryMs: 5, registry });
    const before = new Date();
    audit.record(refusal(1));
    await expect.poll(() => state.attempts).toBeGreaterThanOrEqual(3);
    state.down = false;
    await audit.settled();
    expect(records).toHaveLength(1);
    expect(records[0]!.occurredAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(records[0]!.occurredAt!.getTime()).toBeLessThanOrEqual(before.getTime() + 60_000);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['audit trail not writable, retrying']);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(await metric(registry, 'hub_audit_records_written_total')).toBe(1);
    expect(await metric(registry, 'hub_audit_records_lost_total')).toBe(0);
  });

  it('logs at error level, with the record, what it could not write after its retries, and counts it lost', async () => {
    const { sink, records, state } = trail();
    const { lines, logger } = keptLogger();
    const registry = new Registry();
    state.down = true;
    const audit = createDepartmentAudit(sink, logger, { retryMs: 1, attempts: 3, registry });
    audit.record(refusal(7));
    await audit.settled();
    expect(state.attempts).toBe(3);
    expect(records).toEqual([]);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      {
        level: 'error',
        message: 'audit record not written to the trail',
        fields: expect.objectContaining({ why: 'unwritable', error: expect.stringMatching(/ECONNREFUSED/), record: expect.objectContaining({ eventType: 'INTERNAL_TOKEN_REFUSED', details: expect.objectContaining({ requestId: 'r-7' }) }) }),
      },
    ]);
    expect(await metric(registry, 'hub_audit_records_lost_total')).toBe(1);
  });

  it('holds a bounded number of records while the trail is down; beyond that each is logged, not queued', async () => {
    const { sink, state } = trail();
    const { lines, logger } = keptLogger();
    state.down = true;
    const audit = createDepartmentAudit(sink, logger, { retryMs: 60_000, maxPending: 2 });
    for (let n = 1; n <= 4; n++) audit.record(refusal(n));
    expect(audit.pending()).toBe(2);
    const full = lines.filter((l) => l.level === 'error' && l.fields?.why === 'queue-full');
    expect(full.map((l) => (l.fields!.record as DepartmentAuditRecord).details!.requestId)).toEqual(['r-3', 'r-4']);
    // At shutdown, what is still unwritten goes to the error log too, and the process is not held.
    await audit.close(10);
    expect(audit.pending()).toBe(0);
    expect(lines.filter((l) => l.fields?.why === 'shutdown').map((l) => (l.fields!.record as DepartmentAuditRecord).details!.requestId)).toEqual(['r-1', 'r-2']);
  });

  it('without a trail, counts what it would have recorded', async () => {
    const registry = new Registry();
    const audit = createDepartmentAudit(undefined, keptLogger().logger, { registry });
    audit.record(refusal(1));
    expect(audit.pending()).toBe(0);
    expect(await metric(registry, 'hub_audit_records_lost_total')).toBe(1);
  });
});
