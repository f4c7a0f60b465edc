import { startInMemoryTracing } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ResidentProfileDocument } from '../clients/__generated__/operations.ts';
import { grids, idOf } from './world.ts';

/*
 * One trace across the hub: a client's W3C traceparent continues in the gateway, and the gateway's subgraph fetches
 * carry it on, so every department's server span is a child of the gateway's span in the same trace.
 */
let tracing: ReturnType<typeof startInMemoryTracing>;
let hub: TestHub;
/** The services' JSON log lines, at debug level (each service's per-request line). */
const logLines: { service: string; message: string; traceId?: string; spanId?: string }[] = [];
let restore: () => void;
beforeAll(async () => {
  const previousLevel = process.env.LOG_LEVEL;
  const write = process.stderr.write;
  process.env.LOG_LEVEL = 'debug';
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{"time"')) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stderr.write;
  restore = () => {
    process.stderr.write = write;
    if (previousLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previousLevel;
  };
  tracing = startInMemoryTracing('hub-e2e');
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
  await tracing?.shutdown();
  restore?.();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

describe('traces', () => {
  it("continue a client's trace through the gateway into every department it asks", async () => {
    const member = grids.flatMap((g) => g.party.members)[0]!;
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`, ...hub.headers },
      body: JSON.stringify({ query: print(ResidentProfileDocument), variables: { id: idOf(member.idNumber) } }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    // Server spans end when their response closes, a moment after the answer: wait until the gateway's and every
    // department's have.
    const ended = (service: string) => tracing.spans().filter((span) => span.spanContext().traceId === TRACE_ID && span.attributes['hub.service'] === service);
    await vi.waitFor(
      () => {
        for (const service of ['gateway', 'public-security', 'civil-affairs', 'party', 'housing', 'mediation']) expect(ended(service).length, service).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 20 },
    );

    const spans = tracing.spans().filter((span) => span.spanContext().traceId === TRACE_ID);
    const serverSpan = (service: string) => spans.filter((span) => span.attributes['hub.service'] === service);
    const gateway = serverSpan('gateway');
    expect(gateway).toHaveLength(1);
    expect(gateway[0]!.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(gateway[0]!.attributes['http.route']).toBe('/graphql');

    // Every department's request hangs under a span of the gateway's request (its fetch), in the same trace.
    const gatewaySpanIds = new Set(spans.filter((span) => !span.attributes['hub.service'] || span === gateway[0]).map((span) => span.spanContext().spanId));
    for (const department of ['public-security', 'civil-affairs', 'party', 'housing', 'mediation']) {
      const departmentSpans = serverSpan(department);
      expect(departmentSpans.length, department).toBeGreaterThan(0);
      for (const span of departmentSpans) expect(gatewaySpanIds.has(span.parentSpanContext?.spanId ?? '')).toBe(true);
    }

    // The request's log lines name this trace and the exported span they were written under.
    const lines = logLines.filter((line) => line.traceId === TRACE_ID);
    expect(new Set(lines.map((line) => line.service))).toEqual(new Set(['gateway', 'public-security', 'civil-affairs', 'party', 'housing', 'mediation']));
    const spanIds = new Set(spans.map((span) => span.spanContext().spanId));
    for (const line of lines) expect(spanIds.has(line.spanId ?? ''), JSON.stringify(line)).toBe(true);
  });
});
