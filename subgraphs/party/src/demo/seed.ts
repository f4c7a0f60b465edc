import { hubIdsOf, transactionalSeeder, type DemoPartyOrganization, type DepartmentSeeder } from '@hub/demo';
import type { PartyDatabase } from '../db/index.ts';
import { activityAttendance, partyActivities, partyMembers, partyOrganizations, partyReportIns, pointsEntries, postClaims, volunteers } from '../db/schema.ts';

/**
 * The party department's view of the demo district: its organizations, members, report-ins (双报到), organizational
 * life and points.
 * An organization's name is the one it carries in the directory; the directory lists an organization in the grid
 * its office lies in, which need not be the grid whose records hold the organization, so an organization waits
 * here until both have been seen.
 */
export function partySeeder(database: PartyDatabase, secret: string): DepartmentSeeder {
  const names = new Map<string, string>();
  const waiting = new Map<string, DemoPartyOrganization>();
  /** The grid each branch serves, for the members kept under it. */
  const gridOf = new Map<string, string | null>();
  const toRow = (o: DemoPartyOrganization, name: string, idOf: (idNumber: string) => string) => ({
    id: o.organizationId,
    name,
    level: o.level,
    parentId: o.parentId,
    servesCommunityCode: o.servesCommunityCode,
    servesGridCode: o.servesGridCode,
    secretaryId: o.secretaryIdNumber === null ? null : idOf(o.secretaryIdNumber),
    foundedOn: o.foundedOn,
  });

  const seeder = transactionalSeeder('party', database.pool, {
    async grid(writer, contents) {
      const { grid, organizations, party } = contents;
      const idOf = hubIdsOf(contents, secret);
      for (const o of organizations) if (o.kind === 'PARTY_ORGANIZATION') names.set(o.id, o.name);
      for (const o of party.organizations) {
        gridOf.set(o.organizationId, o.servesGridCode);
        waiting.set(o.organizationId, o);
      }
      const named = [...waiting.values()].flatMap((o) => {
        const name = names.get(o.organizationId);
        return name === undefined ? [] : [toRow(o, name, idOf)];
      });
      for (const row of named) {
        waiting.delete(row.id);
        names.delete(row.id);
      }
      // Tables are registered parents first, also when empty, so the writer flushes them in that order.
      await writer.add(partyOrganizations, named);

      await writer.add(
        partyMembers,
        party.members.map((m) => ({
          residentId: idOf(m.idNumber),
          memberNumber: m.memberNumber,
          organizationId: m.organizationId,
          gridCode: gridOf.has(m.organizationId) ? gridOf.get(m.organizationId)! : grid.code,
          status: m.status,
          joinedOn: m.joinedOn,
          fullMemberOn: m.fullMemberOn,
        })),
      );
      await writer.add(
        partyReportIns,
        party.reportIns.map((b) => ({
          id: b.id,
          residentId: idOf(b.idNumber),
          kind: b.kind,
          organizationId: b.organizationId,
          gridCode: b.gridCode,
          membershipOrganization: b.membershipOrganization,
          workUnit: b.workUnit,
          joinedOn: b.joinedOn,
          reportedOn: b.reportedOn,
        })),
      );
      await writer.add(
        volunteers,
        party.volunteers.map(({ idNumber, ...v }) => ({ ...v, residentId: idOf(idNumber) })),
      );
      await writer.add(
        postClaims,
        party.postClaims.map(({ idNumber, ...c }) => ({ ...c, residentId: idOf(idNumber) })),
      );
      await writer.add(
        partyActivities,
        party.activities.map((a) => ({ id: a.id, organizationId: a.organizationId, kind: a.kind, heldOn: a.heldOn, title: a.title })),
      );
      await writer.add(
        activityAttendance,
        party.activities.flatMap((a) =>
          a.attendeeIdNumbers.map((n) => {
            const residentId = idOf(n);
            return { id: `${a.id}${residentId}`, activityId: a.id, residentId };
          }),
        ),
      );
      await writer.add(
        pointsEntries,
        party.points.map((p) => ({
          id: p.id,
          residentId: idOf(p.memberIdNumber),
          activityId: p.activityId,
          points: p.points,
          reason: p.reason,
          awardedOn: p.awardedOn,
        })),
      );
    },
  });

  return {
    ...seeder,
    async finish() {
      if (waiting.size > 0) {
        throw new Error(
          `${waiting.size} party organization(s) have no entry in the organization directory, e.g. ${waiting.keys().next().value}`,
        );
      }
      await seeder.finish();
    },
  };
}
