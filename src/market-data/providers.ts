import { hostname } from 'node:os';
import { todayIn } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { ProviderStatus } from '../db/models/provider-status.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import { DemoProvider } from './demo-provider.js';
import { FailoverProvider, type FailoverNotice } from './failover.js';
import type { BreakerSnapshot } from './http/circuit-breaker.js';
import type { ProviderHttpEvents } from './http/provider-http.js';
import type { UsageTick } from './http/api-usage.js';
import type { MarketDataProvider } from './provider.js';
import { AlpacaProvider } from './providers/alpaca.js';
import { AlphaVantageProvider } from './providers/alphavantage.js';
import { PolygonProvider } from './providers/polygon.js';
import { sharedRateGate } from './http/rate-gate.js';

type ProviderId = Env['MARKET_DATA_PROVIDER'];

/** Side effects of the HTTP layer: breaker changes are recorded for /health, alerts go to ops. */
const events: ProviderHttpEvents = {
  breakerChanged(provider: string, s: BreakerSnapshot) {
    const now = new Date();
    ProviderStatus.updateOne(
      { provider },
      {
        $set: {
          provider, process: `${hostname()}:${process.pid}`, state: s.state, consecutiveFailures: s.consecutiveFailures,
          openedAt: s.openedAt === null ? null : new Date(s.openedAt), lastError: s.lastError, updatedAt: now,
          ...(s.consecutiveFailures === 0 ? { lastSuccessAt: now } : {}),
        },
      },
      { upsert: true },
    ).catch((err: unknown) => log().warn({ provider, err: describeError(err) }, 'could not record the breaker state'));
    if (s.state === 'open') log().warn({ provider, failures: s.consecutiveFailures, lastError: s.lastError }, 'circuit breaker open');
  },
  usageHigh(t: UsageTick) {
    enqueuePost(`api-usage:${t.provider}:${t.day}`, {
      kind: 'ops',
      title: `API usage · ${t.provider} at ${Math.round((t.calls / t.limit!) * 100)}% of its daily limit`,
      description: `${t.calls} of ${t.limit} requests used on ${t.day} (New York day). Further requests are refused at the limit; the secondary provider (if configured) serves then.`,
      color: COLORS.warn,
      footer: 'market data',
    }).catch((err: unknown) => log().warn({ err: describeError(err) }, 'could not queue the usage alert'));
  },
  retrying(provider, endpoint, attempt, delayMs, reason) {
    log().info({ provider, endpoint, attempt, delayMs, reason }, 'provider request will be retried');
  },
};

async function announceFailover(n: FailoverNotice): Promise<void> {
  const day = todayIn('America/New_York');
  log().warn({ ...n }, 'primary provider failed; secondary serves');
  await enqueuePost(`provider-failover:${n.primary}:${day}`, {
    kind: 'ops',
    urgent: true,
    title: `Market data · ${n.primary} failed, ${n.secondary} is serving`,
    description: `${n.operation}: ${n.reason}`,
    color: COLORS.warn,
    footer: 'market data · one notice per provider per day',
  }).catch((err: unknown) => log().warn({ err: describeError(err) }, 'could not queue the failover notice'));
}

/**
 * The HTTP discipline every provider client built from the environment shares (bars, news, calendars): timeout,
 * retries, breaker, events, and the per-minute limit counted across every process and client (rate-gate.ts).
 */
export function httpCommon(env: Env) {
  return {
    timeoutMs: env.PROVIDER_TIMEOUT_MS,
    retry: { attempts: env.PROVIDER_RETRIES + 1, baseMs: 500, maxMs: 20_000, maxRetryAfterMs: 65_000 },
    breaker: { threshold: env.PROVIDER_BREAKER_FAILURES, coolDownMs: env.PROVIDER_BREAKER_COOLDOWN_MS },
    events,
    sharedGate: sharedRateGate,
  };
}

function build(id: ProviderId, env: Env): MarketDataProvider {
  const common = httpCommon(env);
  switch (id) {
    case 'demo':
      return new DemoProvider();
    case 'polygon':
      return new PolygonProvider({ ...common, baseUrl: env.POLYGON_BASE_URL, apiKey: env.POLYGON_API_KEY!, indices: env.POLYGON_INDICES, limits: { perMinute: env.POLYGON_CALLS_PER_MIN, perDay: env.POLYGON_CALLS_PER_DAY } });
    case 'alpaca':
      return new AlpacaProvider({
        ...common, baseUrl: env.ALPACA_DATA_URL, keyId: env.ALPACA_KEY_ID!, secretKey: env.ALPACA_SECRET_KEY!, feed: env.ALPACA_FEED,
        limits: { perMinute: env.ALPACA_CALLS_PER_MIN, perDay: env.ALPACA_CALLS_PER_DAY },
      });
    case 'alphavantage':
      return new AlphaVantageProvider({ ...common, baseUrl: env.ALPHAVANTAGE_BASE_URL, apiKey: env.ALPHAVANTAGE_API_KEY!, plan: env.ALPHAVANTAGE_PLAN, limits: { perMinute: env.ALPHAVANTAGE_CALLS_PER_MIN, perDay: env.ALPHAVANTAGE_CALLS_PER_DAY } });
  }
}

/** Build the configured provider: the primary, wrapped with failover when a secondary is set. */
export function createProvider(env: Env): MarketDataProvider {
  const primary = build(env.MARKET_DATA_PROVIDER, env);
  if (!env.MARKET_DATA_SECONDARY) return primary;
  return new FailoverProvider(primary, build(env.MARKET_DATA_SECONDARY, env), announceFailover);
}

let cached: { env: Env; provider: MarketDataProvider } | undefined;

/** The configured provider, one instance per process (its rate limits and breakers are per instance). */
export function providerFor(env: Env): MarketDataProvider {
  if (cached?.env === env) return cached.provider;
  cached = { env, provider: createProvider(env) };
  return cached.provider;
}
