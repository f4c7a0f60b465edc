import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * `column = any($1)` with the values as one array parameter. drizzle's `inArray` makes a parameter of each value,
 * which costs more to build than the query costs to run once there are thousands (a column page's ids).
 */
export function anyOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...values])})`;
}
