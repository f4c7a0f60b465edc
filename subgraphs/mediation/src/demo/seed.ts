import { communityCodeOfGrid, streetCodeOfCommunity } from '@hub/core';
import { hubIdsOf, transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { MediationDatabase } from '../db/index.ts';
import { demoHistory } from './history.ts';
import { agreements, caseEvents, caseParties, caseParts, cases, followUps, mediationCommittees, mediationRecords, mediators } from '../db/schema.ts';

/** A document key (`PASSPORT:KOR:M00001234`), not an ID number: the generator's key of a person who holds none. */
const isDocumentKey = (key: string) => key.includes(':');

/** The community an organization id belongs to: the 12 digits after its 2-letter kind prefix. */
export const communityCodeOfOrganization = (organizationId: string) => organizationId.slice(2, 14);

/** People's mediation's view of the demo district: its committees, their mediators and the dispute cases. */
export function mediationSeeder(database: MediationDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('mediation', database.pool, {
    async grid(writer, contents) {
      const { mediation } = contents;
      const idOf = hubIdsOf(contents, secret);
      // Parents before children: the writer flushes tables in the order they are first added.
      await writer.add(
        mediationCommittees,
        mediation.committees.map((c) => ({
          organizationId: c.organizationId,
          type: c.type,
          industry: c.industry,
          communityCode: communityCodeOfOrganization(c.organizationId),
        })),
      );
      await writer.add(
        mediators,
        mediation.mediators.map((m) => ({
          id: m.id,
          committeeId: m.committeeId,
          name: m.name,
          idNumber: m.idNumber,
          residentId: m.idNumber === null ? null : idOf(m.idNumber),
          employment: m.employment,
          background: m.background,
        })),
      );
      const histories = mediation.cases.map((c) => ({ c, history: demoHistory(c) }));
      await writer.add(
        cases,
        histories.map(({ c, history }) => {
          const communityCode = communityCodeOfGrid(c.gridCode);
          return {
            ...history.caseFields,
            dueOn: history.caseFields.dueOn ?? c.dueOn,
            id: c.id,
            category: c.category,
            gridCode: c.gridCode,
            communityCode,
            streetCode: streetCodeOfCommunity(communityCode),
            committeeId: c.committeeId,
            mediatorId: c.mediatorId,
            status: c.status,
            summary: c.summary,
            receivedAt: new Date(c.receivedAt),
            acceptedAt: c.acceptedAt === null ? null : new Date(c.acceptedAt),
            resolvedAt: c.resolvedAt === null ? null : new Date(c.resolvedAt),
            closedAt: c.closedAt === null ? null : new Date(c.closedAt),
            incidentId: c.incidentId,
            houseCode: c.houseCode,
          };
        }),
      );
      await writer.add(
        caseParties,
        mediation.cases.flatMap((c) =>
          c.parties.map((p, i) => ({
            caseId: c.id,
            position: i + 1,
            role: p.role,
            residentId: p.idNumber === null ? null : idOf(p.idNumber),
            // The generator names a person without a citizen ID by their document key, as the register does.
            idNumber: p.idNumber === null || isDocumentKey(p.idNumber) ? null : p.idNumber,
            documentKey: p.idNumber !== null && isDocumentKey(p.idNumber) ? p.idNumber : null,
            organizationId: p.organizationId,
          })),
        ),
      );
      await writer.add(
        mediationRecords,
        mediation.cases.flatMap((c) => c.records.map((r, i) => ({ caseId: c.id, position: i + 1, ...r }))),
      );
      await writer.add(
        agreements,
        histories.flatMap(({ c, history: { agreement: a } }) =>
          a
            ? [{ caseId: c.id, reachedOn: a.reachedOn, terms: a.terms, performBy: a.performBy, performance: a.performed ? ('PERFORMED' as const) : ('PENDING' as const) }]
            : [],
        ),
      );
      await writer.add(
        followUps,
        histories.flatMap(({ history }) => history.followUps),
      );
      await writer.add(
        caseEvents,
        histories.flatMap(({ history }) => history.events),
      );
      await writer.add(
        caseParts,
        histories.flatMap(({ history }) => history.parts),
      );
    },
  });
}
