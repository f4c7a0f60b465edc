import { and, eq, fillPlaceholders, inArray, lt, sql } from 'drizzle-orm';
import { date, integer, PgDialect, pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { gridScopeWhere } from '../src/index.ts';
import { parameterize } from '../src/db/prepared.ts';

const cases = pgTable('cases', { id: text('id').primaryKey(), gridCode: text('grid_code').notNull(), dueOn: date('due_on'), version: integer('version') });
const dialect = new PgDialect();

describe('a condition taken apart for a prepared statement', () => {
  it('renders the same statement and values as the condition it came from', () => {
    const condition = and(inArray(cases.gridCode, ['320311001001001', '320311001001002']), eq(cases.version, 3), lt(cases.dueOn, '2026-01-31'), sql`left(${cases.gridCode}, 12) <> ${'320311001002'}`)!;
    const taken = parameterize(condition)!;
    const original = dialect.sqlToQuery(condition);
    const prepared = dialect.sqlToQuery(taken.sql!);
    expect(prepared.sql).toBe(original.sql);
    expect(fillPlaceholders(prepared.params, taken.values)).toEqual(original.params);
  });

  it('gives conditions that differ only in their values one shape, and others another', () => {
    const shapeOf = (grids: string[], communities: string[]) =>
      parameterize(gridScopeWhere({ allGrids: false, grids: new Set(grids), communities: new Set(communities) }, cases.gridCode))!;
    const a = shapeOf(['320311001001001'], ['320311001002']);
    const b = shapeOf(['320311009009009'], ['320311001003']);
    expect(a.shape).toBe(b.shape);
    expect(Object.values(a.values)).not.toEqual(Object.values(b.values));
    expect(shapeOf(['320311001001001', '320311001001002'], ['320311001002']).shape).not.toBe(a.shape);
    expect(shapeOf(['320311001001001'], []).shape).not.toBe(a.shape);
    expect(parameterize(eq(cases.id, 'x'))!.shape).not.toBe(parameterize(eq(cases.gridCode, 'x'))!.shape);
    expect(parameterize(undefined)).toEqual({ shape: '', sql: undefined, values: {} });
  });

  it('declines what it cannot take apart, so that statement is built per call', () => {
    expect(parameterize(eq(cases.id, sql.placeholder('id')))).toBeNull();
  });
});

describe("a column page's keys in rowsOfKeys", () => {
  it('go through an InitPlan, so that planning never reads the array of keys', async () => {
    const { amongKeys } = await import('../src/column-pages.ts');
    // `= any($1)` would bind the array as a constant into every (custom) plan, estimated key by key.
    expect(dialect.sqlToQuery(amongKeys(cases.id, sql.placeholder('keys'))).sql).toBe('"cases"."id" = any((select $1::text[])::text[])');
  });
});
