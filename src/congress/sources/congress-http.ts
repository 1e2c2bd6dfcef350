import axios, { type AxiosInstance } from 'axios';
import { recordApiCall } from '../../market-data/http/api-usage.js';
import { takeRateSlot } from '../../market-data/http/rate-gate.js';
import { ProviderError } from '../../market-data/provider.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from '../../net/retry-policy.js';

export interface CongressHttpOptions {
  /** The name requests are counted and gated under ("house-clerk", "senate-efd", "quiver", "congress-gov"). */
  source: string;
  baseUrl: string;
  timeoutMs: number;
  /** Requests a minute across every process (the Clerk and eFD ask for a second or two between requests). */
  perMinute: number;
  userAgent: string;
  headers?: Record<string, string>;
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CongressResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Cookies the answer set, name → value (the Senate's session). */
  cookies: Record<string, string>;
  text(): string;
}

/**
 * The government sites' client: a descriptive User-Agent, one request at a time within the per-minute share of
 * every process (the rate_slots gate), retries on network errors and 5xx with backoff (Retry-After honoured),
 * binary bodies (ZIP, PDF), conditional requests and a caller-held cookie jar. Answers are returned whatever
 * their status: 304 and 403 mean something to the caller.
 */
export class CongressHttp {
  private readonly http: AxiosInstance;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastAt = 0;
  constructor(private readonly opts: CongressHttpOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.http = axios.create({
      baseURL: opts.baseUrl, timeout: opts.timeoutMs, responseType: 'arraybuffer', validateStatus: () => true, maxRedirects: 0,
      headers: { 'User-Agent': opts.userAgent, ...(opts.headers ?? {}) },
    });
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  get source(): string {
    return this.opts.source;
  }

  async request(method: 'GET' | 'POST', path: string, init: { headers?: Record<string, string>; form?: Record<string, string>; params?: Record<string, string | number> } = {}): Promise<CongressResponse> {
    const attempts = this.opts.attempts ?? 3;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Spaced within this process too: the slots of a minute are not a burst at its start.
      const gap = this.lastAt + 60_000 / this.opts.perMinute - Date.now();
      if (gap > 0) await this.sleep(gap);
      await takeRateSlot(this.opts.source, this.opts.perMinute);
      this.lastAt = Date.now();
      await recordApiCall(this.opts.source, null);
      let res;
      try {
        res = await this.http.request<ArrayBuffer>({
          method, url: path, params: init.params, headers: { ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...(init.headers ?? {}) },
          data: init.form ? new URLSearchParams(init.form).toString() : undefined,
        });
      } catch (err) {
        last = `request failed (${(err as { code?: string }).code ?? 'network'})`;
        if (attempt < attempts) await this.sleep(backoffDelayMs(attempt, { baseMs: 1_000, maxMs: 15_000 }));
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      const cookies: Record<string, string> = {};
      const setCookie = (res.headers as Record<string, unknown>)['set-cookie'];
      for (const c of Array.isArray(setCookie) ? (setCookie as string[]) : []) {
        const m = /^([^=;\s]+)=([^;]*)/.exec(c);
        if (m) cookies[m[1]!] = m[2]!;
      }
      const body = Buffer.from(res.data ?? new ArrayBuffer(0));
      if (res.status >= 500 && isRetryableStatus(res.status) && attempt < attempts) {
        last = `HTTP ${res.status}`;
        await this.sleep(Math.min(65_000, parseRetryAfterMs(headers['retry-after'], Date.now()) ?? backoffDelayMs(attempt, { baseMs: 1_000, maxMs: 15_000 })));
        continue;
      }
      return { status: res.status, headers, body, cookies, text: () => body.toString('utf8') };
    }
    throw new ProviderError(this.opts.source, path.split('?')[0]!.slice(0, 60), `${last} after ${attempts} attempts`, true, 'network');
  }
}
