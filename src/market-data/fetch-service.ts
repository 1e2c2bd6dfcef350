import { cacheLookups } from '../health/metrics.js';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { previousTradingDay, tradingDaysBetween } from '../calendar/nyse.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { lastBarDates, readBars, upsertBars, type UpsertReport } from './bar-store.js';
import type { Bar, MarketDataProvider } from './provider.js';

function servedByOf(p: MarketDataProvider): string {
  return p.lastServedBy ?? p.id;
}

export interface FetchOptions {
  date: IsoDate;
  symbols: string[];
  provider: MarketDataProvider;
  /** Calendar days of history to load for a symbol seen for the first time. */
  backfillDays?: number;
}

export interface SymbolMove {
  symbol: string;
  close: number;
  previousClose: number | undefined;
  changePct: number | undefined;
  synthetic: boolean;
}

export interface FetchSummary extends UpsertReport {
  date: IsoDate;
  provider: string;
  /** Who answered (the secondary when the primary failed over). */
  servedBy: string[];
  /** Provider requests this update took (estimated for per-symbol endpoints). */
  requests: number;
  /**
   * Share of the history this update keeps (each symbol's backfill window up to the date) that came
   * from storage rather than from the provider (0–100): a daily update fetches one day of ~290 and reads
   * the rest, so it is near 100; storage that lost its bars makes it fall. Symbols with no history yet
   * (a first backfill, a joiner) are left out: loading them is not a cache failure. Null when no symbol
   * had history.
   */
  cacheHitPct: number | null;
  symbols: number;
  requestedFrom: IsoDate;
  missing: string[];
  moves: SymbolMove[];
  synthetic: boolean;
}

/**
 * Symbol-days of the kept history read from storage (`stored`) and asked of the provider (`fetched`),
 * over the symbols that already had history. Pure.
 */
export function cacheUse(symbols: string[], last: Map<string, IsoDate | undefined>, date: IsoDate, backfillDays: number): { stored: number; fetched: number } {
  const window = tradingDaysBetween(addDays(date, -backfillDays), date).length;
  const gap = new Map<IsoDate, number>();
  let stored = 0;
  let fetched = 0;
  for (const s of symbols) {
    const l = last.get(s);
    if (l === undefined) continue;
    let f = 0;
    if (l < date) {
      if (!gap.has(l)) gap.set(l, Math.min(window, tradingDaysBetween(addDays(l, 1), date).length));
      f = gap.get(l)!;
    }
    stored += window - f;
    fetched += f;
  }
  return { stored, fetched };
}

/**
 * Load daily bars for `date` (and, for a symbol with no history or a gap since its last bar, the
 * missing days: an incremental update asks only for what is not stored). Idempotent: a second
 * run for the same date inserts and modifies nothing.
 */
export async function fetchMarketData(opts: FetchOptions): Promise<FetchSummary> {
  const backfillDays = opts.backfillDays ?? 420;
  const last = await lastBarDates(opts.symbols);
  // Group symbols by the first date each needs, so each group is one provider request.
  const groups = new Map<IsoDate, string[]>();
  for (const s of opts.symbols) {
    const l = last.get(s);
    const from = l === undefined ? addDays(opts.date, -backfillDays) : l >= opts.date ? opts.date : addDays(l, 1);
    groups.set(from, [...(groups.get(from) ?? []), s]);
  }
  const cache = cacheUse(opts.symbols, last, opts.date, backfillDays);
  cacheLookups.inc({ result: 'hit' }, cache.stored);
  cacheLookups.inc({ result: 'miss' }, cache.fetched);
  const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 };
  let requestedFrom = opts.date;
  const servedBy = new Set<string>();
  // A grouped day holds the whole market: fetched once per run for every symbol, reused by each group.
  const groupedDays = new Map<IsoDate, Bar[]>();
  let requests = 0;
  for (const [from, symbols] of groups) {
    if (from < requestedFrom) requestedFrom = from;
    const days = tradingDaysBetween(from, opts.date);
    if (days.length === 0) continue;
    const perSymbolRequests = opts.provider.requestsFor?.(symbols.length, days.length) ?? 1;
    const wanted = new Set(symbols);
    let bars: Bar[];
    if (opts.provider.getGroupedDaily && days.filter((d) => !groupedDays.has(d)).length <= perSymbolRequests) {
      bars = [];
      for (const d of days) {
        if (!groupedDays.has(d)) {
          groupedDays.set(d, await opts.provider.getGroupedDaily(d, opts.symbols));
          requests++;
          servedBy.add(servedByOf(opts.provider));
        }
        bars.push(...groupedDays.get(d)!.filter((b) => wanted.has(b.symbol)));
      }
    } else {
      bars = await opts.provider.getDailyBars(symbols, from, opts.date);
      requests += perSymbolRequests;
      servedBy.add(servedByOf(opts.provider));
    }
    const r = await upsertBars(bars, servedByOf(opts.provider));
    report.inserted += r.inserted;
    report.updated += r.updated;
    report.unchanged += r.unchanged;
  }
  const prev = previousTradingDay(opts.date);
  const recent = await readBars(opts.symbols, prev, opts.date);
  const moves: SymbolMove[] = [];
  const missing: string[] = [];
  for (const s of opts.symbols) {
    const bars = recent.get(s) ?? [];
    const today = bars.find((b) => b.date === opts.date);
    if (!today) {
      missing.push(s);
      continue;
    }
    const before = bars.find((b) => b.date === prev);
    moves.push({
      symbol: s,
      close: today.close,
      previousClose: before?.close,
      changePct: before ? (today.close / before.close - 1) * 100 : undefined,
      synthetic: today.synthetic,
    });
  }
  return {
    date: opts.date,
    provider: opts.provider.id,
    servedBy: [...servedBy],
    requests,
    cacheHitPct: cache.stored + cache.fetched ? (100 * cache.stored) / (cache.stored + cache.fetched) : null,
    symbols: opts.symbols.length,
    requestedFrom,
    missing,
    moves,
    synthetic: moves.some((m) => m.synthetic) || servedBy.has('demo') || opts.provider.id === 'demo',
    ...report,
  };
}

function fmtPct(p: number | undefined): string {
  return p === undefined ? 'n/a' : `${p >= 0 ? '+' : ''}${p.toFixed(2)}%`;
}

/** The summary post of a fetch, as users read it in the data channel. */
export function fetchSummaryPost(s: FetchSummary): PostInput {
  const lines = s.moves
    .slice(0, 20)
    .map((m) => `${m.symbol.padEnd(6)} ${m.close.toFixed(2).padStart(10)}  ${fmtPct(m.changePct).padStart(8)}${m.synthetic ? '  (synthetic)' : ''}`);
  const fields = [
    { name: 'Closes', value: `\`\`\`\n${lines.join('\n') || 'no bars'}\n\`\`\`` },
    { name: 'Bars', value: `${s.inserted} new · ${s.updated} corrected · ${s.unchanged} unchanged`, inline: true },
    { name: 'Provider', value: s.servedBy.length && s.servedBy.join(',') !== s.provider ? `${s.servedBy.join(', ')} (primary ${s.provider} failed)` : s.provider, inline: true },
  ];
  if (s.missing.length) fields.push({ name: 'No bar for this date', value: s.missing.slice(0, 50).join(', '), inline: false });
  return {
    kind: 'ops',
    title: `Market data · ${s.date}`,
    description: `${s.symbols} symbols updated through ${s.date}.`,
    fields,
    color: s.missing.length ? COLORS.warn : COLORS.ok,
    demo: s.synthetic,
    footer: 'fetch-market-data',
  };
}
