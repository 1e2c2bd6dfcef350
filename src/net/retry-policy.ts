/**
 * HTTP retry rules shared by outbound clients (market-data providers, the Discord and webhook sinks), pure:
 * which statuses are worth another try, exponential backoff with jitter, and the Retry-After header.
 */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is not waited for: the request fails (and failover may serve). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 20_000, maxRetryAfterMs: 65_000 };

/** "Equal jitter": half of the exponential step for sure, the other half at random. `attempt` counts from 1. */
export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** HTTP statuses worth another try: throttling and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}
