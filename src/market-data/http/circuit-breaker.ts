import { systemClock, type Clock } from './clock.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt: number | null;
  lastError: string | null;
}

/**
 * Opens after `threshold` consecutive failures; after `coolDownMs` one probe request is let
 * through (half-open): its success closes the breaker, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private stateNow: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private lastError: string | null = null;
  private probing = false;

  constructor(
    readonly threshold: number,
    readonly coolDownMs: number,
    private readonly clock: Clock = systemClock,
    private readonly onChange: (s: BreakerSnapshot) => void = () => undefined,
  ) {
    if (!(threshold >= 1) || !(coolDownMs >= 0)) throw new RangeError('threshold must be >= 1 and coolDownMs >= 0');
  }

  get state(): BreakerState {
    if (this.stateNow === 'open' && this.openedAt !== null && this.clock.now() - this.openedAt >= this.coolDownMs) {
      return 'half-open';
    }
    return this.stateNow;
  }

  /** May a request go now? In half-open, only one probe at a time. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.stateNow = 'half-open';
    this.probing = true;
    return true;
  }

  /** When the breaker will let a probe through (ms from now), for error messages. */
  retryInMs(): number {
    if (this.openedAt === null) return 0;
    return Math.max(0, this.openedAt + this.coolDownMs - this.clock.now());
  }

  success(): void {
    const changed = this.stateNow !== 'closed' || this.failures > 0;
    this.stateNow = 'closed';
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
    if (changed) this.onChange(this.snapshot());
  }

  failure(error: string): void {
    this.failures++;
    this.lastError = error;
    const wasProbe = this.probing;
    this.probing = false;
    if (wasProbe || this.failures >= this.threshold) {
      this.stateNow = 'open';
      this.openedAt = this.clock.now();
    }
    this.onChange(this.snapshot());
  }

  snapshot(): BreakerSnapshot {
    return { state: this.state, consecutiveFailures: this.failures, openedAt: this.openedAt, lastError: this.lastError };
  }
}
