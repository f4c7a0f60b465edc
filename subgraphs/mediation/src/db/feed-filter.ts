import { checkGridCode } from '@hub/core';
import { and, inArray, sql, type SQL } from 'drizzle-orm';
import type { CaseEventFilter } from '../__generated__/resolvers-types.ts';
import { checkUnit } from '../workflow/parts.ts';
import type { UnitDirectory } from '../workflow/units.ts';
import { caseEvents, cases } from './schema.ts';

/**
 * The conditions of a `CaseEventFilter` over the feed. Each field of the input is one entry here, so a condition
 * added to the input (a unit, a severity) is one more line; an empty list keeps nothing, as "any of none" says.
 */
export function caseEventFilterSql(filter: CaseEventFilter | null | undefined, units: UnitDirectory): SQL | undefined {
  if (!filter) return undefined;
  const gridCodes = filter.gridCodes?.map((code, i) => checkGridCode(code, `filter.gridCodes[${i}]`));
  const unitCodes = filter.units?.map((code, i) => checkUnit(units, code, `filter.units[${i}]`).code);
  return and(
    filter.departments != null ? inArray(caseEvents.department, filter.departments) : undefined,
    gridCodes != null ? inArray(caseEvents.gridCode, gridCodes) : undefined,
    filter.statuses != null ? inArray(caseEvents.toStatus, filter.statuses) : undefined,
    filter.actions != null ? inArray(caseEvents.action, filter.actions) : undefined,
    unitCodes != null ? inArray(caseEvents.unitCode, unitCodes) : undefined,
    // The source, the level and the severity are the case's (the source fixed at intake, the others as they stand
    // now): asked of the case row, not copied into every event.
    filter.sources != null ? casesWhere(inArray(cases.source, filter.sources)) : undefined,
    filter.levels != null ? casesWhere(inArray(cases.level, filter.levels)) : undefined,
    filter.severities != null ? casesWhere(inArray(cases.severity, filter.severities)) : undefined,
  );
}

/** Events of the cases a condition on the case row holds for, as a subquery of the feed's statement. */
const casesWhere = (condition: SQL | undefined): SQL => sql`${caseEvents.caseId} in (select ${cases.id} from ${cases} where ${condition ?? sql`false`})`;
