import type { RegisteredEntity } from '../entity.ts';
import { welfareImport } from './civil-affairs.ts';
import { buildingsImport, housesImport } from './housing.ts';
import { partyMembersImport } from './party.ts';
import { residentsImport } from './public-security.ts';

/**
 * Every entity a department can import. Mediation's dispute cases join as one more definition (its own fields,
 * table and references: the grid through the graph, the committee and mediator in its own database).
 */
export const ENTITIES: readonly RegisteredEntity[] = [residentsImport, buildingsImport, housesImport, partyMembersImport, welfareImport];

export function findEntity(department: string, entity: string): RegisteredEntity {
  const found = ENTITIES.find((e) => e.department === department && e.entity === entity);
  if (found) return found;
  const known = ENTITIES.map((e) => `${e.department} ${e.entity}`).join(', ');
  throw new Error(`no import for "${department} ${entity}"; importable: ${known}`);
}
