import { hubIdsOf, transactionalSeeder, type DemoResident, type DepartmentSeeder } from '@hub/demo';
import type { PublicSecurityDatabase } from '../db/index.ts';
import { floatingDetails, households, incidentInvolved, incidents, keyPersonCategories, keyPersonContacts, keyPersonOfficers, keyPersons, overseasDetails, residents } from '../db/schema.ts';

/**
 * Public security's view of the demo district: everyone on the actual-population register (the people living here,
 * and those registered here but living elsewhere), the key persons and the police incidents.
 */
export function publicSecuritySeeder(database: PublicSecurityDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('public-security', database.pool, {
    async grid(writer, contents) {
      const { grid, residents: people, registeredAway, publicSecurity } = contents;
      const idOf = hubIdsOf(contents, secret);
      const ids = people.map((p) => idOf(p.idNumber));
      await writer.add(
        residents,
        people.map((p, i) => ({
          id: ids[i]!,
          // People without a citizen ID are keyed by their document; the register keeps the document itself.
          idNumber: p.document ? null : p.idNumber,
          documentType: p.document ? p.document.type : 'ID_CARD',
          documentNumber: p.document ? p.document.number : null,
          nationality: p.document ? p.document.nationality : 'CHN',
          name: p.name,
          sex: p.sex,
          birthDate: p.birthDate,
          phone: p.phone,
          populationType: p.populationType,
          registeredAddress: p.registeredAddress || null,
          residenceStatus: p.residenceStatus,
          hukouDivisionCode: p.hukouDivisionCode,
          hukouPoliceStation: p.hukouPoliceStation,
          houseCode: p.houseCode,
          gridCode: p.gridCode,
          householdId: p.householdId,
          // GB/T 4761 has no tenant: a tenant is a non-relative whose tenure is renting.
          relationToHead: p.relationToHead === 'TENANT' ? ('NON_RELATIVE' as const) : p.relationToHead,
          hukouHouseholdId: p.hukouHouseholdId,
          tenure: p.tenure,
        })),
      );
      // 户在人不在: on the register under their hukou household's grid, with no house, household or tenure here. Their
      // relation is to the hukou household's head, the only household they have here.
      await writer.add(
        residents,
        registeredAway.map((p) => ({
          id: idOf(p.idNumber),
          idNumber: p.idNumber,
          documentType: 'ID_CARD' as const,
          documentNumber: null,
          nationality: 'CHN',
          name: p.name,
          sex: p.sex,
          birthDate: p.birthDate,
          phone: p.phone,
          populationType: 'REGISTERED' as const,
          registeredAddress: p.registeredAddress,
          residenceStatus: 'REGISTERED_NOT_RESIDENT' as const,
          hukouDivisionCode: p.hukouDivisionCode,
          hukouPoliceStation: p.hukouPoliceStation,
          houseCode: null,
          gridCode: p.gridCode,
          householdId: null,
          relationToHead: p.relationToHead,
          hukouHouseholdId: p.hukouHouseholdId,
          tenure: null,
        })),
      );
      await writer.add(households, householdsOf(people, ids, grid.code));
      await writer.add(
        overseasDetails,
        people.flatMap((p, i) => (p.overseas ? [{ residentId: ids[i]!, ...p.overseas }] : [])),
      );
      await writer.add(
        floatingDetails,
        people.flatMap((p, i) => (p.floating ? [{ residentId: ids[i]!, ...p.floating }] : [])),
      );
      await writer.add(
        keyPersons,
        publicSecurity.keyPersons.map((k) => ({
          id: k.id,
          residentId: idOf(k.idNumber),
          gridCode: grid.code,
          category: k.category,
          riskLevel: k.riskLevel,
          officerName: k.responsibleOfficerName,
          officerBadge: k.responsibleOfficerBadge,
          plan: k.plan,
          since: k.since,
          guardianId: k.guardianIdNumber ? idOf(k.guardianIdNumber) : null,
        })),
      );
      await writer.add(
        keyPersonCategories,
        publicSecurity.keyPersons.flatMap((k) => k.specialGroups.map((g) => ({ keyPersonId: k.id, ...g }))),
      );
      await writer.add(
        keyPersonOfficers,
        publicSecurity.keyPersons.flatMap((k) => [
          { keyPersonId: k.id, position: 0, name: k.responsibleOfficerName, unit: 'POLICE_STATION' as const, badge: k.responsibleOfficerBadge },
          ...k.officers.map((o, i) => ({ keyPersonId: k.id, position: i + 1, name: o.name, unit: o.unit, badge: null })),
        ]),
      );
      await writer.add(
        keyPersonContacts,
        publicSecurity.keyPersons.flatMap((k) => k.contacts.map((c) => ({ keyPersonId: k.id, ...c }))),
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
            residentId: idOf(idNumber),
          })),
        ),
      );
    },
  });
}


/**
 * The grid's households: each household living together (its head the SELF member; unrelated tenants make it a
 * collective), and each hukou household kept here (its head its member living as head, else its first by hub id; its
 * house and grid that head's), as the residents import and the migration make them.
 */
function householdsOf(people: readonly DemoResident[], ids: readonly string[], gridCode: string): (typeof households.$inferInsert)[] {
  const living = new Map<string, typeof households.$inferInsert>();
  const hukou = new Map<string, { self: boolean; row: typeof households.$inferInsert }>();
  people.forEach((p, i) => {
    let h = living.get(p.householdId);
    if (!h) living.set(p.householdId, (h = { id: p.householdId, kind: 'FAMILY', basis: 'RESIDENCE', headResidentId: null, gridCode, houseCode: p.houseCode }));
    if (p.relationToHead === 'SELF') h.headResidentId = ids[i]!;
    if (p.relationToHead === 'TENANT') h.kind = 'COLLECTIVE';
    if (p.hukouHouseholdId) {
      const k = hukou.get(p.hukouHouseholdId);
      const self = p.relationToHead === 'SELF';
      const better = !k || (self && !k.self) || (self === k.self && ids[i]! < k.row.headResidentId!);
      if (better) hukou.set(p.hukouHouseholdId, { self, row: { id: p.hukouHouseholdId, kind: 'FAMILY', basis: 'HUKOU', headResidentId: ids[i]!, gridCode, houseCode: p.houseCode, policeStation: p.hukouPoliceStation } });
    }
  });
  return [...living.values(), ...[...hukou.values()].map((h) => h.row)];
}
