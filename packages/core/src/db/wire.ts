import pg from 'pg';

/**
 * The loaders' prepared selects on connections of their own, spoken to in PostgreSQL's extended protocol directly.
 *
 * Through `pool.query(new RowQuery(…))` every execution paid pg-pool's checkout and release (promises, a pending
 * item, an idle timer set and cleared per release), node-postgres's Client queue and Query (an event emitter), and
 * pg-protocol's parser, which makes an object per message and emits each through the connection's emitter to the
 * client and on to the query. Here the hot path's connections are checked out of the department's pool once and kept:
 * their socket's bytes are read here (messages dispatched by their type byte to the statement at the head of the
 * connection's queue, DataRows' fields cut out straight for the statement's row maker), and the statements of one
 * turn of the event loop are written together, one write on one connection, each with its own Sync so that an
 * error ends only its own statement, answered in order (pipelining). Statements are parsed and described once per
 * connection, as before.
 *
 * Everything else (transactions, COPY, LISTEN, drizzle's other statements) stays on node-postgres through the pool,
 * which keeps at least half its connections for them; a pool of one connection is left to node-postgres entirely.
 */

/** What a statement's rows are built from: PostgreSQL's description of it, once per connection. */
export interface FieldDescription {
  dataTypeID: number;
  format: string;
}

/** A prepared statement as the wire runs it: its name, its text, and how to turn its description into a row maker. */
export interface WireStatement {
  name: string;
  text: string;
  rowMaker(description: FieldDescription[]): (raw: (string | null)[]) => unknown;
}

type RowMaker = (raw: (string | null)[]) => unknown;

/** A statement's state on one connection. */
interface OnConnection {
  text: string;
  /** Its row maker, once PostgreSQL has described it on this connection. */
  makeRow?: RowMaker;
  /** Its Parse failed or it was found stale: the next use closes it and parses it afresh. */
  stale?: boolean;
}

interface Execution {
  statement: WireStatement;
  values: unknown[];
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
  rows: unknown[];
  makeRow?: RowMaker;
  error?: unknown;
  retried: boolean;
}

const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/** PostgreSQL's errors that a statement prepared before a migration meets; parsed afresh and run again, once. */
function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  // 0A000 with this message: a column's type changed under the cached statement; 26000: the statement is gone.
  return (code === '0A000' && message === 'cached plan must not change result type') || code === '26000';
}

/** Counters tests and benchmarks read. */
export interface WireStats {
  /** Socket writes: each carries every statement of one turn of the event loop on that connection. */
  writes: number;
  /** Statements written (retries included). */
  statements: number;
  /** Describes asked for (once per statement and connection, again after a re-prepare). */
  describes: number;
  /** Statements run again after PostgreSQL found their cached plan stale. */
  reprepared: number;
}

class Writer {
  private buffer = Buffer.allocUnsafe(1024);
  private length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }
  int16(value: number): void {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.length);
    this.length += 2;
  }
  int32(value: number): void {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
  }
  cstring(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.ensure(bytes + 1);
    this.buffer.write(value, this.length, 'utf8');
    this.length += bytes;
    this.buffer[this.length++] = 0;
  }
  bytes(value: Buffer): void {
    this.ensure(value.length);
    value.copy(this.buffer, this.length);
    this.length += value.length;
  }
  text(value: string): number {
    const bytes = Buffer.byteLength(value);
    this.ensure(bytes);
    this.buffer.write(value, this.length, 'utf8');
    this.length += bytes;
    return bytes;
  }
  int32At(at: number, value: number): void {
    this.buffer.writeInt32BE(value, at);
  }
  /** Starts a message of `type`; `end(start)` fills in its length. */
  begin(type: number): number {
    this.byte(type);
    const start = this.length;
    this.int32(0);
    return start;
  }
  end(start: number): void {
    this.buffer.writeInt32BE(this.length - start, start);
  }
  /** The bytes written so far, handed over; the writer starts again empty. */
  take(): Buffer {
    const out = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(1024);
    this.length = 0;
    return out;
  }
  get size(): number {
    return this.length;
  }
}

const P = 0x50, B = 0x42, D = 0x44, E = 0x45, S = 0x53, C = 0x43;

/** Bind's parameters, encoded before anything is written, so a value that cannot be encoded fails its own statement alone. */
function encodeValues(values: unknown[]): (string | Buffer | null)[] {
  return values.map((value) => prepareValue(value) as string | Buffer | null);
}

/** The fields of an ErrorResponse, as node-postgres's DatabaseError carries them (so error mapping sees the same error). */
function databaseError(buffer: Buffer, start: number, end: number): Error {
  const fields: Record<string, string> = {};
  let p = start;
  while (p < end && buffer[p] !== 0) {
    const key = String.fromCharCode(buffer[p]!);
    const close = buffer.indexOf(0, p + 1);
    fields[key] = buffer.toString('utf8', p + 1, close);
    p = close + 1;
  }
  const error = new pg.DatabaseError(fields.M ?? 'unknown error', end - start + 4, 'error') as pg.DatabaseError & Record<string, unknown>;
  error.severity = fields.V ?? fields.S;
  error.code = fields.C;
  error.detail = fields.D;
  error.hint = fields.H;
  error.position = fields.P;
  error.internalPosition = fields.p;
  error.internalQuery = fields.q;
  error.where = fields.W;
  error.schema = fields.s;
  error.table = fields.t;
  error.column = fields.c;
  error.dataType = fields.d;
  error.constraint = fields.n;
  error.file = fields.F;
  error.line = fields.L;
  error.routine = fields.R;
  return error;
}

function rowDescription(buffer: Buffer, start: number): FieldDescription[] {
  const count = buffer.readInt16BE(start);
  const fields: FieldDescription[] = [];
  let p = start + 2;
  for (let i = 0; i < count; i++) {
    p = buffer.indexOf(0, p) + 1; // the column's name
    const dataTypeID = buffer.readInt32BE(p + 6);
    const format = buffer.readInt16BE(p + 16);
    fields.push({ dataTypeID, format: format === 0 ? 'text' : 'binary' });
    p += 18;
  }
  return fields;
}

/** `toString('utf8', start, end)` without its argument checks and encoding lookup, per field (Node 20 and 24 alike). */
type Utf8Slicing = Buffer & { utf8Slice(start: number, end: number): string };

class WireConnection {
  /** Executions written (or to be written this turn), answered in this order. */
  private readonly queue: Execution[] = [];
  private head = 0;
  private readonly statements = new Map<string, OnConnection>();
  private readonly out = new Writer();
  private flushScheduled = false;
  private rest: Buffer | undefined;
  alive = true;

  constructor(
    private readonly wire: WirePool,
    private readonly client: pg.PoolClient,
    private readonly stream: NodeJS.ReadWriteStream & { destroy(): void; write(data: Buffer): boolean },
  ) {
    // node-postgres's parser lets go of the socket; its own close/error handlers stay, told nothing is in flight.
    stream.removeAllListeners('data');
    stream.on('data', (chunk: Buffer) => this.read(chunk));
    stream.on('close', () => this.die(new Error('Connection terminated unexpectedly')));
    stream.on('error', (error: Error) => this.die(error));
    client.on('error', () => {});
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Queues `execution` for this turn's write. */
  submit(execution: Execution): void {
    const { name, text } = execution.statement;
    let encoded: (string | Buffer | null)[];
    try {
      encoded = encodeValues(execution.values);
    } catch (error) {
      execution.reject(error);
      if (this.inFlight === 0) this.wire.idle(this);
      return;
    }
    let state = this.statements.get(name);
    if (state && state.text !== text) {
      execution.reject(new Error(`Prepared statements must be unique - '${name}' was used for a different statement`));
      if (this.inFlight === 0) this.wire.idle(this);
      return;
    }
    const out = this.out;
    if (!state || state.stale) {
      if (state?.stale) {
        const close = out.begin(C);
        out.byte(S);
        out.cstring(name);
        out.end(close);
      }
      this.statements.set(name, (state = { text }));
      const parse = out.begin(P);
      out.cstring(name);
      out.cstring(text);
      out.int16(0);
      out.end(parse);
    }
    const bind = out.begin(B);
    out.byte(0); // the unnamed portal
    out.cstring(name);
    const binary = encoded.some((value) => value instanceof Buffer);
    if (binary) {
      out.int16(encoded.length);
      for (const value of encoded) out.int16(value instanceof Buffer ? 1 : 0);
    } else out.int16(0);
    out.int16(encoded.length);
    for (const value of encoded) {
      if (value === null || value === undefined) out.int32(-1);
      else if (value instanceof Buffer) {
        out.int32(value.length);
        out.bytes(value);
      } else {
        const at = out.size;
        out.int32(0);
        out.int32At(at, out.text(String(value)));
      }
    }
    out.int16(0); // every result column as text
    out.end(bind);
    execution.makeRow = state.makeRow;
    if (!state.makeRow) {
      // Once per statement and connection (after its Parse, so it describes this text).
      const describe = out.begin(D);
      out.byte(S);
      out.cstring(name);
      out.end(describe);
      this.wire.stats.describes++;
    }
    out.bytes(EXECUTE_SYNC);
    this.wire.stats.statements++;
    this.queue.push(execution);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Every statement of this turn in one write. */
  private readonly flush = () => {
    this.flushScheduled = false;
    this.wire.flushed(this);
    if (!this.alive || this.out.size === 0) return;
    this.wire.stats.writes++;
    this.stream.write(this.out.take());
  };

  get scheduled(): boolean {
    return this.flushScheduled;
  }

  private read(chunk: Buffer): void {
    let buffer = chunk;
    if (this.rest) {
      buffer = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    let offset = 0;
    const length = buffer.length;
    while (offset + 5 <= length) {
      const size = buffer.readInt32BE(offset + 1);
      const end = offset + 1 + size;
      if (end > length) break;
      this.message(buffer[offset]!, buffer, offset + 5, end);
      offset = end;
    }
    if (offset < length) this.rest = buffer.subarray(offset);
  }

  private message(type: number, buffer: Buffer, start: number, end: number): void {
    const execution = this.head < this.queue.length ? this.queue[this.head]! : undefined;
    switch (type) {
      case 0x44: {
        // DataRow
        if (!execution || execution.error !== undefined) return;
        const count = buffer.readInt16BE(start);
        const raw: (string | null)[] = new Array(count);
        let p = start + 2;
        for (let i = 0; i < count; i++) {
          const size = buffer.readInt32BE(p);
          p += 4;
          if (size < 0) raw[i] = null;
          else {
            raw[i] = (buffer as Utf8Slicing).utf8Slice(p, p + size);
            p += size;
          }
        }
        try {
          execution.rows.push(execution.makeRow!(raw));
        } catch (error) {
          execution.error = error;
        }
        return;
      }
      case 0x54: {
        // RowDescription: the statement's row maker on this connection.
        if (!execution) return;
        const state = this.statements.get(execution.statement.name);
        try {
          const makeRow = execution.statement.rowMaker(rowDescription(buffer, start));
          execution.makeRow = makeRow;
          if (state && !state.stale) state.makeRow = makeRow;
        } catch (error) {
          execution.error = error;
        }
        return;
      }
      case 0x45: {
        // ErrorResponse: PostgreSQL skips to the statement's Sync, whose ReadyForQuery settles it.
        const error = databaseError(buffer, start, end);
        if (execution) {
          execution.error ??= error;
          // Whether its Parse or a later step failed, the name's state on the server is not known: close and parse it next time.
          const state = this.statements.get(execution.statement.name);
          if (state) state.stale = true;
        }
        if ((error as { severity?: string }).severity === 'FATAL' || (error as { severity?: string }).severity === 'PANIC') this.die(error);
        return;
      }
      case 0x5a: {
        // ReadyForQuery
        if (!execution) return;
        this.queue[this.head] = undefined as never;
        this.head++;
        if (this.head === this.queue.length) {
          this.queue.length = 0;
          this.head = 0;
        }
        const { error } = execution;
        if (error === undefined) execution.resolve(execution.rows);
        else if (!execution.retried && isStalePlan(error)) {
          this.wire.stats.reprepared++;
          execution.retried = true;
          execution.error = undefined;
          execution.rows = [];
          execution.makeRow = undefined;
          this.submit(execution);
        } else execution.reject(error);
        if (this.inFlight === 0) this.wire.idle(this);
        return;
      }
      // ParseComplete, BindComplete, CloseComplete, NoData, CommandComplete, notices, parameter statuses,
      // notifications: nothing to do for a select's rows.
      default:
        return;
    }
  }

  /** The connection is gone (killed, the server restarted, the network): every statement on it fails, the pool drops it. */
  die(error: unknown): void {
    if (!this.alive) return;
    this.alive = false;
    this.wire.remove(this);
    const waiting = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const execution of waiting) execution.reject(execution.error ?? error);
    this.client.release(error instanceof Error ? error : new Error(String(error)));
  }

  /** Hands the connection back to the pool, ending it (the pool is closing). */
  close(): void {
    if (!this.alive) return;
    this.alive = false;
    const waiting = this.queue.slice(this.head);
    this.queue.length = 0;
    for (const execution of waiting) execution.reject(new Error('Connection terminated'));
    this.client.release(new Error('the pool is closing'));
  }
}

const EXECUTE_SYNC = (() => {
  const w = new Writer();
  const execute = w.begin(E);
  w.byte(0);
  w.int32(0);
  w.end(execute);
  const sync = w.begin(S);
  w.end(sync);
  return Buffer.from(w.take());
})();

/** The hot path's connections of one department's pool. */
export class WirePool {
  readonly stats: WireStats = { writes: 0, statements: 0, describes: 0, reprepared: 0 };
  private readonly connections: WireConnection[] = [];
  private readonly idleOnes: WireConnection[] = [];
  /** The connection this turn's statements go on (one write for all of them). */
  private current: WireConnection | undefined;
  private opening = 0;
  private readonly waiting: Execution[] = [];
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly size: number,
  ) {}

  run(statement: WireStatement, values: unknown[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const execution: Execution = { statement, values, resolve, reject, rows: [], retried: false };
      if (this.closed) return reject(new Error('Cannot use a pool after calling end on the pool'));
      const connection = this.pick();
      if (connection) connection.submit(execution);
      else this.waiting.push(execution);
    });
  }

  private pick(): WireConnection | undefined {
    if (this.current?.alive && this.current.scheduled) return this.current;
    let chosen = this.idleOnes.pop();
    if (!chosen) {
      if (this.connections.length + this.opening < this.size) this.open();
      // Meanwhile, behind the connection with the least in flight (PostgreSQL answers a connection's statements in turn).
      for (const connection of this.connections) if (!chosen || connection.inFlight < chosen.inFlight) chosen = connection;
    }
    this.current = chosen;
    return chosen;
  }

  private open(): void {
    this.opening++;
    this.pool.connect().then(
      (client) => {
        this.opening--;
        if (this.closed) return client.release(new Error('the pool is closing'));
        const stream = (client as unknown as { connection: { stream: WireConnection['stream'] } }).connection.stream;
        const connection = new WireConnection(this, client, stream);
        this.connections.push(connection);
        const waiting = this.waiting.splice(0);
        if (waiting.length === 0) this.idleOnes.push(connection);
        for (const execution of waiting) connection.submit(execution);
      },
      (error: unknown) => {
        this.opening--;
        // Nothing to run them on: those waiting for this connection fail with its error, if none other is coming.
        if (this.opening === 0 && this.connections.length === 0) for (const execution of this.waiting.splice(0)) execution.reject(error);
        else if (this.connections.length > 0) for (const execution of this.waiting.splice(0)) this.pick()!.submit(execution);
      },
    );
  }

  /** Called as a connection writes its turn's statements: the next turn picks afresh. */
  flushed(connection: WireConnection): void {
    if (this.current === connection) this.current = undefined;
  }

  idle(connection: WireConnection): void {
    if (connection.alive && !connection.scheduled && !this.idleOnes.includes(connection)) this.idleOnes.push(connection);
  }

  remove(connection: WireConnection): void {
    const at = this.connections.indexOf(connection);
    if (at >= 0) this.connections.splice(at, 1);
    const idleAt = this.idleOnes.indexOf(connection);
    if (idleAt >= 0) this.idleOnes.splice(idleAt, 1);
    if (this.current === connection) this.current = undefined;
  }

  close(): void {
    this.closed = true;
    for (const connection of this.connections.splice(0)) connection.close();
    this.idleOnes.length = 0;
    for (const execution of this.waiting.splice(0)) execution.reject(new Error('Cannot use a pool after calling end on the pool'));
  }
}

const wires = new WeakMap<pg.Pool, WirePool | null>();

/**
 * The pool's hot-path connections: up to half its size. Null for a pool of one (it has none to spare), where
 * statements go through node-postgres as everything else.
 */
export function wireOf(pool: pg.Pool): WirePool | null {
  let wire = wires.get(pool);
  if (wire === undefined) {
    const max = (pool as unknown as { options: { max?: number } }).options.max ?? 10;
    wire = max >= 2 ? new WirePool(pool, Math.floor(max / 2)) : null;
    wires.set(pool, wire);
    if (wire) {
      const end = pool.end.bind(pool) as (...args: unknown[]) => unknown;
      const closing = wire;
      // Its checked-out connections would keep `end` waiting for ever: handed back (and ended) first.
      (pool as { end: unknown }).end = (...args: unknown[]) => {
        closing.close();
        return end(...args);
      };
    }
  }
  return wire;
}

/** Leaves `pool`'s prepared selects to node-postgres (`bench/prepared-selects.ts` compares the two in one process). */
export function withoutWire(pool: pg.Pool): void {
  if (wires.get(pool)) throw new Error('the pool already has its wire');
  wires.set(pool, null);
}

/** The wire's counters for `pool` (tests, benchmarks); undefined when it has none yet. */
export function wireStats(pool: pg.Pool): WireStats | undefined {
  return wires.get(pool)?.stats;
}
