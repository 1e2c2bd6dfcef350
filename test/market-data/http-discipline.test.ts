import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CircuitBreaker } from '../../src/market-data/http/circuit-breaker.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from '../../src/net/retry-policy.js';
import { TokenBucket } from '../../src/market-data/http/token-bucket.js';
import { manualClock } from '../helpers/replay-server.js';

describe('token bucket', () => {
  test("Polygon's free tier: 5 at once, then one every 12 s", async () => {
    const clock = manualClock(0);
    const bucket = new TokenBucket(5, 5, clock);
    for (let i = 0; i < 5; i++) assert.equal(await bucket.take(), 0, `request ${i + 1} goes at once`);
    assert.equal(await bucket.take(), 12_000, 'the sixth waits for the next token');
    assert.equal(await bucket.take(), 12_000);
    clock.advance(60_000);
    assert.equal(bucket.available(), 5, 'refills to capacity, never beyond');
  });

  test('concurrent callers are served in turn, each waiting its share', async () => {
    const clock = manualClock(0);
    const bucket = new TokenBucket(60, 1, clock);
    const waits = await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    assert.deepEqual(waits, [0, 1000, 1000]);
    assert.equal(clock.now(), 2000);
  });

  test('refuses a nonsensical rate', () => {
    assert.throws(() => new TokenBucket(0), /perMinute must be > 0/);
  });
});

describe('retry policy', () => {
  test('backoff doubles per attempt, capped, with half of each step random', () => {
    const policy = { baseMs: 500, maxMs: 4000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, () => 0)), [250, 500, 1000, 2000, 2000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, () => 1)), [500, 1000, 2000, 4000, 4000]);
  });

  test('Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-03-15T21:00:00Z');
    assert.equal(parseRetryAfterMs('7', now), 7000);
    assert.equal(parseRetryAfterMs('Fri, 15 Mar 2024 21:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfterMs('Fri, 15 Mar 2024 20:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfterMs('soon', now), undefined);
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
  });

  test('only throttling, timeouts and server errors are retried', () => {
    assert.deepEqual([200, 400, 401, 403, 404, 408, 429, 500, 502, 503].filter(isRetryableStatus), [408, 429, 500, 502, 503]);
  });
});

describe('circuit breaker', () => {
  test('opens after N consecutive failures, lets one probe through after the cool-down, closes on its success', () => {
    const clock = manualClock(0);
    const changes: string[] = [];
    const b = new CircuitBreaker(3, 30_000, clock, (s) => changes.push(`${s.state}:${s.consecutiveFailures}`));
    b.failure('HTTP 500');
    b.success();
    assert.equal(b.state, 'closed', 'a success in between resets the count');
    for (let i = 0; i < 3; i++) {
      assert.ok(b.allow());
      b.failure('HTTP 500');
    }
    assert.equal(b.state, 'open');
    assert.equal(b.allow(), false, 'no request while open');
    assert.equal(b.retryInMs(), 30_000);
    clock.advance(30_000);
    assert.equal(b.state, 'half-open');
    assert.equal(b.allow(), true, 'one probe');
    assert.equal(b.allow(), false, 'only one probe at a time');
    b.success();
    assert.equal(b.state, 'closed');
    assert.deepEqual(changes, ['closed:1', 'closed:0', 'closed:1', 'closed:2', 'open:3', 'closed:0']);
  });

  test('a failed probe opens the breaker for another cool-down', () => {
    const clock = manualClock(0);
    const b = new CircuitBreaker(2, 10_000, clock);
    b.failure('x');
    b.failure('y');
    clock.advance(10_000);
    assert.ok(b.allow());
    b.failure('probe failed');
    assert.equal(b.state, 'open');
    assert.equal(b.snapshot().lastError, 'probe failed');
    assert.equal(b.retryInMs(), 10_000);
  });
});
