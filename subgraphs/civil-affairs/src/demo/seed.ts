import { hubIdsOf, transactionalSeeder, type DemoOrganization, type DepartmentSeeder } from '@hub/demo';
import type { CivilAffairsDatabase } from '../db/index.ts';
import {
  assistanceGrants,
  careRecords,
  communities,
  disabilityRecords,
  districts,
  gridWorkers,
  grids,
  organizations,
  socialOrganizations,
  streets,
  welfareEntitlements,
} from '../db/schema.ts';

const REGISTERED_BY = {
  party: 'PARTY',
  'civil-affairs': 'CIVIL_AFFAIRS',
  housing: 'HOUSING',
  mediation: 'MEDIATION',
  'market-regulation': 'MARKET_REGULATION',
  education: 'EDUCATION',
  health: 'HEALTH',
} as const satisfies Record<DemoOrganization['department'], string>;

/**
 * Civil affairs' view of the demo district: the place hierarchy, the grid workers, the directory of every
 * organization (whichever department registered it), social organizations' details, welfare entitlements, the
 * disability register and the care lists.
 */
export function civilAffairsSeeder(database: CivilAffairsDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('civil-affairs', database.pool, {
    async start(writer, world) {
      await writer.add(districts, [world.district]);
      await writer.add(streets, world.streets);
      await writer.add(communities, world.communities);
      const streetOf = new Map(world.communities.map((c) => [c.code, c.streetCode]));
      await writer.add(
        grids,
        world.grids.map((g) => ({ ...g, streetCode: streetOf.get(g.communityCode)! })),
      );
      await writer.flush();
    },
    async grid(writer, contents) {
      const { workers, organizations: directory, civilAffairs } = contents;
      const idOf = hubIdsOf(contents, secret);
      await writer.add(
        gridWorkers,
        workers.map((w) => ({ ...w, residentId: idOf(w.idNumber) })),
      );
      await writer.add(
        organizations,
        directory.map((o) => ({
          id: o.id,
          kind: o.kind,
          name: o.name,
          creditCode: o.creditCode,
          gridCode: o.gridCode,
          communityCode: o.communityCode,
          registeredOn: o.registeredOn,
          registeredBy: REGISTERED_BY[o.department],
        })),
      );
      await writer.add(
        socialOrganizations,
        civilAffairs.socialOrganizations.map((s) => ({
          organizationId: s.organizationId,
          type: s.type,
          legalRepresentativeId: idOf(s.legalRepresentativeIdNumber),
          businessScope: s.businessScope,
        })),
      );
      await writer.add(
        welfareEntitlements,
        civilAffairs.welfare.map((w) => ({
          id: w.id,
          residentId: idOf(w.idNumber),
          gridCode: w.gridCode,
          kind: w.kind,
          monthlyAmount: w.monthlyAmount,
          startsOn: w.startsOn,
          endsOn: w.endsOn,
          status: w.status,
          disabilityCertificateNumber: w.disabilityCertificateNumber,
        })),
      );
      await writer.add(
        disabilityRecords,
        civilAffairs.disabilities.map((d) => ({
          id: d.id,
          residentId: idOf(d.idNumber),
          gridCode: d.gridCode,
          certificateNumber: d.certificateNumber,
          category: d.category,
          grade: d.grade,
          issuedOn: d.issuedOn,
        })),
      );
      await writer.add(
        careRecords,
        civilAffairs.care.map((c) => ({
          id: c.id,
          residentId: idOf(c.idNumber),
          gridCode: c.gridCode,
          kind: c.kind,
          listedOn: c.listedOn,
          endedOn: null,
        })),
      );
      await writer.add(
        assistanceGrants,
        civilAffairs.assistance.map(({ idNumber, episode, ...a }) => ({
          ...a,
          residentId: idOf(idNumber),
          hospital: episode?.hospital ?? null,
          admittedOn: episode?.admittedOn ?? null,
          dischargedOn: episode?.dischargedOn ?? null,
          eligibleCost: episode?.eligibleCost ?? null,
          reimbursedPercent: episode?.reimbursedPercent ?? null,
        })),
      );
    },
  });
}
