import { ageOn, isRow, maskName, MINOR_AGE, outsideScope } from '@hub/core';
import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';


const isMinor = (birthDate: string) => ageOn(birthDate) < MINOR_AGE;

export const Resident: ResidentResolvers = {
  /**
   * Another department's reference to a person (a committee's chair, a member, a party to a case). Someone on the
   * register but outside the caller's grids is an OUTSIDE_SCOPE error, which the gateway turns into a null
   * reference with that error at its path (gateway/src/withheld-references.ts); an id on no register is null.
   */
  __resolveReference: async ({ id }, { loaders, scope }) => {
    const row = await loaders.residentById.load(id);
    if (row || scope.allGrids || !(await loaders.residentOnRegister.load(id))) return row;
    throw outsideScope('The person referred to');
  },
  // Masked unless the caller's disclosure allows (scope and purpose); names for roles that may not know who.
  name: (r, _, { masks }) =>
    isMinor(r.birthDate) && !masks.disclosure.minors ? maskName(r.name) : masks.name(r.name),
  birthDate: (r, _, { masks }) => (isMinor(r.birthDate) && !masks.disclosure.minors ? null : r.birthDate),
  idNumber: (r, _, { masks }) => masks.idNumber(r.idNumber),
  // A passport or permit number identifies as surely as an ID number, so it is masked alike.
  documentNumber: (r, _, { masks }) => masks.idNumber(r.documentNumber),
  hukouPlace: (r) => (r.hukouDivisionCode || r.hukouPoliceStation || r.registeredAddress ? r : null),
  household: (r, _, { loaders }) => (r.householdId ? loaders.householdById.load(r.householdId) : null),
  hukouHousehold: (r, _, { loaders }) => (r.hukouHouseholdId ? loaders.householdById.load(r.hukouHouseholdId) : null),
  // Rows from before tenancy was a tenure still say TENANT: answered as GB/T 4761 has it, a non-relative renting.
  relationToHead: (r) => (r.relationToHead === 'TENANT' ? 'NON_RELATIVE' : r.relationToHead),
  tenure: (r) => r.tenure ?? (r.relationToHead === 'TENANT' ? 'RENTED' : null),
  overseas: (r, _, { loaders }) => (r.populationType === 'OVERSEAS' ? loaders.overseasByResidentId.load(r.id) : null),
  phone: (r, _, { masks }) => masks.phone(r.phone),
  registeredAddress: (r, _, { masks }) => masks.address(r.registeredAddress),
  age: (r) => ageOn(r.birthDate),
  residence: (r) => (r.houseCode ? { code: r.houseCode } : null),
  grid: (r) => ({ code: r.gridCode }),
  floating: (r, _, { loaders }) => (r.populationType === 'FLOATING' ? loaders.floatingByResidentId.load(r.id) : null),
  keyPerson: (r, _, { loaders }) => loaders.keyPersonByResident.load(r.id),
  incidents: async (r, _, { loaders }) => {
    const involvements = await loaders.involvementsByResident.load(r.id);
    const ids = [...new Set(involvements.map((i) => i.incidentId))];
    return (await loaders.incidentById.loadMany(ids)).filter(isRow);
  },
};
