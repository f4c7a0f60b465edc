import DataLoader from 'dataloader';
import { currentRequestScope } from '../request-context.ts';

/**
 * One request's loader batches, dispatched in waves. DataLoader's own scheduler dispatches a batch once the promise
 * jobs of the moment have run, so two branches of a query that reach the same loader after different database
 * replies make two statements or one depending on which reply comes first. Here a batch waits until the request has
 * no statement in flight (any of them could add keys to it) and the promise jobs that followed the last reply have
 * run; then every batch waiting goes at once. A query's statement count is then a function of the query and the data
 * alone, and a wave's statements still run side by side on the pool.
 */
export class BatchGate {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private armed = false;

  /** A loader's batch, to be dispatched with the next wave. */
  schedule(dispatch: () => void): void {
    this.waiting.push(dispatch);
    this.arm();
  }

  /** A statement of this request was sent; `statementEnded` must follow, whatever its outcome. */
  statementStarted(): void {
    this.inFlight++;
  }

  statementEnded(): void {
    if (--this.inFlight === 0 && this.waiting.length > 0) this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    // After the I/O callbacks of this turn of the event loop and every promise job they started.
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.armed = false;
    if (this.inFlight > 0) return;
    const wave = this.waiting;
    this.waiting = [];
    for (const dispatch of wave) dispatch();
  };
}

/** The gate of the request being served, made on first use; undefined outside a request (scripts, imports). */
export function currentBatchGate(): BatchGate | undefined {
  const scope = currentRequestScope();
  if (!scope) return undefined;
  return (scope.batches ??= new BatchGate());
}

const resolved = Promise.resolve();

/** DataLoader's `batchScheduleFn`: the request's gate, or outside a request what DataLoader does by default. */
export function scheduleBatch(dispatch: () => void): void {
  const gate = currentBatchGate();
  if (gate) gate.schedule(dispatch);
  else void resolved.then(() => process.nextTick(dispatch));
}

/**
 * A DataLoader whose batches go out with its request's waves (`BatchGate`). Every loader of a request is one, so
 * that the statement-count tests can be exact.
 */
export class RequestLoader<K, V, C = K> extends DataLoader<K, V, C> {
  constructor(batch: DataLoader.BatchLoadFn<K, V>, options: DataLoader.Options<K, V, C> = {}) {
    super(batch, { batchScheduleFn: scheduleBatch, ...options });
  }
}
