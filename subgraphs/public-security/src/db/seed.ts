import { residentKey } from '@hub/core';
import { transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { PublicSecurityDatabase } from './index.ts';
import { floatingDetails, residents } from './schema.ts';

/** Public security's view of the demo district: everyone on the actual-population register. */
export function publicSecuritySeeder(database: PublicSecurityDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('public-security', database.pool, {
    async grid(writer, { residents: people }) {
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
    },
  });
}
