import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

/**
 * The feed's filter by unit, level and severity (what `caseEvents` and the gateway's subscriptions select by), held
 * to the seeded district's own rows: every event the filter keeps and no other, in feed order.
 */
const harness = serveSubgraphForTests(subgraph);
const CENTRE = testCaller('dispatcher');

const FEED = /* GraphQL */ `
  query ($filter: CaseEventFilter) {
    caseEvents(filter: $filter, first: 500) { edges { node { sequence } } }
  }
`;

async function feed(filter: Record<string, unknown>): Promise<number[]> {
  const response = await harness.gql<{ caseEvents: { edges: { node: { sequence: string } }[] } }>(FEED, { filter }, CENTRE);
  expect(response.errors).toBeUndefined();
  return response.data!.caseEvents.edges.map((e) => Number(e.node.sequence));
}

async function sequences(where: ReturnType<typeof sql>): Promise<number[]> {
  const { rows } = await harness.database.db.execute<{ sequence: string }>(
    sql`select e.sequence from case_events e join cases c on c.id = e.case_id where ${where} order by e.sequence limit 500`,
  );
  return rows.map((r) => Number(r.sequence));
}

describe('the feed filter', () => {
  it("keeps the events about a unit's parts, and refuses a unit not in the directory", async () => {
    const [busiest] = (await harness.database.db.execute<{ unit_code: string }>(sql`select unit_code from case_events where unit_code is not null group by unit_code order by count(*) desc limit 1`)).rows;
    expect(busiest).toBeDefined();
    const kept = await feed({ units: [busiest!.unit_code] });
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(await sequences(sql`e.unit_code = ${busiest!.unit_code}`));
    const unknown = await harness.gql(FEED, { filter: { units: ['NO_SUCH_UNIT'] } }, CENTRE);
    expect(errorCodes(unknown)).toEqual(['UNKNOWN_UNIT']);
  });

  it('keeps the events of cases now at the levels and of the severities asked, and of both when both are asked', async () => {
    for (const levels of [['COMMUNITY'], ['STREET', 'DISTRICT']]) {
      expect(await feed({ levels })).toEqual(await sequences(sql`c.level::text in ${levels}`));
    }
    for (const severities of [['GENERAL'], ['SIGNIFICANT', 'MAJOR']]) {
      expect(await feed({ severities })).toEqual(await sequences(sql`c.severity::text in ${severities}`));
    }
    const both = await feed({ levels: ['COMMUNITY'], severities: ['SIGNIFICANT', 'MAJOR'] });
    expect(both).toEqual(await sequences(sql`c.level = 'COMMUNITY' and c.severity::text in ${['SIGNIFICANT', 'MAJOR']}`));
  });
});
