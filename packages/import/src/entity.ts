import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Field } from './fields.ts';
import type { Problem } from './problems.ts';

/** The values a row's fields parsed to; a field the file lacks or left empty reads as null. */
export class FieldValues {
  /**
   * @param values each field's value at the field's position in `positions` (undefined: empty or no column)
   * @param positions every field of the entity and its position in `values`; fields the file maps are in `mapped`
   */
  constructor(
    private readonly values: readonly unknown[],
    private readonly positions: ReadonlyMap<Field<unknown>, number>,
    private readonly mapped: ReadonlySet<Field<unknown>>,
  ) {}

  get<T>(field: Field<T>): T | null {
    const at = this.positions.get(field);
    // Values are stored at the position of the field that parsed them, so each has that field's type.
    return at === undefined ? null : ((this.values[at] as T | undefined) ?? null);
  }

  /**
   * The value, null when the cell is empty, undefined when the file has no such column at all: an upsert leaves a
   * column the file does not carry as it is, rather than clearing it.
   */
  cell<T>(field: Field<T>): T | null | undefined {
    if (!this.mapped.has(field)) return undefined;
    return this.get(field);
  }

  /** A required field's value: validation has already refused rows without one. */
  require<T>(field: Field<T>): T {
    const value = this.get(field);
    if (value === null) throw new Error(`field ${field.name} is required`);
    return value;
  }
}

export interface FieldProblem {
  field: Field<unknown>;
  problem: Problem;
}

/** A row that passed its own checks and waits, in a batch, for its references to be checked and for the upsert. */
export interface PendingRow<TInsert, TExtra = undefined> {
  row: number;
  values: TInsert;
  /** What the row carries beside its table row (a case's parties), for `afterWrite`. */
  extra: TExtra;
  /** The row's cells as read from the file, for the reject report. */
  cells: readonly string[];
}

/**
 * Codes owned by other departments, checked without reaching into their databases: through the graph, or (when no
 * gateway is given) by their format only, which each field has already checked.
 */
export interface ForeignReferences {
  /** How they were checked, for the summary. */
  readonly mode: 'graph' | 'format';
  /** The grids (civil affairs) among `codes` that exist. */
  existingGrids(codes: readonly string[]): Promise<Set<string>>;
  /** The houses (housing) among `codes` that exist. */
  existingHouses(codes: readonly string[]): Promise<Set<string>>;
}

export interface ReferenceContext {
  /** The importing department's own database: its own references are checked there, inside the batch's transaction. */
  client: pg.PoolClient;
  foreign: ForeignReferences;
}

export interface WriteContext {
  /** The batch's transaction. */
  client: pg.PoolClient;
  /** Who is importing, as the import record keeps it. */
  importedBy: string;
}

/**
 * What an importable entity is: which department's table it fills, the fields a file may carry, how a valid row
 * becomes a table row, its natural key, and the references a batch must check before it is written. A new entity
 * (mediation's cases, say) is one more of these, in the entity list of its department.
 */
export interface EntityDefinition<TTable extends PgTable = PgTable, TExtra = undefined> {
  department: string;
  /** The name on the command line: `npm run import -- <department> <entity> <file>`. */
  entity: string;
  title: string;
  fields: readonly Field<unknown>[];
  table: TTable;
  /** The natural key the upsert conflicts on. */
  conflictColumns: readonly PgColumn[];
  /** Set to now() when a row changes (never compared). */
  touchColumn?: PgColumn;
  /**
   * Rows are inserted once and never changed by an import: a row whose key exists is left as it is and counted
   * unchanged (cases, which change only through their workflow).
   */
  insertOnly?: boolean;
  /** The field the natural key comes from, named in duplicate-key rejections. */
  keyField: Field<unknown>;
  /**
   * Further unique values besides the key (a party member's number): a file holding one twice is refused like a
   * duplicate key, and one the database holds for another record is refused by `checkReferences`.
   */
  uniqueFields?: readonly Field<unknown>[];
  /** A row from its parsed fields: the row and its natural key, or the problems that refuse it (cross-field checks). */
  build(
    values: FieldValues,
    context: { secret: string },
  ): { row: TTable['$inferInsert']; key: string; extra?: TExtra } | { problems: FieldProblem[] };
  /** Refuses rows of a batch whose references do not exist; may complete rows from what it looked up. */
  checkReferences?(
    rows: PendingRow<TTable['$inferInsert'], TExtra>[],
    context: ReferenceContext,
  ): Promise<Map<PendingRow<TTable['$inferInsert'], TExtra>, FieldProblem[]>>;
  /**
   * Runs in the batch's transaction after its rows were written, with the rows that were inserted or updated (not
   * those left unchanged): the records that belong with them (a case's parties and its first event) are written
   * here, so they commit or roll back with the row.
   */
  afterWrite?(written: PendingRow<TTable['$inferInsert'], TExtra>[], context: WriteContext): Promise<void>;
}

/**
 * An entity as the registry lists it, with its table type hidden: the entities of all departments sit in one list,
 * and `use` hands the fully typed definition to code generic over the table.
 */
export interface RegisteredEntity {
  department: string;
  entity: string;
  title: string;
  fields: readonly Field<unknown>[];
  use<R>(action: <TTable extends PgTable, TExtra>(definition: EntityDefinition<TTable, TExtra>) => R): R;
}

export function defineEntity<TTable extends PgTable, TExtra = undefined>(definition: EntityDefinition<TTable, TExtra>): RegisteredEntity {
  return {
    department: definition.department,
    entity: definition.entity,
    title: definition.title,
    fields: definition.fields,
    use: (action) => action(definition),
  };
}
