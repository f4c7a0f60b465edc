/**
 * The departments' records of one grid, generated after its places and people. Each topic draws from its own PRNG
 * stream (seed + grid code + topic), so changing one topic never reshuffles another; only the district-wide
 * serials (certificates, filings, member numbers, group-rental ordinals) come from the pass's session.
 */
import { civilAffairs } from './civil-affairs.ts';
import type { CommunityInfo } from './community.ts';
import { gridFacts } from './facts.ts';
import type { GridBase, Session } from './grid.ts';
import { housing } from './housing.ts';
import { mediation } from './mediation.ts';
import { gridOrganizations } from './organizations.ts';
import { party } from './party.ts';
import { publicSecurity } from './public-security.ts';
import type { DemoGridContents } from './types.ts';
import type { GridPlan, WorldPlan } from './world.ts';

export function gridRecords(
  world: WorldPlan,
  plan: GridPlan,
  session: Session,
  communities: Map<string, CommunityInfo>,
  base: GridBase,
): DemoGridContents {
  const info = communities.get(plan.community.code);
  if (!info) throw new Error(`no plan for community ${plan.community.code}`);
  const facts = gridFacts(world, plan, session, info, base);
  const orgs = gridOrganizations(facts);
  const civil = civilAffairs(facts, orgs);
  const house = housing(facts, orgs, civil.welfare);
  const security = publicSecurity(facts, house.records.ownerships);
  const partyRecords = party(facts, orgs);
  const mediationRecords = mediation(facts, orgs, security.security.incidents, house.housing);
  return {
    ...base.contents,
    organizations: orgs.list,
    publicSecurity: security.records,
    civilAffairs: civil.records,
    housing: house.records,
    party: partyRecords,
    mediation: mediationRecords,
  };
}
