import { departmentRuntimes } from '@hub/hub/departments';
import type { RegisteredEntity } from '@hub/import';

/** Every entity a department can import, from each department's descriptor, in the hub's order of departments. */
export const ENTITIES: readonly RegisteredEntity[] = (await Promise.all(departmentRuntimes.map((r) => r.importEntities()))).flat();

export function findEntity(department: string, entity: string): RegisteredEntity {
  const found = ENTITIES.find((e) => e.department === department && e.entity === entity);
  if (found) return found;
  const known = ENTITIES.map((e) => `${e.department} ${e.entity}`).join(', ');
  throw new Error(`no import for "${department} ${entity}"; importable: ${known}`);
}
