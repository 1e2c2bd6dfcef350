import { providerRequests } from '../../health/metrics.js';
import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { ProviderError, type ProviderFailure } from '../provider.js';
import { recordApiCall, type UsageTick } from './api-usage.js';
import { CircuitBreaker, type BreakerSnapshot } from './circuit-breaker.js';
import { systemClock, type Clock } from './clock.js';
import { backoffDelayMs, DEFAULT_RETRY, isRetryableStatus, parseRetryAfterMs, type RetryPolicy } from '../../net/retry-policy.js';
import { TokenBucket } from './token-bucket.js';

export interface ProviderLimits {
  perMinute: number;
  /** Requests per New York day; null = no daily limit. */
  perDay: number | null;
  /** Requests that may go back to back (the bucket's capacity); default `perMinute`. Alpha Vantage: 1. */
  burst?: number;
}

export interface ProviderHttpEvents {
  /** The breaker changed state or counted a failure. */
  breakerChanged?(provider: string, snapshot: BreakerSnapshot): void;
  /** A request reached 80 % of the daily limit (once a day). */
  usageHigh?(tick: UsageTick): void;
  /** A request is about to be retried. */
  retrying?(provider: string, endpoint: string, attempt: number, delayMs: number, reason: string): void;
}

export interface ProviderHttpOptions {
  provider: string;
  baseUrl: string;
  timeoutMs: number;
  limits: ProviderLimits;
  /** Auth headers; never logged (pino redaction) and never part of an error message. */
  headers?: Record<string, string>;
  retry?: RetryPolicy;
  breaker?: { threshold: number; coolDownMs: number };
  clock?: Clock;
  random?: () => number;
  /** Counts a request before it goes out; defaults to the MongoDB daily counter. */
  countCall?: (provider: string, perDay: number | null) => Promise<UsageTick>;
  events?: ProviderHttpEvents;
  /** What a 403 means for this provider's plans, appended to its message (a 403 is a plan error, not an outage). */
  planHint?: string;
  /**
   * The per-minute limit shared by every process (rate-gate.ts): waits for this request's slot. Set by the
   * factories that build providers for a worker or a command; unit tests of one client leave it out.
   */
  sharedGate?: (provider: string, perMinute: number) => Promise<void>;
}

/** A provider-specific verdict on a 200 body (Alpha Vantage signals throttling inside a 200). */
export type BodyCheck = (body: unknown) => { kind: ProviderFailure; message: string; retryable: boolean; retryAfterMs?: number } | undefined;

interface Attempt {
  ok: boolean;
  value?: unknown;
  error?: ProviderError;
  retryAfterMs?: number;
}

const NETWORK_TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/** A short, key-free excerpt of a response body for error messages. */
function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const k of ['error', 'message', 'Error Message', 'Note', 'Information']) if (typeof b[k] === 'string') return b[k] as string;
  return undefined;
}

/**
 * The HTTP discipline every provider shares: token-bucket rate limit, daily usage counter, request
 * timeout, retries with exponential backoff and jitter on 429/5xx/timeouts (Retry-After honoured),
 * a circuit breaker, and zod validation of every payload. Errors are ProviderErrors naming the
 * provider and endpoint; nothing here puts a URL, header or key into a message.
 */
export class ProviderHttp {
  readonly breaker: CircuitBreaker;
  readonly bucket: TokenBucket;
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;

  constructor(private readonly opts: ProviderHttpOptions) {
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.bucket = new TokenBucket(opts.limits.perMinute, opts.limits.burst ?? opts.limits.perMinute, this.clock);
    const b = opts.breaker ?? { threshold: 5, coolDownMs: 60_000 };
    this.breaker = new CircuitBreaker(b.threshold, b.coolDownMs, this.clock, (s) => opts.events?.breakerChanged?.(opts.provider, s));
    this.http = axios.create({
      baseURL: opts.baseUrl,
      timeout: opts.timeoutMs,
      headers: { Accept: 'application/json', ...(opts.headers ?? {}) },
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
  }

  get provider(): string {
    return this.opts.provider;
  }

  /**
   * GET `path` with `params`, validate the JSON with `schema`, retrying what is worth retrying. `path`
   * may be an absolute URL (a provider's `next_url`); the provider checks its host before it calls.
   */
  /** The client's clock (a test's manual one), for "how old is this answer". */
  now(): number {
    return this.clock.now();
  }

  async getJson<S extends z.ZodType>(
    endpoint: string,
    path: string,
    params: Record<string, string | number | boolean>,
    schema: S,
    check?: BodyCheck,
  ): Promise<z.output<S>> {
    return this.get(endpoint, path, params, schema, check) as Promise<z.output<S>>;
  }

  /**
   * GET a body that is not JSON (Alpha Vantage's earnings CSV, a feed that starts with a byte-order mark), with
   * the same discipline; `check` sees the text (a JSON notice where CSV was expected is classified there).
   */
  async getText(endpoint: string, path: string, params: Record<string, string | number | boolean>, check?: (text: string) => ReturnType<BodyCheck>): Promise<string> {
    return this.get(endpoint, path, params, undefined, check ? (b) => check(b as string) : undefined) as Promise<string>;
  }

  private get(endpoint: string, path: string, params: Record<string, string | number | boolean>, schema: z.ZodType | undefined, check?: BodyCheck): Promise<unknown> {
    return this.send({ method: 'GET', endpoint, path, params, schema, check });
  }

  /**
   * Any method, with the same discipline as a GET (token bucket, the shared gate, the daily counter, breaker,
   * timeout). `accept`: statuses answered as `{ status, body }` instead of errors (a lookup's 404, an order's
   * 422). `retry: false` sends once — an order is never re-POSTed blindly: the caller looks it up first.
   */
  async request(opts: { method: 'GET' | 'POST' | 'DELETE' | 'PATCH'; endpoint: string; path: string; params?: Record<string, string | number | boolean>; body?: unknown; accept?: number[]; retry?: boolean }): Promise<{ status: number; body: unknown }> {
    return this.send({ ...opts, params: opts.params ?? {}, raw: true }) as Promise<{ status: number; body: unknown }>;
  }

  private async send(o: { method: 'GET' | 'POST' | 'DELETE' | 'PATCH'; endpoint: string; path: string; params: Record<string, string | number | boolean>; schema?: z.ZodType; check?: BodyCheck; body?: unknown; accept?: number[]; retry?: boolean; raw?: boolean }): Promise<unknown> {
    const { endpoint, path, params, schema, check } = o;
    const p = this.opts.provider;
    if (!this.breaker.allow()) {
      const s = this.breaker.snapshot();
      throw new ProviderError(p, endpoint, `circuit breaker open after ${s.consecutiveFailures} consecutive failures (last: ${s.lastError ?? 'unknown'}); next probe in ${Math.ceil(this.breaker.retryInMs() / 1000)} s`, false, 'breaker-open');
    }
    let last: ProviderError | undefined;
    const attempts = o.retry === false ? 1 : this.retry.attempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await this.once(endpoint, path, params, schema, check, o);
      if (result.ok) {
        this.breaker.success();
        return result.value;
      }
      last = result.error!;
      if (last.kind === 'symbol') {
        this.breaker.success(); // the service answered: that symbol is unknown
        throw last;
      }
      if (last.kind === 'daily-limit' || last.kind === 'plan') break;
      if (!last.retryable || attempt === attempts) break;
      if (result.retryAfterMs !== undefined && result.retryAfterMs > this.retry.maxRetryAfterMs) {
        last = new ProviderError(p, endpoint, `${last.detail}; Retry-After ${Math.round(result.retryAfterMs / 1000)} s is longer than we wait`, true, last.kind);
        break;
      }
      const delay = Math.max(result.retryAfterMs ?? 0, backoffDelayMs(attempt, this.retry, this.opts.random));
      this.opts.events?.retrying?.(p, endpoint, attempt, delay, last.kind);
      await this.clock.sleep(delay);
    }
    // A daily cap or a plan limit is an answer, not an outage: it must not open the breaker (whose
    // message would then hide the reason).
    if (last!.kind !== 'daily-limit' && last!.kind !== 'plan') this.breaker.failure(last!.message);
    throw last!;
  }

  /** One request. With a schema the body is JSON, checked and validated; without one it is returned as text. */
  private async once(endpoint: string, path: string, params: Record<string, string | number | boolean>, schema: z.ZodType | undefined, check: BodyCheck | undefined, o: { method: string; body?: unknown; accept?: number[]; raw?: boolean }): Promise<Attempt> {
    const p = this.opts.provider;
    const fail = (kind: ProviderFailure, msg: string, retryable: boolean, retryAfterMs?: number): Attempt => ({
      ok: false,
      error: new ProviderError(p, endpoint, msg, retryable, kind),
      retryAfterMs,
    });
    await this.bucket.take();
    // Across processes: one request per slot of the provider's per-minute limit, whoever sends it.
    if (this.opts.sharedGate) await this.opts.sharedGate(p, this.opts.limits.perMinute);
    let tick: UsageTick;
    try {
      tick = await (this.opts.countCall ?? recordApiCall)(p, this.opts.limits.perDay);
    } catch (err) {
      if (err instanceof ProviderError) return { ok: false, error: err };
      throw err;
    }
    if (tick.crossedAlertShare) this.opts.events?.usageHigh?.(tick);
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const res = await this.http.request<string>({ method: o.method, url: path, params, ...(o.body !== undefined ? { data: JSON.stringify(o.body), headers: { 'Content-Type': 'application/json' } } : {}) });
      status = res.status;
      providerRequests.inc({ provider: p, status: String(status) });
      text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
      const ra: unknown = res.headers['retry-after'];
      retryAfter = typeof ra === 'string' ? ra : undefined;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unknown';
      providerRequests.inc({ provider: p, status: NETWORK_TIMEOUT.has(code) ? 'timeout' : 'network' });
      if (NETWORK_TIMEOUT.has(code)) return fail('timeout', `no answer within ${this.opts.timeoutMs} ms`, true);
      return fail('network', `request failed (${code})`, true);
    }
    let body: unknown;
    let parsed = true;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (o.raw && (o.accept?.includes(status) || (status >= 200 && status <= 299))) {
      const verdict = check?.(body);
      if (verdict) return fail(verdict.kind, verdict.message, verdict.retryable, verdict.retryAfterMs);
      return { ok: true, value: { status, body: parsed ? body : text } };
    }
    if (status < 200 || status > 299) {
      const why = (parsed && messageOf(body)) || excerpt(text) || 'no body';
      const kind: ProviderFailure = status === 429 ? 'throttled' : status >= 500 ? 'server' : status === 403 ? 'plan' : 'http';
      const hint = kind === 'plan' && this.opts.planHint ? ` (${this.opts.planHint})` : '';
      return fail(kind, `HTTP ${status}: ${excerpt(why)}${hint}`, isRetryableStatus(status), status === 429 || status === 503 ? parseRetryAfterMs(retryAfter, this.clock.now()) : undefined);
    }
    if (!schema) {
      const verdict = check?.(text);
      if (verdict) return fail(verdict.kind, verdict.message, verdict.retryable, verdict.retryAfterMs);
      return { ok: true, value: text };
    }
    if (!parsed) return fail('payload', `malformed JSON in the response (${excerpt(text) || 'empty body'})`, false);
    const verdict = check?.(body);
    if (verdict) return fail(verdict.kind, verdict.message, verdict.retryable, verdict.retryAfterMs);
    const r = schema.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.length ? issue.path.join('.') : '(root)';
      return fail('payload', `unexpected payload: field "${field}" ${issue.message}`, false);
    }
    return { ok: true, value: r.data };
  }
}
