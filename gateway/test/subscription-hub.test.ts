import type { ApolloServer } from '@apollo/server';
import type { Caller, Logger } from '@hub/core';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.ts';
import { createSubscriptionHub, type Delivery } from '../src/subscriptions/hub.ts';
import type { AuditRecordInput } from '@hub/audit-trail';
import { DEFAULT_SUBSCRIPTION_LIMITS } from '../src/subscriptions/limits.ts';

/**
 * The subscription hub alone, over a feed the test answers by hand: what the end-to-end tests cannot choose (the order
 * in which a group's reads are answered) or cannot wait for (a stream disclosing thousands of residents). The feed reads here are
 * held until the test answers them, each with the events committed when it was sent (its snapshot), so that a wake-up
 * during a read, a read ahead answered before the one under way, and a member placed by an earlier read are each
 * played out. The real path (Apollo, the plan, the subgraphs) is `test/subscriptions.e2e.test.ts`'s.
 */
const schema = buildSchema(/* GraphQL */ `
  type Query { caseEvents(after: String, first: Int): CaseEventConnection! }
  type Subscription { caseEvents(after: String): CaseEventEdge! }
  type CaseEventConnection { edges: [CaseEventEdge!]! }
  type CaseEventEdge { cursor: String! node: CaseEvent! }
  type CaseEvent { sequence: String! resident: Resident }
  type Resident { id: ID! }
`);
const cursorOf = (sequence: number) => `c${sequence}`;
const caller: Caller = { userId: 'u1', role: 'dispatcher', department: null, scopes: [], purpose: null, grids: [], communities: [], ownGridsOnly: false, namesMasked: true };
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** The resident each event names: event n names resident r(n) (hub ids are opaque strings). */
const residentOf = (sequence: number) => `r${sequence}`;

function harness(readAhead: boolean, trail: { write: (record: AuditRecordInput) => Promise<void> } = { write: async () => {} }, disclosedPerRecord?: number) {
  let committed = 0;
  const reads: { after: string; answer: () => void }[] = [];
  const apollo = {
    executeOperation(request: { variables: Record<string, unknown> }) {
      const after = String(request.variables._hubAfter);
      const from = Number(after.slice(1));
      const first = Number(request.variables._hubFirst);
      // The read's snapshot: what had committed when it was sent.
      const sequences = Array.from({ length: Math.max(0, committed - from) }, (_, i) => from + 1 + i).slice(0, first);
      return new Promise((resolve) => {
        reads.push({
          after,
          answer: () =>
            resolve({
              http: { status: 200 },
              body: { kind: 'single', singleResult: { data: { caseEvents: { edges: sequences.map((q) => ({ _hubCursor: cursorOf(q), cursor: cursorOf(q), node: { sequence: String(q), resident: { id: residentOf(q) } } })) } } } },
            }),
        });
      });
    },
  } as unknown as ApolloServer<GatewayContext>;
  const hub = createSubscriptionHub({
    apollo: () => apollo,
    apiSchema: () => schema,
    supergraphSchema: schema,
    feed: () => ({ head: async () => null, connected: () => true, close() {} }),
    limits: { ...DEFAULT_SUBSCRIPTION_LIMITS, readAhead },
    mayRunDocument: () => true,
    audit: trail as never,
    logger: silent,
    ...(disclosedPerRecord ? { disclosedPerRecord } : {}),
  });
  const received: string[] = [];
  const ended: unknown[] = [];
  const sink = { next: (d: Delivery) => void received.push(d.id), buffered: () => 0, end: (errors?: unknown) => void ended.push(errors) };
  /** Waits (on the event loop, never a fixed time) until the hub has sent `count` reads in all. */
  const readsSent = async (count: number) => {
    for (let i = 0; i < 1000 && reads.length < count; i++) await new Promise((r) => setImmediate(r));
    expect(reads.length).toBe(count);
  };
  const settle = async () => {
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    hub,
    reads,
    received,
    ended,
    readsSent,
    settle,
    commit: () => {
      committed++;
      hub.wake('mediation', { sequence: committed, cursor: cursorOf(committed) });
    },
    /** Subscribes from c0 and answers its first read and the read its joining the group makes: two reads, nothing in them. */
    async subscribe(query = 'subscription { caseEvents(after: "c0") { cursor node { sequence } } }') {
      const subscribed = hub.subscribe({ caller, expiresAt: null, query, sink });
      await readsSent(1);
      reads[0]!.answer();
      const result = await subscribed;
      expect(result.ok).toBe(true);
      await readsSent(2);
      reads[1]!.answer();
      await settle();
      expect(reads).toHaveLength(2);
      reads.splice(0);
      return result as Extract<typeof result, { ok: true }>;
    },
  };
}

describe('a group read ahead', () => {
  it('starts the next read when a wake-up comes during one, and delivers both in feed order, each event once', async () => {
    const h = harness(true);
    await h.subscribe();
    h.commit(); // read 1 (from c0) sees e1
    await h.readsSent(1);
    h.commit(); // during read 1: read 2 starts at once (ahead), from c0, and sees e1 and e2
    await h.readsSent(2);
    expect(h.reads[1]!.after).toBe('c0');
    h.commit(); // e3 during both: no third read in flight, the group reads again after
    await h.settle();
    expect(h.reads).toHaveLength(2);
    // The read ahead is answered first; it is delivered after the read before it all the same.
    h.reads[1]!.answer();
    await h.settle();
    expect(h.received).toEqual([]);
    h.reads[0]!.answer();
    await h.readsSent(3);
    expect(h.received).toEqual(['c1', 'c2']);
    // e3 came after the read ahead started: read from the cursor the two reads left.
    expect(h.reads[2]!.after).toBe('c2');
    h.reads[2]!.answer();
    await h.settle();
    expect(h.received).toEqual(['c1', 'c2', 'c3']);
    expect(h.hub.stats().groups).toBe(1);
  });

  it('reads nothing more when the read ahead covered every wake-up, and waits for the read under way when it is off', async () => {
    for (const readAhead of [true, false]) {
      const h = harness(readAhead);
      await h.subscribe();
      h.commit();
      await h.readsSent(1);
      h.commit();
      await h.settle();
      expect(h.reads).toHaveLength(readAhead ? 2 : 1);
      h.reads[0]!.answer();
      await h.readsSent(2);
      // Off, the wake-up waited: the read after it starts from where the first one ended.
      expect(h.reads[1]!.after).toBe(readAhead ? 'c0' : 'c1');
      h.reads[1]!.answer();
      await h.settle();
      expect(h.reads).toHaveLength(2);
      expect(h.received).toEqual(['c1', 'c2']);
    }
  });
});

describe("a stream's record of what it disclosed", () => {
  const withResidents = 'subscription { caseEvents(after: "c0") { cursor node { sequence resident { id } } } }';
  /** Commits `count` events one by one, each read answered, so each delivery discloses one resident. */
  async function commitAll(h: ReturnType<typeof harness>, count: number) {
    for (let i = 0; i < count; i++) {
      h.commit();
      await h.readsSent(1);
      h.reads.splice(0)[0]!.answer();
      await h.settle();
    }
  }

  it('writes a progress record each time the set reaches its bound, and the end record holds only what came after', async () => {
    const records: AuditRecordInput[] = [];
    const h = harness(false, { write: async (record) => void records.push(record) }, 3);
    const { unsubscribe } = await h.subscribe(withResidents);
    await commitAll(h, 7);
    unsubscribe();
    await h.settle();
    const phases = records.map((r) => (r.variables as { subscription: string }).subscription);
    expect(phases).toEqual(['start', 'progress', 'progress', 'end']);
    expect(records.map((r) => [...(r.residentIds ?? [])].sort())).toEqual([[], ['r1', 'r2', 'r3'], ['r4', 'r5', 'r6'], ['r7']]);
    expect(records.map((r) => (r.variables as { eventsDelivered: number }).eventsDelivered)).toEqual([0, 3, 6, 7]);
    expect(h.received).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
  });

  it('ends the stream with AUDIT_UNAVAILABLE when the trail refuses a progress record, and delivers nothing after', async () => {
    const records: AuditRecordInput[] = [];
    let refuse = false;
    const trail = {
      write: async (record: AuditRecordInput) => {
        if (refuse) throw new Error('the trail is away');
        records.push(record);
      },
    };
    const h = harness(false, trail, 2);
    await h.subscribe(withResidents);
    refuse = true;
    await commitAll(h, 2);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject([{ extensions: { code: 'AUDIT_UNAVAILABLE', lastEventId: 'c2' } }]);
    expect(h.hub.stats().subscriptions).toBe(0);
    h.commit();
    await h.settle();
    expect(h.reads).toHaveLength(0);
    expect(h.received).toEqual(['c1', 'c2']);
  });
});
