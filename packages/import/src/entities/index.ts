import type { RegisteredEntity } from '../entity.ts';
import { welfareImport } from './civil-affairs.ts';
import { buildingsImport, housesImport } from './housing.ts';
import { casesImport } from './mediation.ts';
import { partyMembersImport } from './party.ts';
import { floatingImport, keyPersonsImport, residentsImport } from './public-security.ts';

/** Every entity a department can import. */
export const ENTITIES: readonly RegisteredEntity[] = [
  residentsImport,
  floatingImport,
  keyPersonsImport,
  buildingsImport,
  housesImport,
  partyMembersImport,
  welfareImport,
  casesImport,
];

export function findEntity(department: string, entity: string): RegisteredEntity {
  const found = ENTITIES.find((e) => e.department === department && e.entity === entity);
  if (found) return found;
  const known = ENTITIES.map((e) => `${e.department} ${e.entity}`).join(', ');
  throw new Error(`no import for "${department} ${entity}"; importable: ${known}`);
}
