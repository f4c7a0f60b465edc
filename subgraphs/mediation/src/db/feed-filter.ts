import { checkGridCode } from '@hub/core';
import { and, inArray, sql, type SQL } from 'drizzle-orm';
import type { CaseEventFilter } from '../__generated__/resolvers-types.ts';
import { caseEvents, cases } from './schema.ts';

/**
 * The conditions of a `CaseEventFilter` over the feed. Each field of the input is one entry here, so a condition
 * added to the input (a unit, a severity) is one more line; an empty list keeps nothing, as "any of none" says.
 */
export function caseEventFilterSql(filter: CaseEventFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const gridCodes = filter.gridCodes?.map((code, i) => checkGridCode(code, `filter.gridCodes[${i}]`));
  return and(
    filter.departments != null ? inArray(caseEvents.department, filter.departments) : undefined,
    gridCodes != null ? inArray(caseEvents.gridCode, gridCodes) : undefined,
    filter.statuses != null ? inArray(caseEvents.toStatus, filter.statuses) : undefined,
    filter.actions != null ? inArray(caseEvents.action, filter.actions) : undefined,
    // The source is the case's, fixed at intake: asked of the case row, not copied into every event.
    filter.sources != null ? casesFromSources(filter.sources) : undefined,
  );
}

/** Ids of the cases received through one of the sources, as a subquery of the feed's statement. */
const casesFromSources = (sources: NonNullable<CaseEventFilter['sources']>): SQL =>
  sql`${caseEvents.caseId} in (select ${cases.id} from ${cases} where ${inArray(cases.source, sources)})`;
