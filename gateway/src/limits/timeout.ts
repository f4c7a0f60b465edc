import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';

/*
 * The request timeout. The limits plugin gives each request an AbortSignal that fires after HUB_REQUEST_TIMEOUT_MS
 * and answers the request, once it ends, with HTTP 504 REQUEST_TIMEOUT. What ends it early is whatever listens to
 * that signal: `AbortableRemoteGraphQLDataSource` aborts the request's subgraph fetches (the gateway then finishes at
 * once), and a local resolver may read `requestSignal(context)` itself.
 */

const signals = new WeakMap<object, AbortSignal>();

/** Ties a request's deadline to its context object (the one Apollo Server's `context` function returned). */
export function attachRequestSignal(context: unknown, signal: AbortSignal): void {
  if (typeof context === 'object' && context !== null) signals.set(context, signal);
}

/** The signal that fires when the request of this context runs out of time; undefined outside the limits plugin. */
export function requestSignal(context: unknown): AbortSignal | undefined {
  return typeof context === 'object' && context !== null ? signals.get(context) : undefined;
}

/** Rejects with the signal's reason as soon as it fires, whether or not the work listens to it. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const fetchSignal = new AsyncLocalStorage<AbortSignal>();

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * A RemoteGraphQLDataSource whose subgraph fetches are aborted when the incoming request runs out of time. Takes the
 * same config as RemoteGraphQLDataSource (`url`, `willSendRequest`, …) and may be subclassed the same way.
 */
export class AbortableRemoteGraphQLDataSource<
  TContext extends Record<string, any> = Record<string, any>, // the bound RemoteGraphQLDataSource declares
> extends RemoteGraphQLDataSource<TContext> {
  constructor(config?: ConstructorParameters<typeof RemoteGraphQLDataSource<TContext>>[0]) {
    super(config);
    const fetcher: Fetcher = this.fetcher;
    this.fetcher = ((url, init) => {
      const signal = fetchSignal.getStore();
      return fetcher(url, signal ? { ...init, signal } : init);
    }) as Fetcher;
  }

  override process(options: GraphQLDataSourceProcessOptions<TContext>): ReturnType<RemoteGraphQLDataSource<TContext>['process']> {
    const signal = 'incomingRequestContext' in options ? requestSignal(options.incomingRequestContext.context) : undefined;
    if (!signal) return super.process(options);
    return fetchSignal.run(signal, () => raceAbort(super.process(options), signal));
  }
}
