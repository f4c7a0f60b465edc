import { setTimeout as sleep } from 'node:timers/promises';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import { mergeFetches } from '../coalesce.ts';
import { markInputRefused } from '../input-refusals.ts';
import { CALLER_HEADER, injectTraceContext } from '@hub/core';
import { AbortableRemoteGraphQLDataSource, raceAbort, requestSignal } from '../limits/timeout.ts';
import { CircuitBreaker, type BreakerState } from './breaker.ts';
import type { ResilienceOptions } from './config.ts';
import { ATTEMPT_CANCEL, AttemptCancel, BufferedResponse, ReceivedHeaders, REPLAYABLE } from './fetcher.ts';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type DataSourceConfig<TContext extends Record<string, any>> = ConstructorParameters<typeof AbortableRemoteGraphQLDataSource<TContext>>[0]; // the bound the stock data source declares
type ProcessResult = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** Codes of the errors the gateway answers for a department it could not ask. */
export const SubgraphErrorCode = {
  UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  REFUSED: 'SUBGRAPH_REQUEST_REFUSED',
} as const;

/** Why a department's part is missing: told to the client in `extensions.reason`, and counted in the metrics. */
export type FailureReason = 'timeout' | 'unreachable' | 'server-error' | 'circuit-open';

/** What one subgraph fetch came to, for metrics and logs. */
export interface FetchOutcome {
  service: string;
  /** `ok`, or why the department's part is missing. */
  outcome: 'ok' | FailureReason | 'refused';
  attempts: number;
  durationMs: number;
}

export interface ResilientDataSourceConfig<TContext extends Record<string, any>> {
  name: string;
  resilience: ResilienceOptions;
  fetcher: Fetcher;
  /** The stock data source's options: `url`, `willSendRequest`, … */
  dataSource: DataSourceConfig<TContext>;
  onFetch?: (outcome: FetchOutcome) => void;
  onBreakerChange?: (service: string, state: BreakerState, previous: BreakerState) => void;
  /**
   * Whether the queries one request sends this subgraph at once (a parallel step of the plan) go as one HTTP
   * request (`mergeFetches`); default true.
   */
  coalesce?: boolean;
  /** Told how many fetches shared one HTTP request, when more than one did. */
  onCoalesce?: (service: string, fetches: number) => void;
  /**
   * Whether a read identical to one already in flight to this subgraph (same caller token, same query and
   * variables, from any client request) waits for that one's answer instead of asking again; default true. Each
   * waiter parses its own copy of the answer.
   */
  shareInFlight?: boolean;
  /** Told of each read answered by an identical one in flight. */
  onShared?: (service: string) => void;
  /**
   * Headers for one attempt, made just before it leaves, from its exact body: the caller's internal token, bound to
   * that body and good once, so every attempt (each retry too) carries its own. Only client operations are signed.
   */
  signAttempt?: (options: GraphQLDataSourceProcessOptions<TContext>, body: string) => Record<string, string> | Promise<Record<string, string>>;
  /**
   * Whose reads may share one answer in flight (the caller, as the signer sees it); default the caller header's value.
   * Subgraphs mask and filter by caller, so only one caller's identical reads share.
   */
  sharingKeyOf?: (options: GraphQLDataSourceProcessOptions<TContext>) => string;
}

interface PendingFetch<TContext extends Record<string, any>> {
  options: GraphQLDataSourceProcessOptions<TContext>;
  resolve(result: ProcessResult): void;
  reject(error: unknown): void;
}

/** A failed attempt the department is to blame for (the breaker counts it; a read may retry it). */
class SubgraphFailure extends Error {
  constructor(readonly reason: FailureReason) {
    super(reason);
  }
}

/**
 * HTTP statuses under 500 other than 200: the subgraph answered, and refused (a bad internal token, a bad body).
 * `inputErrors` are the errors of a GraphQL answer that refused the client's own input (a variable of a department's
 * scalar the gateway cannot check, such as a malformed `Date`): passed on to the client as they are.
 */
class SubgraphRefusal extends Error {
  constructor(
    readonly status: number,
    readonly inputErrors: GraphQLFormattedError[] = [],
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * Whether a subgraph's error speaks of the client's input rather than of the gateway's request: the gateway plans
 * against the supergraph but does not know the departments' scalars, so a bad `Date` is found there, as a variable
 * (BAD_USER_INPUT) or as a literal the planner copied into the fetch, the one validation rule the gateway cannot
 * apply itself. Such a literal fails validation in one of two forms: the scalar's own GraphQLError, which graphql-js
 * reports as thrown (with no location: its own rules always point at a node), or graphql-js's "Expected value of
 * type …" when the scalar refused it otherwise. Any other validation failure is about the gateway's own fetch.
 */
const isInputError = (error: GraphQLFormattedError) =>
  error.extensions?.code === 'BAD_USER_INPUT' ||
  (error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && (error.locations === undefined || error.message.startsWith('Expected value of type "')));

/** The refusal a subgraph's 4xx answer makes: its input errors when every error of a GraphQL body is one. */
async function refusalOf(response: FetcherResponse): Promise<SubgraphRefusal> {
  if (response.status !== 400 || !/json/.test(response.headers.get('content-type') ?? '')) return new SubgraphRefusal(response.status);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return new SubgraphRefusal(response.status);
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return new SubgraphRefusal(response.status);
  const input = errors.every((e: unknown) => typeof (e as GraphQLFormattedError)?.message === 'string' && isInputError(e as GraphQLFormattedError));
  if (!input) return new SubgraphRefusal(response.status);
  // The subgraph's locations point into the fetch the planner wrote, not into the client's document.
  const passed = (errors as GraphQLFormattedError[]).map(({ message, extensions }) => ({ message, extensions: { code: String(extensions!.code) } }));
  return new SubgraphRefusal(response.status, passed);
}

/** What the fetcher needs to know of the attempt it serves. */
interface Attempt<TContext extends Record<string, any>> {
  cancel: AttemptCancel;
  /** A read: an identical one already in flight may be shared. */
  shareable: boolean;
  /** The fetch the attempt is for (whose caller it signs). */
  options: GraphQLDataSourceProcessOptions<TContext>;
}
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type SubgraphRequest = GraphQLDataSourceProcessOptions<Record<string, any>>['request'];

/**
 * JSON texts of the operations sent, by text: a plan sends the same fetch operations at every request, and the
 * operation is most of a body's bytes.
 */
const quotedOperations = new Map<string, string>();
const MAX_QUOTED = 2_000;

/** A subgraph request's body, `{"query":…,…}` as the stock data source writes it, its operation quoted once. */
function requestBody(query: string, rest: Omit<SubgraphRequest, 'query' | 'http'>): string {
  let quoted = quotedOperations.get(query);
  if (quoted === undefined) {
    quoted = JSON.stringify(query);
    if (quotedOperations.size >= MAX_QUOTED) quotedOperations.delete(quotedOperations.keys().next().value!);
    quotedOperations.set(query, quoted);
  }
  const others = JSON.stringify(rest);
  return others === '{}' ? `{"query":${quoted}}` : `{"query":${quoted},${others.slice(1)}`;
}

/**
 * An attempt's fetch init (what `attemptOnce` sends): its `signal` a real AbortSignal made only when read; a read is
 * replayable (the fetcher may send it again on a new connection if a kept one was closed under it).
 */
class AttemptInit {
  readonly [ATTEMPT_CANCEL]: AttemptCancel;
  readonly [REPLAYABLE]: boolean;
  constructor(
    readonly method: string | undefined,
    readonly headers: Record<string, string>,
    readonly body: unknown,
    cancel: AttemptCancel,
    replayable: boolean,
  ) {
    this[ATTEMPT_CANCEL] = cancel;
    this[REPLAYABLE] = replayable;
  }
  get signal(): AbortSignal {
    return this[ATTEMPT_CANCEL].signal;
  }
}

/** `respond`, the stock data source's own (private in its types): the response hooks and the cache hint. */
const respond = (RemoteGraphQLDataSource.prototype as unknown as { respond: (this: unknown, args: unknown) => Promise<ProcessResult> }).respond;

const isObject = (value: unknown): value is object => value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);

const MUTATION = /^\s*mutation\b/;

/**
 * The gateway's data source for one subgraph: each attempt under the subgraph's timeout, reads retried with
 * exponential backoff and jitter (a mutation never: it may have run), a circuit breaker in front. A department that
 * cannot answer does not fail the request: its fetch answers an error naming it (`SUBGRAPH_UNAVAILABLE`,
 * `extensions.service`), its fields are null and every other department's data still arrives. The error says
 * nothing of URLs, sockets or stacks; those go to the metrics and logs.
 */
export class ResilientRemoteGraphQLDataSource<TContext extends Record<string, any> = Record<string, any>> extends AbortableRemoteGraphQLDataSource<TContext> {
  readonly breaker: CircuitBreaker;
  private readonly service: string;
  private readonly resilience: ResilienceOptions;
  private readonly timeoutMs: number;
  private readonly onFetch: ((outcome: FetchOutcome) => void) | undefined;
  private readonly coalesce: boolean;
  private readonly onCoalesce: ((service: string, fetches: number) => void) | undefined;
  /** This subgraph's fetches per incoming request, gathered until the current turn of the event loop ends. */
  private readonly pending = new WeakMap<object, PendingFetch<TContext>[]>();
  /** Reads in flight, by caller token and body. */
  private readonly inFlight = new Map<string, Promise<FetcherResponse>>();
  private readonly config: ResilientDataSourceConfig<TContext>;
  private readonly shareInFlight: boolean;

  constructor(config: ResilientDataSourceConfig<TContext>) {
    super(config.dataSource);
    this.service = config.name;
    this.resilience = config.resilience;
    this.timeoutMs = config.resilience.timeoutMsBySubgraph[config.name] ?? config.resilience.timeoutMs;
    this.onFetch = config.onFetch;
    this.coalesce = config.coalesce ?? true;
    this.onCoalesce = config.onCoalesce;
    this.breaker = new CircuitBreaker({
      failureThreshold: config.resilience.failureThreshold,
      openMs: config.resilience.openMs,
      onStateChange: (state, previous) => config.onBreakerChange?.(config.name, state, previous),
    });
    this.config = config;
    this.shareInFlight = config.shareInFlight ?? true;
    // Nothing sends through the stock fetcher: every attempt goes through `send` with its own signal.
    this.fetcher = ((url, init) => this.fetchAttempt(url, init ?? {}, undefined)) as Fetcher;
  }

  /**
   * One attempt's HTTP request, under the attempt's signal (the subgraph's timeout or the request's deadline,
   * whichever fires first), signed over its exact body, shared with an identical read in flight.
   */
  private async fetchAttempt(url: string, init: NonNullable<Parameters<Fetcher>[1]>, attempt: Attempt<TContext> | undefined): Promise<FetcherResponse> {
    const { config } = this;
    // The trace continues in the subgraph: `traceparent` of the active span (the gateway's fetch).
    const headers: Record<string, string> = { ...init.headers };
    injectTraceContext({ set: (name, value) => (headers[name] = value) });
    const body = typeof init.body === 'string' ? init.body : undefined;
    const send = async () => {
      if (attempt && config.signAttempt && body !== undefined) {
        // HMAC tokens are signed at once: no promise to wait for per attempt.
        const signed = config.signAttempt(attempt.options, body);
        Object.assign(headers, signed instanceof Promise ? await signed : signed);
      }
      if (!attempt) return config.fetcher(url, { ...init, headers });
      // The gateway's fetcher listens to the attempt's cancel itself; any other fetcher gets an AbortSignal if it asks.
      return config.fetcher(url, new AttemptInit(init.method, headers, init.body, attempt.cancel, attempt.shareable) as NonNullable<Parameters<Fetcher>[1]>);
    };
    let response: FetcherResponse;
    if (attempt?.shareable && this.shareInFlight && body !== undefined) {
      // The caller is part of the key: subgraphs mask and filter by caller, so only one caller's reads share.
      const who = config.sharingKeyOf ? config.sharingKeyOf(attempt.options) : (init.headers?.[CALLER_HEADER] ?? '');
      const key = `${who}\u0000${body}`;
      const inFlight = this.inFlight.get(key);
      if (inFlight) {
        config.onShared?.(config.name);
        try {
          response = (await raceAbort(inFlight, attempt.cancel.signal)).clone();
        } catch (error) {
          // The one we waited for was cut short by its own request's deadline or timeout, not ours: ask ourselves.
          // Any other failure (the department down) is ours as much as its, and asking again would double it.
          const aborted = error instanceof Error && error.name === 'AbortError';
          if (attempt.cancel.aborted || !aborted) throw error;
          response = await send();
        }
      } else {
        const sent = send();
        this.inFlight.set(key, sent);
        const forget = () => {
          if (this.inFlight.get(key) === sent) this.inFlight.delete(key);
        };
        sent.then(forget, forget);
        // An answer read whole (the gateway's fetcher) is read again by each reader as it is; any other is cloned
        // for each, the first reader too, so its body is still unread for those who share it.
        const own = await sent;
        response = own instanceof BufferedResponse ? own : own.clone();
      }
    } else {
      response = await send();
    }
    if (response.status >= 500) throw new SubgraphFailure('server-error');
    if (!response.ok) throw await refusalOf(response);
    return response;
  }

  /**
   * What the stock data source's `process` does for one attempt (headers, `willSendRequest`, the body, the answer
   * parsed, `didReceiveResponse` and the cache policy through `respond`), without what the profile showed it spend
   * besides: a node-fetch `Headers` and a `Request` built per fetch that nothing reads, and the asynchronous context
   * the attempt was handed to the fetcher through.
   */
  private async attemptOnce(options: GraphQLDataSourceProcessOptions<TContext>, attempt: Attempt<TContext>): Promise<ProcessResult> {
    const { request } = options;
    const headers = new ReceivedHeaders();
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers.append(name, value);
    headers.set('content-type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers };
    if (this.willSendRequest) await this.willSendRequest(options);
    if (!request.query) throw new Error('Missing query');
    const { query, http, ...rest } = request;
    const response = await this.fetchAttempt(http.url, { method: http.method, headers: Object.fromEntries(http.headers), body: requestBody(query, rest) }, attempt);
    const body = await this.parseBody(response);
    if (!isObject(body)) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    const overallCachePolicy =
      this.honorSubgraphCacheControlHeader && 'incomingRequestContext' in options && options.incomingRequestContext.overallCachePolicy && 'restrict' in options.incomingRequestContext.overallCachePolicy
        ? options.incomingRequestContext.overallCachePolicy
        : null;
    const pathInIncomingRequest = 'pathInIncomingRequest' in options ? options.pathInIncomingRequest : undefined;
    return respond.call(this, { response: { ...body, http: response }, request, context: options.context, overallCachePolicy, pathInIncomingRequest });
  }

  override process(options: GraphQLDataSourceProcessOptions<TContext>): Promise<ProcessResult> {
    if (!this.coalesce || !('incomingRequestContext' in options) || MUTATION.test(options.request.query ?? '')) return this.processResilient(options);
    const request = options.incomingRequestContext;
    let batch = this.pending.get(request);
    if (!batch) {
      const gathered: PendingFetch<TContext>[] = [];
      batch = gathered;
      this.pending.set(request, gathered);
      // Every fetch of a parallel step starts in the same turn; the batch leaves once that turn's work is done.
      setImmediate(() => {
        this.pending.delete(request);
        void this.sendBatch(gathered);
      });
    }
    const entries = batch;
    return new Promise<ProcessResult>((resolve, reject) => entries.push({ options, resolve, reject }));
  }

  private async sendBatch(batch: PendingFetch<TContext>[]): Promise<void> {
    const alone = (entry: PendingFetch<TContext>) => this.processResilient(entry.options).then(entry.resolve, entry.reject);
    if (batch.length === 1) return alone(batch[0]!);
    let merged: ReturnType<typeof mergeFetches>;
    try {
      merged = mergeFetches(batch.map(({ options }) => ({ query: options.request.query ?? '', variables: options.request.variables })));
    } catch {
      // Not mergeable (a fragment at a fetch's root): each goes alone, as the stock gateway sends it.
      for (const entry of batch) void alone(entry);
      return;
    }
    const first = batch[0]!.options;
    this.onCoalesce?.(this.service, batch.length);
    try {
      const answer = await this.processResilient({
        ...first,
        request: { ...first.request, query: merged.query, variables: merged.variables, operationName: undefined, http: undefined },
      });
      const parts = merged.split(answer);
      batch.forEach((entry, i) => entry.resolve({ ...answer, data: parts[i]!.data, errors: parts[i]!.errors }));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  private async processResilient(options: GraphQLDataSourceProcessOptions<TContext>): Promise<ProcessResult> {
    const started = performance.now();
    const deadline = 'incomingRequestContext' in options ? requestSignal(options.incomingRequestContext.context) : undefined;
    const isRead = !MUTATION.test(options.request.query ?? '');
    const maxAttempts = isRead ? 1 + this.resilience.retries : 1;
    const report = (outcome: FetchOutcome['outcome'], attempts: number) =>
      this.onFetch?.({ service: this.service, outcome, attempts, durationMs: performance.now() - started });

    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.tryAcquire()) {
        report('circuit-open', attempt - 1);
        return this.unavailable('circuit-open');
      }
      // One cancel per attempt, fired by the subgraph timeout or the request's deadline; its listener is
      // removed when the attempt ends (AbortSignal.any would leave one on the deadline per fetch of the request).
      const attempt$ = new AttemptCancel();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt$.abort(new SubgraphFailure('timeout'));
      }, this.timeoutMs);
      let onDeadline: (() => void) | undefined;
      try {
        let response: ProcessResult;
        if (deadline) {
          // The deadline aborts the attempt and ends the request at once, whether or not what is awaited listens to
          // the attempt's signal: one listener does both.
          response = await new Promise<ProcessResult>((resolve, reject) => {
            onDeadline = () => {
              attempt$.abort(deadline.reason);
              reject(deadline.reason);
            };
            if (deadline.aborted) return onDeadline();
            deadline.addEventListener('abort', onDeadline, { once: true });
            this.attemptOnce(options, { cancel: attempt$, shareable: isRead, options }).then(resolve, reject);
          });
        } else response = await this.attemptOnce(options, { cancel: attempt$, shareable: isRead, options });
        this.breaker.succeeded();
        report('ok', attempt);
        return response;
      } catch (error) {
        // The request's own deadline: not the department's fault; the limits plugin answers REQUEST_TIMEOUT.
        if (deadline?.aborted) {
          this.breaker.released();
          throw error;
        }
        if (error instanceof SubgraphRefusal) {
          // The department answered: it is up, and the request was wrong (e.g. an internal token it refused).
          this.breaker.succeeded();
          report('refused', attempt);
          return this.refused(error, options);
        }
        const reason: FailureReason = timedOut ? 'timeout' : error instanceof SubgraphFailure ? error.reason : 'unreachable';
        this.breaker.failed();
        if (attempt >= maxAttempts) {
          report(reason, attempt);
          return this.unavailable(reason);
        }
        try {
          await sleep(this.backoffMs(attempt), undefined, deadline ? { signal: deadline } : undefined);
        } catch {
          throw deadline?.reason ?? error;
        }
      } finally {
        clearTimeout(timer);
        if (onDeadline) deadline?.removeEventListener('abort', onDeadline);
      }
    }
  }

  /** Exponential backoff with full jitter, so retries of many requests do not arrive together. */
  private backoffMs(attempt: number): number {
    return Math.random() * this.resilience.backoffMs * 2 ** (attempt - 1);
  }

  private unavailable(reason: FailureReason): ProcessResult {
    return this.answer({
      message: `The ${this.service} department is unavailable; its part of this answer is missing`,
      extensions: { code: SubgraphErrorCode.UNAVAILABLE, service: this.service, reason },
    });
  }

  private refused({ status, inputErrors }: SubgraphRefusal, options: GraphQLDataSourceProcessOptions<TContext>): ProcessResult {
    if (inputErrors.length > 0) {
      // The whole request is answered as a request error (400, no data): `createInputRefusalPlugin`.
      if ('incomingRequestContext' in options) markInputRefused(options.incomingRequestContext.context);
      return { errors: inputErrors.map((e) => ({ ...e, extensions: { ...e.extensions, service: this.service } })) };
    }
    return this.answer({
      message: `The ${this.service} department refused the gateway's request`,
      extensions: { code: SubgraphErrorCode.REFUSED, service: this.service, status },
    });
  }

  private answer(error: GraphQLFormattedError): ProcessResult {
    return { errors: [error] };
  }
}
