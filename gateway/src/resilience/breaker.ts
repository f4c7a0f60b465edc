/**
 * A circuit breaker for one subgraph. Closed, every request goes through; after `failureThreshold` consecutive
 * failures it opens and requests fail at once (no waiting on a department that is down); after `openMs` the next
 * request is let through alone as a probe (half-open): its success closes the breaker, its failure opens it again.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
  /** Told of every change of state (metrics, logs). */
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new Error('a circuit breaker needs a failure threshold of at least 1');
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /**
   * Whether a request may go to the subgraph now. In half-open state only one (the probe) may; the caller must
   * report its outcome with `succeeded` or `failed`.
   */
  tryAcquire(): boolean {
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.options.openMs) return false;
      this.transition('half-open');
    }
    if (this.current === 'half-open') {
      if (this.probeInFlight) return false;
      this.probeInFlight = true;
    }
    return true;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  failed(): void {
    this.consecutiveFailures++;
    const probeFailed = this.current === 'half-open';
    this.probeInFlight = false;
    if (probeFailed || (this.current === 'closed' && this.consecutiveFailures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  /** A request that was let through but ended without telling about the subgraph (the client's own deadline). */
  released(): void {
    this.probeInFlight = false;
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
