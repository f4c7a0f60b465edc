/**
 * Checks of what an input names that need the database, run inside the command's transaction: the committee a case
 * goes to, and a mediator of the committee that handles it.
 */
import { notFound } from '@hub/core';
import { and, asc, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { mediationCommittees, mediators } from '../db/schema.ts';
import type { Tx } from './transaction.ts';

/** The committee named, which must exist, or the community mediation committee of the grid's community. */
export async function committeeFor(tx: Tx, communityCode: string, committeeId: string | null): Promise<string> {
  if (committeeId !== null) {
    const [found] = await tx
      .select({ id: mediationCommittees.organizationId })
      .from(mediationCommittees)
      .where(eq(mediationCommittees.organizationId, committeeId));
    if (!found) throw notFound('MediationCommittee', 'committeeId', committeeId);
    return found.id;
  }
  const [community] = await tx
    .select({ id: mediationCommittees.organizationId })
    .from(mediationCommittees)
    .where(and(eq(mediationCommittees.communityCode, communityCode), eq(mediationCommittees.type, 'COMMUNITY')))
    .orderBy(asc(mediationCommittees.organizationId))
    .limit(1);
  if (!community) throw notFound('MediationCommittee', 'communityCode', communityCode);
  return community.id;
}

export async function checkMediatorOfCommittee(tx: Tx, mediatorId: string, committeeId: string): Promise<string> {
  const [found] = await tx
    .select({ id: mediators.id })
    .from(mediators)
    .where(and(eq(mediators.id, mediatorId), eq(mediators.committeeId, committeeId)));
  if (!found) {
    throw new GraphQLError(`mediator ${mediatorId} does not serve on committee ${committeeId}, which handles this case`, {
      extensions: { code: 'NOT_FOUND', entity: 'Mediator', keyField: 'mediatorId', keyValue: mediatorId },
    });
  }
  return found.id;
}
