import { communityCodeOfGrid, streetCodeOfCommunity } from '@hub/core';
import { hubIdsOf, transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { HousingDatabase } from '../db/index.ts';
import {
  buildings,
  groupRentalEvents,
  groupRentalInspections,
  groupRentals,
  houses,
  ownersCommitteeBuildings,
  ownersCommittees,
  ownerships,
  propertyCompanies,
  propertyCompanyBuildings,
  tenancies,
  tenancyOccupants,
} from '../db/schema.ts';
import { startingEvent } from '../remediation/feed.ts';

/**
 * Housing's view of the demo district: buildings (with structure), houses (usable area, property nature), titles,
 * rental registrations, group rentals, their re-inspections and their feed's first events, and the
 * details of property-service companies and owners' committees. People are stored by hub id only.
 */
export function housingSeeder(database: HousingDatabase, secret: string): DepartmentSeeder {
  // A company or committee may serve buildings in several grids and so appear in each grid's records: its own row
  // is written once, its buildings grid by grid.
  const companiesSeen = new Set<string>();
  const committeesSeen = new Set<string>();
  return transactionalSeeder('housing', database.pool, {
    async grid(writer, contents) {
      const { grid, buildings: gridBuildings, houses: gridHouses, housing } = contents;
      const idOf = hubIdsOf(contents, secret);
      const communityCode = communityCodeOfGrid(grid.code);
      const streetCode = streetCodeOfCommunity(communityCode);
      // Parents first: the writer flushes tables in the order they were first added.
      const structureOf = new Map(housing.buildings.map((b) => [b.buildingCode, b.structure]));
      const detailsOf = new Map(housing.houses.map((h) => [h.houseCode, h]));
      await writer.add(buildings, gridBuildings.map((b) => ({ ...b, structure: structureOf.get(b.code) ?? null })));
      await writer.add(
        houses,
        gridHouses.map((h) => ({
          ...h,
          use: 'RESIDENTIAL' as const,
          usableAreaM2: detailsOf.get(h.code)?.usableAreaM2 ?? null,
          propertyNature: detailsOf.get(h.code)?.propertyNature ?? null,
        })),
      );
      await writer.add(
        propertyCompanies,
        housing.propertyCompanies
          .filter((c) => !companiesSeen.has(c.organizationId) && companiesSeen.add(c.organizationId))
          .map((c) => ({ organizationId: c.organizationId })),
      );
      await writer.add(
        propertyCompanyBuildings,
        housing.propertyCompanies.flatMap((c) =>
          c.managedBuildingCodes.map((buildingCode) => ({ buildingCode, organizationId: c.organizationId })),
        ),
      );
      await writer.add(
        ownersCommittees,
        housing.ownersCommittees
          .filter((c) => !committeesSeen.has(c.organizationId) && committeesSeen.add(c.organizationId))
          .map((c) => ({
            organizationId: c.organizationId,
            electedOn: c.electedOn,
            filedOn: c.filedOn,
            chairResidentId: idOf(c.chairIdNumber),
          })),
      );
      await writer.add(
        ownersCommitteeBuildings,
        housing.ownersCommittees.flatMap((c) =>
          c.buildingCodes.map((buildingCode) => ({ buildingCode, organizationId: c.organizationId })),
        ),
      );
      await writer.add(
        ownerships,
        housing.ownerships.map((o) => ({
          houseCode: o.houseCode,
          ownerResidentId: o.ownerIdNumber === null ? null : idOf(o.ownerIdNumber),
          ownerOrganizationId: o.ownerOrganizationId,
          sharePercent: o.sharePercent,
          certificateNumber: o.certificateNumber,
          registeredOn: o.registeredOn,
        })),
      );
      await writer.add(
        tenancies,
        housing.tenancies.map((t) => ({
          id: t.id,
          houseCode: t.houseCode,
          gridCode: grid.code,
          landlordResidentId: t.landlordIdNumber === null ? null : idOf(t.landlordIdNumber),
          landlordOrganizationId: t.landlordOrganizationId,
          rooms: t.rooms,
          areaM2: t.areaM2,
          monthlyRent: t.monthlyRent,
          filingNumber: t.filingNumber,
          startsOn: t.startsOn,
          endsOn: t.endsOn,
        })),
      );
      await writer.add(
        tenancyOccupants,
        housing.tenancies.flatMap((t) =>
          [...new Set(t.occupantIdNumbers)].map((idNumber) => ({ tenancyId: t.id, residentId: idOf(idNumber) })),
        ),
      );
      await writer.add(
        groupRentals,
        housing.groupRentals.map(({ inspections: _, ...g }) => ({ ...g, gridCode: grid.code, communityCode, streetCode })),
      );
      await writer.add(
        groupRentalInspections,
        housing.groupRentals.flatMap((g) =>
          g.inspections.map((i, k) => ({ id: `${g.id}${String(k + 1).padStart(2, '0')}`, groupRentalId: g.id, ...i })),
        ),
      );
      // The feed starts complete: each rental's record begins with its IDENTIFY event at the stage it is at.
      await writer.add(
        groupRentalEvents,
        housing.groupRentals.map((g) => startingEvent({ ...g, gridCode: grid.code })),
      );
    },
  });
}
