import type { Env } from '../config/env.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { httpCommon } from '../market-data/providers.js';
import { ProviderError } from '../market-data/provider.js';
import type { EarningsProvider, EconomicEvent, EconomicProvider, Fetched, NewsProvider } from './contracts.js';
import { DemoEarnings, DemoEconomic, DemoNews } from './demo-info.js';
import { FOMC_DECISIONS } from './fomc-fallback.js';
import { AlpacaNews, AlphaVantageInfo, FedCalendar, FinnhubEarnings, FredCalendar, PolygonNews } from './providers/http-info.js';

/**
 * The configured information providers per kind (NEWS_PROVIDER, EARNINGS_PROVIDER, ECONOMIC_CALENDAR_PROVIDER),
 * each with its secondary where one is set. One instance per process and environment, like the bar provider.
 */
type NewsId = Env['NEWS_PROVIDER'];
type EarningsId = Env['EARNINGS_PROVIDER'];

function newsOf(id: NewsId, env: Env): NewsProvider {
  const common = httpCommon(env);
  switch (id) {
    case 'demo':
      return new DemoNews();
    case 'polygon':
      return new PolygonNews({ ...common, baseUrl: env.POLYGON_BASE_URL, apiKey: env.POLYGON_API_KEY!, limits: { perMinute: env.POLYGON_CALLS_PER_MIN, perDay: env.POLYGON_CALLS_PER_DAY } });
    case 'alpaca':
      return new AlpacaNews({ ...common, baseUrl: env.ALPACA_DATA_URL, keyId: env.ALPACA_KEY_ID!, secretKey: env.ALPACA_SECRET_KEY!, limits: { perMinute: env.ALPACA_CALLS_PER_MIN, perDay: env.ALPACA_CALLS_PER_DAY } });
    case 'alphavantage':
      return alphaVantage(env);
  }
}

function alphaVantage(env: Env): AlphaVantageInfo {
  return new AlphaVantageInfo({ ...httpCommon(env), baseUrl: env.ALPHAVANTAGE_BASE_URL, apiKey: env.ALPHAVANTAGE_API_KEY!, limits: { perMinute: env.ALPHAVANTAGE_CALLS_PER_MIN, perDay: env.ALPHAVANTAGE_CALLS_PER_DAY } });
}

function earningsOf(id: EarningsId, env: Env): EarningsProvider {
  switch (id) {
    case 'demo':
      return new DemoEarnings();
    case 'finnhub':
      return new FinnhubEarnings({ ...httpCommon(env), baseUrl: env.FINNHUB_BASE_URL, apiKey: env.FINNHUB_API_KEY!, limits: { perMinute: env.FINNHUB_CALLS_PER_MIN, perDay: null } });
    case 'alphavantage':
      return alphaVantage(env);
  }
}

/** Fails over to the secondary on a provider failure (a plan, a daily cap, an outage), saying which served. */
export interface Served<T> extends Fetched<T> {
  provider: string;
  /** Why the primary did not serve, when the secondary did. */
  failover: string | null;
}

export async function withFailover<P extends { id: string }, T>(primary: P, secondary: P | undefined, call: (p: P) => Promise<Fetched<T>>): Promise<Served<T>> {
  try {
    return { ...(await call(primary)), provider: primary.id, failover: null };
  } catch (err) {
    if (!secondary || !(err instanceof ProviderError)) throw err;
    log().warn({ primary: primary.id, secondary: secondary.id, err: describeError(err) }, 'information provider failed; the secondary serves');
    return { ...(await call(secondary)), provider: secondary.id, failover: describeError(err) };
  }
}

/**
 * A quota or a plan is an answer, not an outage: when the provider that serves a kind says its daily limit is
 * used up (Alpha Vantage's 25 a day) or the plan does not include it, that kind stops for the New York day —
 * said once in ops, what was stored is kept, later runs that day skip without asking again.
 */
export async function unlessStopped<T>(kind: 'news' | 'earnings', day: string, fetch: () => Promise<Served<T>>, now = new Date()): Promise<Served<T> & { stopped: string | null }> {
  const { readState, writeState } = await import('./info-store.js');
  const id = `stopped:${kind}:${day}`;
  const already = await readState<string>(id);
  if (already) return { items: [], problems: [], requests: 0, provider: 'none', failover: null, stopped: already };
  try {
    return { ...(await fetch()), stopped: null };
  } catch (err) {
    if (!(err instanceof ProviderError) || (err.kind !== 'daily-limit' && err.kind !== 'plan')) throw err;
    const reason = describeError(err);
    await writeState(id, reason, now);
    const { enqueuePost } = await import('../notify/outbox.js');
    await enqueuePost(`info-stopped:${kind}:${day}`, {
      kind: 'ops', urgent: true, title: `${kind === 'news' ? 'News' : 'Earnings calendar'} stopped for ${day}: ${err.kind === 'plan' ? 'not in the plan' : 'daily limit reached'}`,
      description: `${reason}\nWhat was stored is kept; ${kind} syncs skip until tomorrow (New York). Set a secondary (${kind === 'news' ? 'NEWS_SECONDARY' : 'EARNINGS_SECONDARY'}) to go on meanwhile.`,
    }, now);
    log().warn({ kind, day, err: reason }, 'information kind stopped for the day');
    return { items: [], problems: [], requests: 0, provider: err.provider, failover: null, stopped: reason };
  }
}

export interface InfoProviders {
  news: { primary: NewsProvider; secondary: NewsProvider | undefined };
  earnings: { primary: EarningsProvider; secondary: EarningsProvider | undefined };
  economic: EconomicSources;
}

/** The economic calendar: FRED's release dates (fred), and FOMC decisions from the Fed's feed or the kept list. */
export interface EconomicSources {
  releases: EconomicProvider | undefined;
  fomc: EconomicProvider;
}

let cached: { env: Env; providers: InfoProviders } | undefined;

export function infoProvidersFor(env: Env): InfoProviders {
  if (cached?.env === env) return cached.providers;
  const demo = env.ECONOMIC_CALENDAR_PROVIDER === 'demo';
  const providers: InfoProviders = {
    news: { primary: newsOf(env.NEWS_PROVIDER, env), secondary: env.NEWS_SECONDARY ? newsOf(env.NEWS_SECONDARY, env) : undefined },
    earnings: { primary: earningsOf(env.EARNINGS_PROVIDER, env), secondary: env.EARNINGS_SECONDARY ? earningsOf(env.EARNINGS_SECONDARY, env) : undefined },
    economic: demo
      ? { releases: new DemoEconomic(), fomc: new KeptFomc() }
      : {
        releases: env.ECONOMIC_CALENDAR_PROVIDER === 'fred' ? new FredCalendar({ ...httpCommon(env), baseUrl: env.FRED_BASE_URL, apiKey: env.FRED_API_KEY!, limits: { perMinute: env.FRED_CALLS_PER_MIN, perDay: null } }) : undefined,
        fomc: new FedCalendar({ ...httpCommon(env), url: env.FED_CALENDAR_URL }),
      },
  };
  cached = { env, providers };
  return providers;
}

/** The FOMC decision days kept in the repository (fomc-fallback.ts), as a provider. */
export class KeptFomc implements EconomicProvider {
  readonly id = 'kept-list';
  async events(from: string, to: string): Promise<Fetched<EconomicEvent>> {
    const items = FOMC_DECISIONS.filter((f) => f.date >= from && f.date <= to).map((f): EconomicEvent => ({
      date: f.date, time: f.time, name: f.emergency ? 'FOMC emergency decision' : 'FOMC decision', kind: 'fomc', provider: 'kept-list', note: f.note, synthetic: false,
    }));
    return { items, problems: [], requests: 0 };
  }
}

