import { residentKey } from '@hub/core';
import { transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { PublicSecurityDatabase } from '../db/index.ts';
import { floatingDetails, incidentInvolved, incidents, keyPersons, residents } from '../db/schema.ts';

/**
 * Public security's view of the demo district: everyone on the actual-population register, the key persons and the
 * police incidents.
 */
export function publicSecuritySeeder(database: PublicSecurityDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('public-security', database.pool, {
    async grid(writer, { grid, residents: people, publicSecurity }) {
      const ids = people.map((p) => residentKey(p.idNumber, secret));
      await writer.add(
        residents,
        people.map((p, i) => ({
          id: ids[i]!,
          idNumber: p.idNumber,
          name: p.name,
          sex: p.sex,
          birthDate: p.birthDate,
          phone: p.phone,
          populationType: p.populationType,
          registeredAddress: p.registeredAddress,
          houseCode: p.houseCode,
          gridCode: p.gridCode,
          householdId: p.householdId,
          relationToHead: p.relationToHead,
        })),
      );
      await writer.add(
        floatingDetails,
        people.flatMap((p, i) => (p.floating ? [{ residentId: ids[i]!, ...p.floating }] : [])),
      );
      await writer.add(
        keyPersons,
        publicSecurity.keyPersons.map((k) => ({
          id: k.id,
          residentId: residentKey(k.idNumber, secret),
          gridCode: grid.code,
          category: k.category,
          riskLevel: k.riskLevel,
          officerName: k.responsibleOfficerName,
          officerBadge: k.responsibleOfficerBadge,
          plan: k.plan,
          since: k.since,
          guardianId: k.guardianIdNumber ? residentKey(k.guardianIdNumber, secret) : null,
        })),
      );
      await writer.add(
        incidents,
        publicSecurity.incidents.map((i) => ({
          id: i.id,
          occurredAt: new Date(i.occurredAt),
          gridCode: i.gridCode,
          address: i.address,
          type: i.type,
          summary: i.summary,
          referredToMediation: i.referredToMediation,
          referredOn: i.referredOn,
        })),
      );
      await writer.add(
        incidentInvolved,
        publicSecurity.incidents.flatMap((i) =>
          i.involvedIdNumbers.map((idNumber, position) => ({
            incidentId: i.id,
            position,
            residentId: residentKey(idNumber, secret),
          })),
        ),
      );
    },
  });
}
