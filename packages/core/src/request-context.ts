import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { context, createContextKey, isSpanContextValid, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { redactNumbers } from './codes/redact.ts';
import type { BatchGate } from './db/batch-gate.ts';

/** The header a request id travels in: from a client to the gateway, from the gateway to every subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What is known of the request being served, wherever its work runs (resolvers, fetches, log lines). */
export interface RequestScope {
  requestId: string;
  /** The request's loader waves (`db/batch-gate.ts`), made when its first loader or statement needs them. */
  batches?: BatchGate;
}

/** The ids a log line written now carries: none outside a request (start-up, shutdown). */
export interface LogIds {
  requestId?: string;
  traceId?: string;
  spanId?: string;
}

const REQUEST_SCOPE = createContextKey('hub.request-scope');

/**
 * The OpenTelemetry context is the one AsyncLocalStorage of a request: it holds the active span (and with it the
 * trace id) and the request scope side by side, so they cannot disagree. It is installed whether or not tracing
 * exports anything (`startTracing` registers no context manager of its own): without it the API's context is a
 * no-op and neither id would follow a request's work.
 */
let installed = false;
export function installRequestContext(): void {
  if (installed) return;
  installed = true;
  // False when a manager is registered already (another copy of this module in the process): that one serves.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Ids we take from a caller: short, and nothing a log line could be forged with. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's `x-request-id` when it is a plain token of at most 128 characters with nothing in it that reads as an
 * ID number, a phone or a card, else a fresh UUID. The id goes verbatim into every log line and audit record of the
 * request, so it must be something redaction leaves alone: a client's id with a phone in it would otherwise be logged
 * raw, and an id masked in the trail but not in the log (a UUID's 12 hex digits can read as a landline, about 1 in
 * 700) would no longer join the two.
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  const given = Array.isArray(header) ? header[0] : header;
  return given && ACCEPTED_ID.test(given) && isPlainId(given) ? given : freshRequestId();
}

/**
 * In an accepted id (letters, digits, `.`, `_`, `:`, `-`) whatever redaction masks is at least seven digits with at
 * most one `-` or `.` between two of them (the shortest, a local number after `tel:`); an id without such a run is
 * left alone, and a UUID is decided without running the redaction's patterns (5 µs a request).
 */
const MAYBE_NUMBER = /\d(?:[-.]?\d){6}/;
const isPlainId = (id: string): boolean => !MAYBE_NUMBER.test(id) || redactNumbers(id) === id;

/**
 * A random UUID that no redaction would change: one with a run of seven digits is drawn again rather than run
 * through the redaction's patterns (a third of UUIDs have such a run; a draw from Node's buffered UUIDs costs
 * less than the patterns).
 */
export function freshRequestId(): string {
  for (;;) {
    const id = randomUUID();
    if (!MAYBE_NUMBER.test(id)) return id;
  }
}

export function runInRequestScope<T>(requestScope: RequestScope, work: () => T): T {
  installRequestContext();
  return context.with(withRequestScope(context.active(), requestScope), work);
}

/** The API's key of the active span (`createContextKey` is `Symbol.for`, so this is the key `trace.setSpan` uses). */
const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

/**
 * A request's context when nothing is traced: its span (ids only) and, once set, its request scope, as two fields.
 * The API's own context copies a Map at every `setValue`: the caller's span context, then the request's span, then
 * the request scope made three contexts and three Maps per request (in the gateway and in every department) only to
 * hold two values. It reads as `ROOT_CONTEXT` with those two values set; any other value set on it (a recording
 * span's, a suppressed trace's) gives the API's own context with them in it.
 */
class RequestOnlyContext implements Context {
  constructor(
    private readonly span: Span,
    private readonly scope: RequestScope | undefined,
  ) {}

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : key === REQUEST_SCOPE ? this.scope : undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === REQUEST_SCOPE) return new RequestOnlyContext(this.span, value as RequestScope | undefined);
    if (key === SPAN_KEY) return new RequestOnlyContext(value as Span, this.scope);
    return this.general().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.general().deleteValue(key);
  }

  private general(): Context {
    const withSpan = ROOT_CONTEXT.setValue(SPAN_KEY, this.span);
    return this.scope === undefined ? withSpan : withSpan.setValue(REQUEST_SCOPE, this.scope);
  }
}

/** A context holding only this span (as `trace.setSpan(ROOT_CONTEXT, span)`), and the request scope once it is set. */
export function spanOnlyContext(span: Span): Context {
  return new RequestOnlyContext(span, undefined);
}

/** `within` with the request scope set, for a server that enters a request's span and scope in one context switch. */
export function withRequestScope(within: Context, requestScope: RequestScope): Context {
  return within.setValue(REQUEST_SCOPE, requestScope);
}

/** The request whose work is running now; undefined outside one (start-up, shutdown). */
export function currentRequestScope(): RequestScope | undefined {
  return context.active().getValue(REQUEST_SCOPE) as RequestScope | undefined;
}

/** The id of the request whose work is running now; undefined outside one (start-up, shutdown). */
export function currentRequestId(): string | undefined {
  return currentRequestScope()?.requestId;
}

/** The request id and the active span's trace and span ids, each only when there is one. */
export function currentLogIds(): LogIds {
  const active = context.active();
  const requestId = (active.getValue(REQUEST_SCOPE) as RequestScope | undefined)?.requestId;
  const span = trace.getSpanContext(active);
  return {
    ...(requestId ? { requestId } : {}),
    ...(span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {}),
  };
}
