import { systemClock, type Clock } from './clock.js';

/**
 * A token bucket: `capacity` requests may go at once, then one more every `60_000 / perMinute` ms.
 * Polygon's free tier (5/min) gets capacity 5 and a token every 12 s. In-process spacing only: the limit across
 * processes is the rate gate's (rate-gate.ts, `rate_slots`), the daily counters are in MongoDB.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly msPerToken: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly perMinute: number,
    readonly capacity = perMinute,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(perMinute > 0) || !(capacity >= 1)) throw new RangeError('perMinute must be > 0 and capacity >= 1');
    this.msPerToken = 60_000 / perMinute;
    this.tokens = capacity;
    this.last = clock.now();
  }

  private refill(now: number): void {
    const gained = (now - this.last) / this.msPerToken;
    if (gained > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + gained);
      this.last = now;
    }
  }

  /** Take a token now if there is one; otherwise the ms to wait for the next. */
  tryTake(): number {
    this.refill(this.clock.now());
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) * this.msPerToken);
  }

  /** Wait for a token (callers are served first come, first served); resolves to the ms waited. */
  take(): Promise<number> {
    const turn = this.queue.then(async () => {
      let waited = 0;
      for (let wait = this.tryTake(); wait > 0; wait = this.tryTake()) {
        await this.clock.sleep(wait);
        waited += wait;
      }
      return waited;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Tokens available now (for /health). */
  available(): number {
    this.refill(this.clock.now());
    return Math.floor(this.tokens);
  }
}
