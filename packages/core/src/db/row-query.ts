import { Column, fillPlaceholders, is, noopDecoder, SQL } from 'drizzle-orm';
import pg from 'pg';
import { currentBatchGate } from './batch-gate.ts';
import { wireOf, type WireStatement } from './wire.ts';

/**
 * A prepared select that node-postgres runs and maps straight into drizzle's row objects.
 *
 * Through drizzle, every execution of a named statement costs node-postgres a Describe, so PostgreSQL sends the
 * statement's RowDescription again, node-postgres parses it into field objects and looks up a parser per column
 * (drizzle's `getTypeParser` hands back fresh closures for dates), builds a throwaway row object per query and an
 * array per row, and then drizzle walks each array through `mapResultRow` (an `is()` walk per column per row for its
 * decoder). Here a statement's description is asked once per connection (Describe of the statement, with its Parse),
 * later executions are Bind, Execute, Sync only, and each DataRow becomes the row object in one call of a function
 * generated for that statement and description: its keys written as literals, its decoders resolved once.
 *
 * Why generated code and not one shared loop over a key list (tried last round: 2-4x faster alone, yet slower in whole
 * fetches): a shared loop's keyed stores `result[keys[i]] = …` see every statement's keys and go megamorphic once a
 * process runs more than a handful of statements, and the objects it grows key by key end up with shapes that the
 * resolvers reading them see as many; one function per statement builds each row as one object literal, one shape.
 */

/** What drizzle's node-postgres prepared select holds, read here (its types keep these to themselves). */
interface DrizzleNodePgPrepared {
  client: pg.Pool | pg.PoolClient | pg.Client;
  params: unknown[];
  logger: { logQuery(query: string, params: unknown[]): void };
  fields?: { path: string[]; field: unknown }[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
  queryConfig: { name?: string; text: string };
  execute(values?: Record<string, unknown>): Promise<unknown>;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/** drizzle's decoder for a selected field; undefined for what it maps in ways not repeated here (subqueries). */
function decoderOf(field: unknown): Decoder | undefined {
  if (is(field, Column)) return field;
  if (is(field, SQL)) return (field as unknown as { decoder: Decoder }).decoder;
  if (is(field, SQL.Aliased)) return (field.sql as unknown as { decoder: Decoder }).decoder;
  return undefined;
}

/** A decoder that hands its value back as it is (a column's default, a plain `sql` fragment's). */
const identityDecoders = new Set<unknown>([Column.prototype.mapFromDriverValue, noopDecoder.mapFromDriverValue]);

/** node-postgres's parser for a text-format column, with drizzle's exceptions: dates, times and intervals stay text. */
const DRIZZLE_TEXT_TYPES = new Set([1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182]);
const textParser = pg.types.getTypeParser(25, 'text');
function parserOf(typeId: number): ((value: string) => unknown) | null {
  if (DRIZZLE_TEXT_TYPES.has(typeId)) return null;
  const parser = pg.types.getTypeParser(typeId, 'text') as (value: string) => unknown;
  return parser === textParser ? null : parser;
}

interface FieldDescription {
  dataTypeID: number;
  format: string;
}

type RowMaker = (raw: (string | null)[]) => unknown;

/**
 * The row maker for a statement's fields and the types PostgreSQL described: `{ key: decode(parse(raw[i])) }`, nested
 * for drizzle's nested selections (`{ row: table }`), identity steps left out.
 */
function makeRowMaker(fields: { path: string[]; decoder: Decoder }[], description: FieldDescription[]): RowMaker {
  const steps: ((value: unknown) => unknown)[] = [];
  const valueOf = (i: number): string => {
    const parse = description[i]!.format === 'text' || !description[i]!.format ? parserOf(description[i]!.dataTypeID) : null;
    const decoder = fields[i]!.decoder;
    const decode = identityDecoders.has(decoder.mapFromDriverValue) ? null : decoder;
    if (!parse && !decode) return `r[${i}]`;
    const step = parse && decode ? (v: unknown) => decode.mapFromDriverValue(parse(v as string)) : parse ? (v: unknown) => parse(v as string) : (v: unknown) => decode!.mapFromDriverValue(v);
    steps.push(step);
    return `(r[${i}] === null ? null : s[${steps.length - 1}](r[${i}]))`;
  };
  // Build the object literal's tree in the order drizzle would (its keys in first-seen order).
  type Node = Map<string, Node | string>;
  const root: Node = new Map();
  fields.forEach(({ path }, i) => {
    let node = root;
    for (let p = 0; p < path.length - 1; p++) {
      let child = node.get(path[p]!);
      if (!(child instanceof Map)) node.set(path[p]!, (child = new Map()));
      node = child;
    }
    node.set(path[path.length - 1]!, valueOf(i));
  });
  const literal = (node: Node): string =>
    `{${[...node].map(([key, value]) => `${JSON.stringify(key)}: ${typeof value === 'string' ? value : literal(value)}`).join(', ')}}`;
  return new Function('s', `return function makeRow(r) { return ${literal(root)}; };`)(steps) as RowMaker;
}

/** Row makers per statement name and connection: PostgreSQL describes a statement once per session. */
interface Described {
  description: FieldDescription[];
  makeRow: RowMaker;
}
const describedOn = new WeakMap<object, Map<string, Described>>();

/** node-postgres's connection (its protocol writer) as a query sees it at submission. */
interface Connection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?(): void; uncork?(): void };
  parse(config: { text: string; name: string; types?: unknown }): void;
  bind(config: { statement: string; values: unknown[]; portal?: string; binary?: boolean; valueMapper?: unknown }): void;
  describe(config: { type: 'S' | 'P'; name: string }): void;
  execute(config: { portal: string; rows?: number }): void;
  close(config: { type: 'S' | 'P'; name: string }): void;
  sync(): void;
}

const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/** node-postgres's Query as this subclass uses it (its typings leave out the protocol side). */
interface PgQueryInternals {
  values?: unknown[];
  _result: { rows: unknown[] };
  handleError(error: unknown, connection: unknown): void;
  handleReadyForQuery(connection: unknown): void;
}
const PgQuery = pg.Query as unknown as new (config: { name: string; text: string; values: unknown[] }) => PgQueryInternals;

class RowQuery extends PgQuery {
  private described: Described | undefined;
  private rows_: unknown[] = [];
  private failed: unknown;

  constructor(
    private readonly statement: { name: string; text: string; fields: { path: string[]; decoder: Decoder }[] },
    values: unknown[],
  ) {
    super({ name: statement.name, text: statement.text, values });
  }

  submit(connection: Connection): Error | null {
    const name = this.statement.name;
    const previous = connection.parsedStatements[name] ?? connection.submittedNamedStatements[name];
    if (previous !== undefined && previous !== this.statement.text) return new Error(`Prepared statements must be unique - '${name}' was used for a different statement`);
    let byName = describedOn.get(connection);
    if (!byName) describedOn.set(connection, (byName = new Map()));
    this.described = previous !== undefined ? byName.get(name) : undefined;
    connection.stream.cork?.();
    try {
      if (previous === undefined) {
        connection.parse({ text: this.statement.text, name });
        connection.submittedNamedStatements[name] = this.statement.text;
      }
      try {
        connection.bind({ portal: '', statement: name, values: this.values ?? [], valueMapper: prepareValue });
      } catch (error) {
        connection.close({ type: 'S', name });
        connection.sync();
        this.handleError(error, connection);
        return null;
      }
      // Once per statement and session: the statement's description (after its Parse, so it describes this text).
      if (!this.described) connection.describe({ type: 'S', name });
      connection.execute({ portal: '' });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    if (!this.described) this.connectionForDescription = connection;
    return null;
  }

  private connectionForDescription: Connection | undefined;

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    const described = { description: message.fields, makeRow: makeRowMaker(this.statement.fields, message.fields) };
    this.described = described;
    const connection = this.connectionForDescription;
    if (connection) describedOn.get(connection)?.set(this.statement.name, described);
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    if (this.failed !== undefined) return;
    try {
      this.rows_.push(this.described!.makeRow(message.fields));
    } catch (error) {
      this.failed = error;
    }
  }

  override handleReadyForQuery(connection: unknown): void {
    if (this.failed !== undefined) {
      const error = this.failed;
      this.failed = undefined;
      this.handleError(error, connection);
      return;
    }
    this._result.rows = this.rows_;
    super.handleReadyForQuery(connection);
  }
}

/**
 * Runs drizzle's prepared `statement` as a `RowQuery` when it is a select whose rows drizzle would map plainly (no
 * left-joined tables, whose all-null rows drizzle turns into null; every field's decoder known); otherwise returns
 * it unchanged. Every other behaviour stays drizzle's: placeholders filled as drizzle fills them, the logger told of
 * each execution (statement counts), the pool's own `query` (its limits, and the request's batch gate) used.
 */
export function withDirectRows<S>(statement: S): S {
  const query = statement as unknown as DrizzleNodePgPrepared;
  const { fields, client, queryConfig } = query;
  if (!fields || fields.length === 0 || query.customResultMapper || !queryConfig?.name || !(client instanceof pg.Pool)) return statement;
  if (query.joinsNotNullableMap && Object.values(query.joinsNotNullableMap).some((notNull) => !notNull)) return statement;
  const mapped: { path: string[]; decoder: Decoder }[] = [];
  for (const { path, field } of fields) {
    const decoder = decoderOf(field);
    if (!decoder || path.length === 0) return statement;
    mapped.push({ path, decoder });
  }
  const described = { name: queryConfig.name, text: queryConfig.text, fields: mapped };
  const wire = wireOf(client);
  if (wire) {
    // One row maker per description PostgreSQL gives (the same on every connection, until a migration changes it).
    const makers = new Map<string, RowMaker>();
    const onWire: WireStatement = {
      name: described.name,
      text: described.text,
      rowMaker: (description) => {
        const key = description.map((field) => `${field.dataTypeID}/${field.format}`).join(',');
        let maker = makers.get(key);
        if (!maker) makers.set(key, (maker = makeRowMaker(mapped, description)));
        return maker;
      },
    };
    query.execute = async (placeholderValues = {}) => {
      const params = fillPlaceholders(query.params, placeholderValues);
      query.logger.logQuery(queryConfig.text, params);
      // The request's loader waves wait for it as for a statement through the pool (database.ts, trackStatements).
      const gate = currentBatchGate();
      if (!gate) return wire.run(onWire, params);
      gate.statementStarted();
      try {
        return await wire.run(onWire, params);
      } finally {
        gate.statementEnded();
      }
    };
    return statement;
  }
  query.execute = async (placeholderValues = {}) => {
    const params = fillPlaceholders(query.params, placeholderValues);
    query.logger.logQuery(queryConfig.text, params);
    const result = (await client.query(new RowQuery(described, params) as never)) as unknown as { rows: unknown[] };
    return result.rows;
  };
  return statement;
}
