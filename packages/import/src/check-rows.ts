/**
 * Check, the second step of an import: a row of the file becomes a row for the table, or is refused with its
 * problems. Each row is checked on its own (its shape, each field, the entity's cross-field rules) and against the
 * rows before it (duplicate keys and unique values); a batch's references are checked where it is written, in its
 * transaction.
 */
import type { PgTable } from 'drizzle-orm/pg-core';
import { FieldValues, type EntityDefinition, type FieldProblem, type PendingRow, type ReferenceContext } from './entity.ts';
import type { Field } from './fields.ts';
import { KeyIndex } from './key-index.ts';
import { PROBLEMS, type Problem } from './problems.ts';
import type { SourceRow } from './read/source.ts';
import type { AcceptedFile } from './read-header.ts';
import type { RejectReport } from './reject-report.ts';

/** One reason a row is refused, with the cell it concerns (none for a row that is unreadable as a whole). */
export interface Rejection {
  field: Field<unknown> | null;
  value: string;
  problem: Problem;
}

/** Refused rows: counted, and written to the reject report under the file's own headers. */
export class Rejections {
  count = 0;

  constructor(
    private readonly report: RejectReport,
    private readonly file: AcceptedFile,
  ) {}

  get lines(): number {
    return this.report.lines;
  }

  async add(row: number, problems: readonly Rejection[]): Promise<void> {
    this.count++;
    for (const p of problems) await this.report.add(row, p.field ? this.file.headerOf(p.field) : '', p.value, p.field?.personal, p.problem);
  }

  close(): Promise<void> {
    return this.report.close();
  }
}

export type Checked<TInsert, TExtra> = { pending: PendingRow<TInsert, TExtra> } | { problems: Rejection[] };

/** Checks the rows of one file in file order; remembers the keys and unique values of the rows it let through. */
export class RowChecker<TTable extends PgTable, TExtra> {
  private readonly positions: Map<Field<unknown>, number>;
  /** Per mapped field: its position among the entity's fields and its column in the file. */
  private readonly columns: { field: Field<unknown>; at: number; column: number }[];
  private readonly mapped: Set<Field<unknown>>;
  private readonly values: unknown[];
  private readonly firstRowOfKey = new KeyIndex();
  private readonly uniqueSeen: Map<Field<unknown>, KeyIndex>;

  constructor(
    private readonly definition: EntityDefinition<TTable, TExtra>,
    private readonly file: AcceptedFile,
    private readonly secret: string,
  ) {
    this.positions = new Map(definition.fields.map((field, at) => [field, at]));
    this.columns = [...file.mapping.columns].map(([field, column]) => ({ field, at: this.positions.get(field)!, column }));
    this.mapped = new Set(file.mapping.columns.keys());
    this.uniqueSeen = new Map((definition.uniqueFields ?? []).map((f) => [f, new KeyIndex()]));
    this.values = new Array<unknown>(definition.fields.length);
  }

  check(sourceRow: SourceRow): Checked<TTable['$inferInsert'], TExtra> {
    const { definition, file, values } = this;
    if (sourceRow.unreadable === 'not-json') return { problems: [{ field: null, value: '', problem: PROBLEMS.notJson }] };
    const { cells } = sourceRow;
    const width = file.source.header.length;
    if (cells.length > width && cells.slice(width).some((c) => c.trim() !== '')) {
      return { problems: [{ field: null, value: '', problem: PROBLEMS.malformedRow }] };
    }
    values.fill(undefined);
    let problems: Rejection[] | null = null;
    for (const { field, at, column } of this.columns) {
      const text = (cells[column] ?? '').trim();
      if (text === '') {
        if (field.required) (problems ??= []).push({ field, value: text, problem: PROBLEMS.required });
        continue;
      }
      const parsed = field.parse(text);
      if ('problem' in parsed) (problems ??= []).push({ field, value: text, problem: parsed.problem });
      else values[at] = parsed.value;
    }
    if (problems) return { problems };
    const built = definition.build(new FieldValues(values, this.positions, this.mapped), { secret: this.secret });
    if ('problems' in built) {
      return { problems: built.problems.map((p) => ({ field: p.field, value: file.textOf(cells, p.field), problem: p.problem })) };
    }
    const first = this.firstRowOfKey.get(built.key);
    if (first !== undefined) {
      return { problems: [{ field: definition.keyField, value: file.textOf(cells, definition.keyField), problem: PROBLEMS.duplicateKey(first) }] };
    }
    for (const [field, seen] of this.uniqueSeen) {
      const value = file.textOf(cells, field);
      // An optional unique value left empty is no value, and shares nothing.
      if (value === '') continue;
      const firstWith = seen.get(value);
      if (firstWith !== undefined) return { problems: [{ field, value, problem: PROBLEMS.duplicateKey(firstWith) }] };
    }
    this.firstRowOfKey.set(built.key, sourceRow.row);
    for (const [field, seen] of this.uniqueSeen) if (file.textOf(cells, field) !== '') seen.set(file.textOf(cells, field), sourceRow.row);
    // An entity without extras builds none: its rows carry undefined, which is what its TExtra is.
    return { pending: { row: sourceRow.row, values: built.row, extra: built.extra as TExtra, cells } };
  }
}

/**
 * The batch's references, checked in its transaction by the entity (its own tables, and other departments' codes
 * through `foreign`): rows that name what does not exist are refused; the others are returned, to be written.
 */
export async function checkReferences<TTable extends PgTable, TExtra>(
  definition: EntityDefinition<TTable, TExtra>,
  rows: PendingRow<TTable['$inferInsert'], TExtra>[],
  context: ReferenceContext,
  rejections: Rejections,
  file: AcceptedFile,
): Promise<PendingRow<TTable['$inferInsert'], TExtra>[]> {
  const refused = definition.checkReferences ? await definition.checkReferences(rows, context) : new Map();
  const accepted: PendingRow<TTable['$inferInsert'], TExtra>[] = [];
  for (const row of rows) {
    const problems = refused.get(row);
    if (problems) await rejections.add(row.row, problems.map((p: FieldProblem) => ({ field: p.field, value: file.textOf(row.cells, p.field), problem: p.problem })));
    else accepted.push(row);
  }
  return accepted;
}
