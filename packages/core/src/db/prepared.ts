import { createHash } from 'node:crypto';
import { Column, getTableName, is, Name, Param, Placeholder, SQL, sql, StringChunk, Table } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { withDirectRows } from './row-query.ts';

/**
 * Prepared statements for the loaders' hot statements. Building a select with drizzle (its selection, its conditions)
 * cost more CPU than PostgreSQL spent running it on a key lookup, and a statement sent unnamed is parsed and planned
 * afresh every time. A statement here is built once per database and shape, named, and then only executed with
 * its values; PostgreSQL parses it once per connection.
 */
type Db = NodePgDatabase<Record<string, unknown>>;

/** A drizzle prepared query: run with its placeholders' values. */
export interface PreparedStatement<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

/** Shapes per database at most; past this, statements are built per call as before (a shape per grid-worker scope size, say). */
const MAX_STATEMENTS = 2000;
const statements = new WeakMap<Db, Map<string, PreparedStatement<unknown>>>();

/**
 * The statement of this shape on this database, prepared by `build` the first time. `key` must determine the
 * statement's text entirely (the name is derived from it, and PostgreSQL holds one text per name and connection).
 * Inside a transaction nothing is kept (a transaction is its own short-lived session): undefined, build it as usual.
 */
export function preparedStatement<R>(db: Db, key: string, build: (name: string) => PreparedStatement<R>): PreparedStatement<R> | undefined {
  if (is(db, PgTransaction)) return undefined;
  let byKey = statements.get(db);
  if (!byKey) statements.set(db, (byKey = new Map()));
  let statement = byKey.get(key) as PreparedStatement<R> | undefined;
  if (!statement) {
    if (byKey.size >= MAX_STATEMENTS) return undefined;
    statement = withDirectRows(build(`hub_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`));
    byKey.set(key, statement as PreparedStatement<unknown>);
  }
  return statement;
}

/** A condition with its values taken out as placeholders: its `shape` names its text, `values` fill it. */
export interface ParameterizedSql {
  shape: string;
  sql: SQL | undefined;
  values: Record<string, unknown>;
}

/**
 * Takes every value out of a condition (a row scope, a filter) as a placeholder named `<prefix><n>`, so that one
 * prepared statement serves every value. Null when the condition holds something this does not know how to take
 * apart (a subquery, an inlined SQL value): such a statement is then built per call.
 */
export function parameterize(condition: SQL | undefined, prefix = 'w'): ParameterizedSql | null {
  if (condition === undefined) return { shape: '', sql: undefined, values: {} };
  const values: Record<string, unknown> = {};
  let n = 0;
  const shape: string[] = [];
  const take = (value: unknown): Placeholder => {
    const name = `${prefix}${n++}`;
    values[name] = value;
    shape.push('?');
    return sql.placeholder(name);
  };
  const walk = (chunk: unknown): unknown => {
    if (chunk === undefined) return chunk;
    if (is(chunk, StringChunk)) {
      shape.push(chunk.value.join(''));
      return chunk;
    }
    if (is(chunk, Column)) {
      shape.push(`"${getTableName(chunk.table)}"."${chunk.name}"`);
      return chunk;
    }
    if (is(chunk, Table)) {
      shape.push(`"${getTableName(chunk)}"`);
      return chunk;
    }
    if (is(chunk, Name)) {
      shape.push(`"${chunk.value}"`);
      return chunk;
    }
    if (is(chunk, SQL)) {
      shape.push('{');
      const inner = new SQL(chunk.queryChunks.map(walk) as SQL['queryChunks']);
      shape.push('}');
      return inner;
    }
    if (Array.isArray(chunk)) {
      shape.push('[');
      const list = chunk.map(walk);
      shape.push(']');
      return list;
    }
    if (is(chunk, Param)) {
      if (is(chunk.value, Placeholder)) throw UNKNOWN;
      const mapped = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value);
      if (is(mapped, SQL)) throw UNKNOWN;
      return take(mapped);
    }
    if (chunk === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof chunk) || chunk instanceof Date) return take(chunk);
    // Placeholders, subqueries, views, aliases, enums: not taken apart here.
    throw UNKNOWN;
  };
  try {
    const parameterized = walk(condition) as SQL;
    return { shape: shape.join(''), sql: parameterized, values };
  } catch (error) {
    if (error === UNKNOWN) return null;
    throw error;
  }
}

const UNKNOWN = new Error('not parameterizable');
