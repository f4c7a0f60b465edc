import { serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld, type DemoCase } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

/**
 * The demo district's lawful endings as the seed writes them (src/demo/history.ts): terminated and withdrawn cases
 * with the events a termination or a withdrawal through the workflow writes, their parts ended, their fields set.
 */
const allCases: DemoCase[] = [...generateDemoWorld(TEST_DEMO).gridContents()].flatMap((g) => g.mediation.cases);
const harness = serveSubgraphForTests(subgraph);

type Ended = {
  id: string;
  status: string;
  outcome: string;
  closedAt: string | null;
  resolvedAt: string | null;
  informedChannels: string[];
  withdrawnBy: string | null;
  resolutionNote: string | null;
  parts: { status: string }[];
  followUps: unknown[];
  timeline: { action: string; toStatus: string; outcome: string | null; channels: string[] | null; withdrawnBy: string | null }[];
};

async function read(ids: string[]): Promise<Ended[]> {
  const response = await harness.gql<{ _entities: Ended[] }>(
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Case {
      id status outcome closedAt resolvedAt informedChannels withdrawnBy resolutionNote parts { status } followUps { visitedOn }
      timeline { action toStatus outcome channels withdrawnBy } } } }`,
    { reps: ids.map((id) => ({ __typename: 'Case', id })) },
  );
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!._entities;
}

describe('the demo’s terminated and withdrawn cases', () => {
  it('terminates failed mediations with the channels the parties were told of, every part ended', async () => {
    const generated = allCases.filter((c) => c.status === 'TERMINATED');
    expect(generated.length).toBeGreaterThan(0);
    for (const c of await read(generated.map((g) => g.id))) {
      const plan = generated.find((g) => g.id === c.id)!;
      expect(c).toMatchObject({ status: 'TERMINATED', outcome: 'MEDIATION_FAILED', resolvedAt: null, withdrawnBy: null, followUps: [] });
      expect(c.closedAt).not.toBeNull();
      expect(c.informedChannels).toEqual(plan.informedChannels);
      expect(c.resolutionNote).toContain('终止调解');
      expect(c.timeline.at(-1)).toEqual({ action: 'TERMINATE', toStatus: 'TERMINATED', outcome: 'MEDIATION_FAILED', channels: plan.informedChannels, withdrawnBy: null });
      expect(c.timeline.map((e) => e.action).slice(0, 4)).toEqual(['REPORT', 'ACCEPT', 'DISPATCH', 'ACKNOWLEDGE']);
      expect(c.parts.length).toBeGreaterThan(0);
      for (const part of c.parts) expect(part.status).toBe('SUPERSEDED');
    }
  });

  it('records withdrawals by the applicant and refusals by the respondent, before or after dispatch', async () => {
    const generated = allCases.filter((c) => c.status === 'WITHDRAWN');
    expect(generated.length).toBeGreaterThan(0);
    for (const c of await read(generated.map((g) => g.id))) {
      const plan = generated.find((g) => g.id === c.id)!;
      const outcome = plan.withdrawal!.by === 'APPLICANT' ? 'PARTIES_WITHDREW' : 'PARTIES_REFUSED';
      expect(c).toMatchObject({ status: 'WITHDRAWN', outcome, withdrawnBy: plan.withdrawal!.by, resolvedAt: null, informedChannels: [] });
      expect(c.timeline.at(-1)).toEqual({ action: 'WITHDRAW', toStatus: 'WITHDRAWN', outcome, channels: null, withdrawnBy: plan.withdrawal!.by });
      expect(c.timeline.some((e) => e.action === 'DISPATCH')).toBe(!plan.withdrawal!.beforeDispatch);
      for (const part of c.parts) expect(part.status).toBe('SUPERSEDED');
    }
  });
});
