import { toChinaTime } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';
import { createAuditWriter, type AuditRecordInput } from '@hub/audit-trail';
import { operation, residentOf } from '@hub/audit-trail/testing';

/**
 * 620 records: users user-0..2 in turn, one minute apart; every record concerns its own resident and every tenth
 * also resident 0; every 50th is a refused token without a user.
 */
const RECORDS = 620;
const inputs: AuditRecordInput[] = Array.from({ length: RECORDS }, (_, i) => {
  const n = i + 1;
  if (n % 50 === 0) {
    return operation(n, { eventType: 'TOKEN_REFUSED', userId: null, role: null, department: null, purpose: null, operationName: null, document: null, variables: null, categories: [], residentIds: [], outcome: 'DENIED', errorCodes: ['TOKEN_EXPIRED'] });
  }
  return operation(n, { residentIds: n % 10 === 0 ? [residentOf(n), residentOf(0)] : [residentOf(n)] });
});
const seqsWhere = (keep: (input: AuditRecordInput, n: number) => boolean) =>
  inputs.map((input, i) => ({ input, n: i + 1 })).filter(({ input, n }) => keep(input, n)).map(({ n }) => String(n)).reverse();

const harness = serveSubgraphForTests(subgraph, {
  prepare: async (url) => {
    const writer = createAuditWriter(url);
    // In order, in batches: seq n is input n.
    for (let i = 0; i < RECORDS; i += 100) await Promise.all(inputs.slice(i, i + 100).map((input) => writer.write(input)));
    await writer.close();
  },
});

// The trail is read for an audit only (@policy purpose:audit), at the subgraph as at the gateway.
const auditor = testCaller('auditor', { purpose: 'audit' });
const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables, auditor);

interface Page {
  edges: { cursor: string; node: { seq: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const LIST = `query ($userId: String, $residentId: ID, $eventType: AuditEventType, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  auditRecords(userId: $userId, residentId: $residentId, eventType: $eventType, from: $from, to: $to, first: $first, after: $after) {
    edges { cursor node { seq } } pageInfo { hasNextPage endCursor }
  }
}`;

/** Every seq of a filtered list, page by page. */
async function allSeqs(filter: Record<string, unknown>, first: number): Promise<string[]> {
  const seqs: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const response = await gql(LIST, { ...filter, first, after });
    expect(response.errors).toBeUndefined();
    const page = (response.data as { auditRecords: Page }).auditRecords;
    expect(page.edges.length).toBeLessThanOrEqual(first);
    seqs.push(...page.edges.map((e) => e.node.seq));
    if (!page.pageInfo.hasNextPage) return seqs;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe('auditRecords', () => {
  it('answers a record with every field', async () => {
    const response = await gql(`{ auditRecords(first: 1) { edges { node {
      seq id occurredAt userId role department purpose eventType operationName operationHash variables categories
      residentIds outcome errorCodes previousHash hash } } } }`);
    expect(response.errors).toBeUndefined();
    const [edge] = (response.data as { auditRecords: { edges: { node: Record<string, unknown> }[] } }).auditRecords.edges;
    const input = inputs[RECORDS - 1]!;
    expect(edge!.node).toMatchObject({
      seq: String(RECORDS),
      occurredAt: toChinaTime(input.occurredAt!),
      userId: input.userId,
      role: 'police-officer',
      department: 'public-security',
      purpose: 'public-safety',
      eventType: 'OPERATION',
      operationName: 'ResidentProfile',
      variables: JSON.stringify({ id: residentOf(RECORDS) }),
      categories: ['identity'],
      residentIds: [residentOf(RECORDS), residentOf(0)].sort(),
      outcome: 'SUCCESS',
      errorCodes: [],
    });
    expect(edge!.node.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(edge!.node.operationHash).toMatch(/^[0-9a-f]{64}$/);
    expect(edge!.node.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pages through the whole trail newest first', async () => {
    expect(await allSeqs({}, 97)).toEqual(seqsWhere(() => true));
  });

  it('filters by user', async () => {
    expect(await allSeqs({ userId: 'user-2' }, 50)).toEqual(seqsWhere((input) => input.userId === 'user-2'));
    expect(await allSeqs({ userId: 'nobody' }, 50)).toEqual([]);
  });

  it('filters by resident', async () => {
    const expected = seqsWhere((_, n) => n % 10 === 0 && n % 50 !== 0);
    expect(await allSeqs({ residentId: residentOf(0) }, 7)).toEqual(expected);
    expect(await allSeqs({ residentId: residentOf(33) }, 7)).toEqual(['33']);
  });

  it('filters by event type', async () => {
    expect(await allSeqs({ eventType: 'TOKEN_REFUSED' }, 5)).toEqual(seqsWhere((_, n) => n % 50 === 0));
  });

  it('filters by time range: from inclusive, to exclusive, any offset', async () => {
    const from = inputs[99]!.occurredAt!; // record 100
    const to = inputs[199]!.occurredAt!; // record 200
    const inRange = seqsWhere((_, n) => n >= 100 && n < 200);
    expect(await allSeqs({ from: toChinaTime(from), to: toChinaTime(to) }, 30)).toEqual(inRange);
    expect(await allSeqs({ from: from.toISOString().replace('.000Z', 'Z'), to: to.toISOString().replace('.000Z', '+00:00') }, 30)).toEqual(inRange);
    // And combined with a user.
    expect(await allSeqs({ from: toChinaTime(from), to: toChinaTime(to), userId: 'user-1' }, 30)).toEqual(
      seqsWhere((input, n) => n >= 100 && n < 200 && input.userId === 'user-1'),
    );
  });

  it('answers an empty page for first: 0', async () => {
    const response = await gql(LIST, { first: 0 });
    expect(response.data).toEqual({ auditRecords: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
  });

  it('runs the same number of statements for a page of 500 as for 10', async () => {
    const measure = async (first: number) => {
      harness.database.statements.reset();
      const response = await gql(`query ($first: Int) { auditRecords(first: $first) { edges { node { seq variables residentIds hash } } } }`, { first });
      expect(response.errors).toBeUndefined();
      expect((response.data as { auditRecords: Page }).auditRecords.edges).toHaveLength(first);
      return harness.database.statements.count;
    };
    expect(await measure(500)).toBe(await measure(10));
  });
});

describe("a resident's audit trail", () => {
  const TRAIL = `query ($reps: [_Any!]!, $first: Int, $after: String) { _entities(representations: $reps) {
    ... on Resident { id auditTrail(first: $first, after: $after) { edges { node { seq } } pageInfo { hasNextPage endCursor } } } } }`;
  const trailOf = async (ids: string[], first: number, after: string | null = null) => {
    const response = await gql(TRAIL, { reps: ids.map((id) => ({ __typename: 'Resident', id })), first, after });
    expect(response.errors).toBeUndefined();
    return (response.data as { _entities: { id: string; auditTrail: Page }[] })._entities;
  };

  it('pages through the records concerning each resident, newest first', async () => {
    const expected = seqsWhere((_, n) => n % 10 === 0 && n % 50 !== 0);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const [resident] = await trailOf([residentOf(0)], 4, after);
      seen.push(...resident!.auditTrail.edges.map((e) => e.node.seq));
      after = resident!.auditTrail.pageInfo.hasNextPage ? resident!.auditTrail.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(expected);
    const [one, none] = await trailOf([residentOf(7), residentOf(100_000)], 4);
    expect(one!.auditTrail.edges.map((e) => e.node.seq)).toEqual(['7']);
    expect(none!.auditTrail).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('runs the same number of statements for 200 residents as for 5', async () => {
    const measure = async (count: number) => {
      harness.database.statements.reset();
      const residents = await trailOf(Array.from({ length: count }, (_, i) => residentOf(i + 1)), 3);
      expect(residents.filter((r) => r.auditTrail.edges.length > 0)).toHaveLength(residents.filter((_, i) => (i + 1) % 50 !== 0).length);
      return harness.database.statements.count;
    };
    expect(await measure(200)).toBe(await measure(5));
  });
});

describe('auditChainStatus', () => {
  it('reports the intact chain, its head and the retention', async () => {
    const response = await gql(`{ auditChainStatus { ok records headSeq headHash firstBrokenSeq reason retentionDays checkedAt } }`);
    expect(response.errors).toBeUndefined();
    const status = (response.data as { auditChainStatus: Record<string, unknown> }).auditChainStatus;
    expect(status).toMatchObject({ ok: true, records: RECORDS, headSeq: String(RECORDS), firstBrokenSeq: null, reason: null, retentionDays: 180 });
    expect(status.headHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('bad input', () => {
  it.each([
    ['a page size above the maximum', `{ auditRecords(first: 501) { edges { cursor } } }`, 'INVALID_PAGE_SIZE'],
    ['a negative page size', `{ auditRecords(first: -1) { edges { cursor } } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ auditRecords(after: "!!") { edges { cursor } } }`, 'INVALID_CURSOR'],
    ['a cursor of another list', `{ auditRecords(after: "${Buffer.from('grids:320311001001001').toString('base64url')}") { edges { cursor } } }`, 'INVALID_CURSOR'],
    ['a cursor that is no seq', `{ auditRecords(after: "${Buffer.from('audit:0').toString('base64url')}") { edges { cursor } } }`, 'INVALID_CURSOR'],
    ['"from" after "to"', `{ auditRecords(from: "2026-11-26T10:00:00+08:00", to: "2026-11-26T09:00:00+08:00") { edges { cursor } } }`, 'INVALID_DATE_RANGE'],
    ['"from" after "to" in other offsets', `{ auditRecords(from: "2026-11-26T02:00:00Z", to: "2026-11-26T09:30:00+08:00") { edges { cursor } } }`, 'INVALID_DATE_RANGE'],
    ['a time without offset', `{ auditRecords(from: "2026-11-26T10:00:00") { edges { cursor } } }`, 'GRAPHQL_VALIDATION_FAILED'],
    ['a resident id that is no hub id', `{ auditRecords(residentId: "110105199001010123") { edges { cursor } } }`, 'INVALID_RESIDENT_ID'],
    ['a user id over 200 characters', `{ auditRecords(userId: "${'u'.repeat(201)}") { edges { cursor } } }`, 'INPUT_TOO_LONG'],
    ['an unknown event type', `{ auditRecords(eventType: DELETED) { edges { cursor } } }`, 'GRAPHQL_VALIDATION_FAILED'],
    [
      "a resident trail's page size above the maximum",
      `{ _entities(representations: [{ __typename: "Resident", id: "${residentOf(1)}" }]) { ... on Resident { auditTrail(first: 501) { edges { cursor } } } } }`,
      'INVALID_PAGE_SIZE',
    ],
  ])('refuses %s', async (_, query, code) => {
    expect(errorCodes(await gql(query))).toEqual([code]);
  });

  it('refuses a time without offset passed as a variable', async () => {
    expect(errorCodes(await gql(LIST, { from: '2026-11-26 10:00' }))).toEqual(['BAD_USER_INPUT']);
  });

  it("refuses a cursor of a resident's trail on the whole trail", async () => {
    const trail = await gql(`{ _entities(representations: [{ __typename: "Resident", id: "${residentOf(0)}" }]) { ... on Resident { auditTrail(first: 1) { pageInfo { endCursor } } } } }`);
    const cursor = (trail.data as { _entities: { auditTrail: Page }[] })._entities[0]!.auditTrail.pageInfo.endCursor;
    expect(errorCodes(await gql(LIST, { after: cursor }))).toEqual(['INVALID_CURSOR']);
  });

  it('answers only requests the gateway vouched for', async () => {
    const response = await fetch(harness.service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ auditChainStatus { ok } }' }) });
    expect(response.status).toBe(401);
  });
});
