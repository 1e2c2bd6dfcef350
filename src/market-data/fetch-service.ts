import { cacheLookups } from '../health/metrics.js';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { previousTradingDay, tradingDaysBetween } from '../calendar/nyse.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { SplitEvent } from '../db/models/series-contract.js';
import { isDuplicateKey } from '../db/connection.js';
import { lastBarDates, readBars, replaceSeries, upsertBars, type UpsertReport } from './bar-store.js';
import { contractOf, meetsPolicy, ProviderError, type Bar, type FetchNotes, type MarketDataProvider, type SeriesContract } from './provider.js';
import { judgeContract, noteRefusal, readContracts, writeContract, type StoredContract } from './series-contracts.js';
import { splitLabel, splitsFromRevisions, type SplitSign } from './splits.js';

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
  /** Why a missing symbol is missing, where the provider or the contract check said. */
  missingWhy: Record<string, string>;
  /** Symbols whose bars were refused, not mixed into their series. */
  refused: Refusal[];
  /** Why the provider stopped before the end (a daily cap, a plan limit). */
  stopped: string | undefined;
  splits: SplitReport[];
  /** What the series are, where they are not plain consolidated split-adjusted ones. */
  series: string[];
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

/** A symbol whose bars were refused: they would have changed what its stored series is. */
export interface Refusal {
  symbol: string;
  reason: string;
}

/** A split found in today's data, and the history re-fetched once because of it. */
export interface SplitReport {
  symbol: string;
  date: IsoDate;
  ratio: number;
  evidence: string;
  barsReplaced: number;
}

/**
 * Load daily bars for `date`: for each symbol the days since its last stored bar, **and that last day
 * again** (a bar fetched right after the close can still change: late prints, extended-hours volume;
 * with a grouped provider that is one extra request). Every series keeps one contract (provider feed,
 * adjustment, instrument): bars that would change it are refused and named. A symbol the provider
 * cannot serve is named with its reason; a failure that stops the provider (daily cap, plan) keeps
 * what was fetched before it. A split-adjusted provider re-serving a stored day divided by a split
 * ratio means a split: the symbol's history is re-fetched once. Idempotent: a second run for the same
 * date inserts and modifies nothing.
 */
export async function fetchMarketData(opts: FetchOptions): Promise<FetchSummary> {
  const backfillDays = opts.backfillDays ?? 420;
  const last = await lastBarDates(opts.symbols);
  // Group symbols by the first date each needs, so each group is one provider request.
  const groups = new Map<IsoDate, string[]>();
  for (const s of opts.symbols) {
    const l = last.get(s);
    const from = l === undefined ? addDays(opts.date, -backfillDays) : l >= opts.date ? opts.date : l;
    groups.set(from, [...(groups.get(from) ?? []), s]);
  }
  const cache = cacheUse(opts.symbols, last, opts.date, backfillDays);
  cacheLookups.inc({ result: 'hit' }, cache.stored);
  cacheLookups.inc({ result: 'miss' }, cache.fetched);
  const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 };
  let requestedFrom = opts.date;
  const servedBy = new Set<string>();
  const notes: FetchNotes = { missing: new Map() };
  const contracts = await readContracts(opts.symbols);
  const refused: Refusal[] = [];
  const newContracts: Array<[string, SeriesContract]> = [];
  const splits: SplitSign[] = [];
  let stopped: string | undefined;
  // A grouped day holds the whole market: fetched once per run for every symbol, reused by each group.
  const groupedDays = new Map<IsoDate, Bar[]>();
  let requests = 0;
  for (const [from, symbols] of groups) {
    if (from < requestedFrom) requestedFrom = from;
    const days = tradingDaysBetween(from, opts.date);
    if (days.length === 0) continue;
    if (stopped) {
      for (const s of symbols) notes.missing.set(s, stopped);
      continue;
    }
    const perSymbolRequests = opts.provider.requestsFor?.(symbols.length, days.length) ?? 1;
    const wanted = new Set(symbols);
    let bars: Bar[] = [];
    try {
      if (opts.provider.getGroupedDaily && days.filter((d) => !groupedDays.has(d)).length <= perSymbolRequests) {
        for (const d of days) {
          if (!groupedDays.has(d)) {
            groupedDays.set(d, await opts.provider.getGroupedDaily(d, opts.symbols, notes));
            requests++;
            servedBy.add(servedByOf(opts.provider));
          }
          bars.push(...groupedDays.get(d)!.filter((b) => wanted.has(b.symbol)));
        }
      } else {
        bars = await opts.provider.getDailyBars(symbols, from, opts.date, notes);
        requests += perSymbolRequests;
        servedBy.add(servedByOf(opts.provider));
      }
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      // Keep what came before the failure; a daily cap or a plan limit ends the run's requests, an
      // outage fails the run (retried later, asking only for what is still missing).
      bars = [...bars, ...err.partial.filter((b) => wanted.has(b.symbol))];
      if (err.kind !== 'daily-limit' && err.kind !== 'plan') {
        await storeChecked(bars);
        throw err;
      }
      stopped = err.message;
      const got = new Set(bars.map((b) => b.symbol));
      for (const s of symbols) if (!got.has(s)) notes.missing.set(s, stopped);
    }
    await storeChecked(bars);
  }

  /** Check each symbol's bars against its series contract, look for splits, store what may be stored. */
  async function storeChecked(bars: Bar[]): Promise<void> {
    if (bars.length === 0) return;
    const bySymbol = new Map<string, Bar[]>();
    for (const b of bars) bySymbol.set(b.symbol, [...(bySymbol.get(b.symbol) ?? []), b]);
    const keep: Bar[] = [];
    for (const [symbol, list] of bySymbol) {
      const offered = contractOf(opts.provider, symbol);
      const verdict = judgeContract(contracts.get(symbol), offered);
      if (!verdict.ok) {
        refused.push({ symbol, reason: verdict.reason });
        notes.missing.set(symbol, `refused: ${verdict.reason}`);
        await noteRefusal(symbol, opts.date, offered, verdict.reason);
        continue;
      }
      if (!contracts.has(symbol)) {
        const first = list.reduce((m, b) => (b.date < m ? b.date : m), list[0]!.date);
        contracts.set(symbol, { ...offered, policyMet: meetsPolicy(offered), since: first });
        newContracts.push([symbol, offered]);
      }
      keep.push(...list);
    }
    const r = await upsertBars(keep, servedByOf(opts.provider));
    // Stored days re-served differently: in a split-adjusted series a split shows as every price divided alike.
    splits.push(...splitsFromRevisions(r.revised.filter((x) => contracts.get(x.after.symbol)?.adjustment === 'split')));
    report.inserted += r.inserted;
    report.updated += r.updated;
    report.unchanged += r.unchanged;
  }

  for (const [symbol, c] of newContracts) await writeContract(symbol, c, contracts.get(symbol)!.since);
  const splitReports = await refetchAfterSplits(opts, splits, backfillDays);
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
  const why = new Map([...notes.missing].filter(([s]) => missing.includes(s)));
  return {
    date: opts.date,
    provider: opts.provider.id,
    servedBy: [...servedBy],
    requests,
    cacheHitPct: cache.stored + cache.fetched ? (100 * cache.stored) / (cache.stored + cache.fetched) : null,
    symbols: opts.symbols.length,
    requestedFrom,
    missing,
    missingWhy: Object.fromEntries(why),
    refused,
    stopped,
    splits: splitReports,
    series: seriesNotes(opts.symbols, contracts),
    moves,
    synthetic: moves.some((m) => m.synthetic) || servedBy.has('demo') || opts.provider.id === 'demo',
    ...report,
  };
}

/** What the post says about series that are not plain consolidated split-adjusted ones (pure). */
function seriesNotes(symbols: string[], contracts: Map<string, StoredContract>): string[] {
  const out: string[] = [];
  const unadjusted = symbols.filter((s) => contracts.get(s)?.adjustment === 'none');
  const iex = symbols.filter((s) => contracts.get(s)?.feed === 'iex');
  const shallow = symbols.filter((s) => contracts.get(s)?.depthDays);
  for (const s of symbols) {
    const c = contracts.get(s);
    if (c?.proxy && c.source) out.push(`${s} is fed from ${c.source} (an ETF tracking it): the plan serves no index data`);
  }
  if (unadjusted.length) out.push(`${unadjusted.length} series not split-adjusted (${contracts.get(unadjusted[0]!)!.provider} plan): a split shows as a jump`);
  if (iex.length) out.push(`${iex.length} series from the IEX feed only (one exchange: a few percent of the volume)`);
  if (shallow.length) out.push(`${shallow.length} series limited to the latest ${contracts.get(shallow[0]!)!.depthDays} trading days by the ${contracts.get(shallow[0]!)!.provider} plan`);
  return out;
}

/**
 * Re-fetch the whole history of each split symbol once: the split's unique claim (split_events) decides
 * who does it; a claim left pending by a crash is finished by the next run.
 */
async function refetchAfterSplits(opts: FetchOptions, signs: SplitSign[], backfillDays: number): Promise<SplitReport[]> {
  for (const s of signs) {
    await SplitEvent.create({ _id: `${s.symbol}|${s.date}`, symbol: s.symbol, date: s.date, ratio: s.ratio, evidence: s.evidence, status: 'pending', at: new Date() })
      .catch((err: unknown) => { if (!isDuplicateKey(err)) throw err; });
  }
  // Pending ones: this run's and any a crash left (a handful at most; the collection stays small).
  const pending = await SplitEvent.find({ status: 'pending' }).lean();
  const out: SplitReport[] = [];
  for (const e of pending) {
    if (!opts.symbols.includes(e.symbol)) continue;
    const bars = await opts.provider.getDailyBars([e.symbol], addDays(opts.date, -backfillDays), opts.date);
    const r = await replaceSeries(e.symbol, bars, servedByOf(opts.provider));
    const replaced = r.inserted + r.updated + r.unchanged;
    await SplitEvent.updateOne({ _id: e._id }, { $set: { status: 'done', barsReplaced: replaced } });
    out.push({ symbol: e.symbol, date: e.date, ratio: e.ratio, evidence: e.evidence, barsReplaced: replaced });
  }
  return out;
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
  if (s.splits.length) {
    fields.push({ name: 'Splits', value: s.splits.map((x) => `${x.symbol} ${splitLabel(x.ratio)} after ${x.date}: history re-fetched (${x.barsReplaced} bars). ${x.evidence}`).join('\n').slice(0, 1024), inline: false });
  }
  if (s.stopped) fields.push({ name: 'Provider stopped early', value: s.stopped.slice(0, 1024), inline: false });
  if (s.refused.length) {
    fields.push({ name: 'Refused (would mix two kinds of series)', value: s.refused.slice(0, 10).map((r) => `${r.symbol}: ${r.reason}`).join('\n').slice(0, 1024), inline: false });
  }
  if (s.missing.length) {
    // Group the missing by reason: "no bar" for most, the provider's or the contract's words for others.
    const byReason = new Map<string, string[]>();
    for (const m of s.missing) {
      const why = s.missingWhy[m] ?? 'no bar from the provider';
      byReason.set(why, [...(byReason.get(why) ?? []), m]);
    }
    const text = [...byReason].map(([why, list]) => `${list.slice(0, 30).join(', ')}${list.length > 30 ? ` (+${list.length - 30})` : ''}: ${why}`).join('\n');
    fields.push({ name: 'No bar for this date', value: text.slice(0, 1024), inline: false });
  }
  if (s.series.length) fields.push({ name: 'Series', value: s.series.join('\n').slice(0, 1024), inline: false });
  return {
    kind: 'ops',
    title: `Market data · ${s.date}`,
    description: `${s.symbols} symbols updated through ${s.date}.`,
    fields,
    color: s.missing.length || s.refused.length || s.stopped ? COLORS.warn : COLORS.ok,
    demo: s.synthetic,
    footer: 'fetch-market-data',
  };
}
