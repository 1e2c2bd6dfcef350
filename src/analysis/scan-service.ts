import { addDays, type IsoDate } from '../calendar/dates.js';
import { isEarlyClose, previousTradingDay, tradingDaysBetween } from '../calendar/nyse.js';
import { upsertRacing } from '../db/connection.js';
import { ScanLatest, ScanResult, scanResultId } from '../db/models/scan-result.js';
import { UserFacingError } from '../errors.js';
import { lastBarDates, streamBars } from '../market-data/bar-store.js';
import { checkQuality, LOW_QUALITY, qualitySummary, type QualityReport } from '../market-data/data-quality.js';
import { fetchMarketData } from '../market-data/fetch-service.js';
import type { Bar, MarketDataProvider } from '../market-data/provider.js';
import { describeSnapshot, partialBar, shareOfDay, snapshotFor } from '../market-data/snapshot-store.js';
import { loadUniverse, sectorOf } from '../market-data/universe.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { rankFeatures, scanFeatures, type ScanFeatures, type ScanHit, type ScanOutcome } from './scanner.js';

/**
 * The seed's scans (000) are one scanner with different criteria, schedule and data. pre-market-scan runs
 * on the previous close; the three daytime scans on the day so far: the slot's intraday snapshot appended
 * to the daily bars as a partial bar (`asOf`, `earlyAsOf` on early-close days), falling back to the previous
 * close with `closeCriteria` when the provider has no snapshots; next-day-prep after the 16:35 fetch, on
 * the day's own close.
 */
export const SCANS = {
  'pre-market-scan': { cron: '30 6 * * 1-5', basis: 'previous-close', criteria: ['atr', 'momentum', 'rsi-extremes'] },
  'opening-scan': { cron: '45 9 * * 1-5', basis: 'intraday', asOf: '09:45', criteria: ['gap', 'rel-volume', 'day-move', 'atr-prev'], closeCriteria: ['atr', 'momentum', 'new-highs'] },
  'afternoon-scan': { cron: '0 13 * * 1-5', earlyClose: '0 12 * * 1-5', basis: 'intraday', asOf: '13:00', earlyAsOf: '12:00', criteria: ['day-move', 'rel-volume', 'rsi-extremes', 'bb-squeeze'], closeCriteria: ['atr', 'rsi-extremes', 'bb-squeeze'] },
  'closing-scan': { cron: '45 15 * * 1-5', earlyClose: '45 12 * * 1-5', basis: 'intraday', asOf: '15:45', earlyAsOf: '12:45', criteria: ['day-move', 'intraday-extremes', 'momentum', 'bb-squeeze'], closeCriteria: ['momentum', 'bb-squeeze', 'new-highs'] },
  'next-day-prep': { cron: '30 17 * * 1-5', basis: 'same-day-close', criteria: ['atr', 'momentum', 'rsi-extremes', 'bb-squeeze', 'new-highs'] },
} as const;

/** Criteria computed with the partial bar that are still meaningful on it (their titles say so). */
const ON_THE_DAY_SO_FAR = new Set(['rsi-extremes', 'bb-squeeze', 'momentum']);

/** The slot a daytime scan reads its snapshot at on `date` (its early-close slot on an early-close day). */
export function scanSlot(name: ScanName, date: IsoDate): string | undefined {
  const def = SCANS[name] as { asOf?: string; earlyAsOf?: string };
  if (!def.asOf) return undefined;
  return isEarlyClose(date) && def.earlyAsOf ? def.earlyAsOf : def.asOf;
}
export type ScanName = keyof typeof SCANS;
export const SCAN_NAMES = Object.keys(SCANS) as ScanName[];

export interface StoredScan {
  scan: string;
  date: IsoDate;
  dataThrough: IsoDate;
  universe: number;
  scanned: number;
  skipped: string[];
  results: Array<{ criterion: string; title: string; hits: Array<ScanHit & { sector: string }> }>;
  quality: ScanQuality;
  durationMs: number;
  created: boolean;
  /** A daytime scan: the snapshot it appended ("as of 13:00 New York, 15-minute delayed"), or why it ran on the previous close. */
  basis?: { snapshot?: string; fallback?: string; taken?: boolean };
}

/** Data quality of the scanned bars: the average score and the symbols below LOW_QUALITY (worst first). */
export interface ScanQuality {
  average: number;
  low: Array<{ symbol: string; score: number; summary: string }>;
}

const NO_QUALITY: ScanQuality = { average: 100, low: [] };

export function requireScan(name: string): ScanName {
  if (!(name in SCANS)) throw new UserFacingError('UNKNOWN_SCAN', `There is no scan "${name}"; scans: ${SCAN_NAMES.join(', ')}.`);
  return name as ScanName;
}

function toStored(d: { scan: string; date: string; dataThrough: string; universe: number; scanned: number; skipped?: string[]; results: unknown; quality?: unknown; durationMs: number; basis?: unknown }, created: boolean): StoredScan {
  return {
    scan: d.scan, date: d.date, dataThrough: d.dataThrough, universe: d.universe, scanned: d.scanned, skipped: d.skipped ?? [],
    results: d.results as StoredScan['results'], quality: (d.quality as ScanQuality | null) ?? NO_QUALITY, durationMs: d.durationMs, created,
    ...(d.basis ? { basis: d.basis as StoredScan['basis'] } : {}),
  };
}

/** Calendar days of bars a scan reads (≈ 275 trading days: the 250-bar warm-up and the 52-week high). */
export const SCAN_LOOKBACK_DAYS = 400;

export interface ScanRun {
  outcome: ScanOutcome;
  quality: ScanQuality;
  /** Time waiting for and decoding bars (the rest of the wall time is compute). */
  readMs: number;
  computeMs: number;
}

/** Something else that wants each symbol's bars while the scan has them in hand (next-day-prep's watchlists). */
export type BarsVisitor = (symbol: string, bars: Bar[]) => void;

/**
 * Stream the universe's bars from the store symbol by symbol (one sorted query), computing each
 * symbol's features and data quality as it arrives, then rank: one symbol's bars in memory at a time.
 * `onBars` sees each symbol's bars too; its time is in neither figure.
 */
export async function scanFromStore(symbols: string[], through: IsoDate, criteria: string[], topN: number, onBars?: BarsVisitor, today?: { bars: Map<string, Bar>; share: number }): Promise<ScanRun> {
  const from = addDays(through, -SCAN_LOOKBACK_DAYS);
  const expected = tradingDaysBetween(from, through);
  const features: ScanFeatures[] = [];
  const skipped: string[] = [];
  // Each symbol's quality report is folded in at once (its issue list can run to kilobytes; 5,000 of them
  // held to the end were most of a 5,000-symbol scan's memory): the average and the low ones are what stays.
  const quality = new QualityTally();
  const wanted = new Set(symbols);
  let computeMs = 0;
  let visitorMs = 0;
  const started = performance.now();
  for await (const [symbol, bars] of streamBars(symbols, from, through)) {
    const t = performance.now();
    wanted.delete(symbol);
    // A daytime scan appends the day so far to the stored bars (never stored itself).
    const partial = today?.bars.get(symbol);
    const f = partial ? scanFeatures(symbol, [...bars, partial], { share: today!.share }) : today ? undefined : scanFeatures(symbol, bars);
    if (f) features.push(f);
    else skipped.push(symbol);
    quality.add(checkQuality(symbol, bars, { through, expected }));
    const v = performance.now();
    computeMs += v - t;
    if (onBars) {
      onBars(symbol, bars);
      visitorMs += performance.now() - v;
    }
  }
  const readMs = performance.now() - started - computeMs - visitorMs;
  const t = performance.now();
  for (const symbol of wanted) {
    skipped.push(symbol);
    quality.add(checkQuality(symbol, [], { through, expected }));
  }
  const outcome = rankFeatures(features, skipped, criteria, topN);
  const summary = quality.summary();
  computeMs += performance.now() - t;
  return { outcome, quality: summary, readMs, computeMs };
}

/** Quality reports folded as they come: the count and sum of scores, and the low ones in a line each. */
export class QualityTally {
  private count = 0;
  private sum = 0;
  private readonly low: Array<{ symbol: string; score: number; summary: string }> = [];

  add(r: QualityReport): void {
    this.count++;
    this.sum += r.score;
    if (r.score < LOW_QUALITY) this.low.push({ symbol: r.symbol, score: r.score, summary: qualitySummary(r) });
  }

  /** The average and the 50 lowest, worst first. */
  summary(): ScanQuality {
    const low = [...this.low].sort((a, b) => a.score - b.score || (a.symbol < b.symbol ? -1 : 1)).slice(0, 50);
    return { average: this.count ? Math.round((this.sum / this.count) * 10) / 10 : 100, low };
  }
}

/** The scan's view of many quality reports: average and the low ones, worst first (pure). */
export function summarizeQuality(reports: QualityReport[]): ScanQuality {
  const tally = new QualityTally();
  for (const r of reports) tally.add(r);
  return tally.summary();
}

/**
 * Run a named scan for a trading date over the universe; stored once per (scan, date) unless forced.
 * `onBars` sees the bars of each symbol the scan reads (none when the stored scan is returned).
 */
export async function runNamedScan(name: string, date: IsoDate, opts: { provider: MarketDataProvider; force?: boolean; topN?: number; symbols?: string[]; onBars?: BarsVisitor; now?: Date }): Promise<StoredScan> {
  const scan = requireScan(name);
  const existing = await ScanResult.findById(scanResultId(scan, date)).lean();
  if (existing && !opts.force) return toStored(existing, false);
  const def = SCANS[scan];
  const through = def.basis === 'same-day-close' ? date : previousTradingDay(date);
  const symbols = opts.symbols ?? loadUniverse().map((u) => u.symbol);
  const started = performance.now();
  // A daytime scan needs yesterday's close, which the 06:30 scan (and the 16:35 fetch) stored: fetch only if missing.
  const stored = def.basis === 'intraday' ? await lastBarDates(symbols) : undefined;
  if (!stored || symbols.some((s) => (stored.get(s) ?? '') < through)) await fetchMarketData({ date: through, symbols, provider: opts.provider });
  let criteria: string[] = [...def.criteria];
  let today: { bars: Map<string, Bar>; share: number } | undefined;
  let basis: StoredScan['basis'];
  const slot = scanSlot(scan, date);
  if (slot) {
    const snap = await snapshotFor({ date, slot, symbols, provider: opts.provider, now: opts.now });
    if (snap.ok) {
      today = { bars: new Map([...snap.snapshot.rows.values()].map((s) => [s.symbol, partialBar(s)])), share: shareOfDay(snap.snapshot) };
      basis = { snapshot: describeSnapshot(snap.snapshot), taken: snap.taken };
    } else {
      criteria = [...((def as { closeCriteria?: readonly string[] }).closeCriteria ?? def.criteria)];
      basis = { fallback: `on the previous close: ${snap.reason}` };
    }
  }
  const { outcome, quality } = await scanFromStore(symbols, through, criteria, opts.topN ?? 10, opts.onBars, today);
  const doc = {
    scan, date, dataThrough: through, universe: symbols.length, scanned: outcome.scanned, skipped: outcome.skipped,
    results: outcome.results.map((r) => ({
      ...r, title: today && ON_THE_DAY_SO_FAR.has(r.criterion) ? `${r.title}, with the day so far` : r.title,
      hits: r.hits.map((h) => ({ ...h, sector: sectorOf(h.symbol) })),
    })),
    quality,
    durationMs: Math.round(performance.now() - started), createdAt: new Date(),
    ...(basis ? { basis } : {}),
  };
  // Replace in place: two attempts of one forced run storing at once both succeed (the last one stands).
  const _id = scanResultId(scan, date);
  await upsertRacing((upsert) => ScanResult.replaceOne({ _id }, { _id, ...doc }, { upsert }));
  await noteLatestScan(scan, date);
  return toStored(doc, true);
}

/** Move a scan's latest-date pointer forward (never back: a forced re-run of an old date leaves it). */
export async function noteLatestScan(scan: string, date: IsoDate): Promise<void> {
  const cur = await ScanLatest.findById(scan).lean();
  if (!cur || cur.date < date) await ScanLatest.replaceOne({ _id: scan }, { _id: scan, date }, { upsert: true }).catch(() => undefined);
}

/** A stored scan, by date or the latest: `_id` lookups only (stored scans grow by five a trading day). */
export async function findScan(name: string, date?: IsoDate): Promise<StoredScan | undefined> {
  const scan = requireScan(name);
  const on = date ?? (await ScanLatest.findById(scan).lean())?.date;
  const d = on ? await ScanResult.findById(scanResultId(scan, on)).lean() : null;
  return d ? toStored(d, false) : undefined;
}

/** A stored scan as a post; `marks` adds a note per name (its news so far, an earnings date: src/info/marks.ts). */
export function scanPost(s: StoredScan, demo: boolean, marks: Map<string, string> = new Map()): PostInput {
  const low = new Map(s.quality.low.map((q) => [q.symbol, q]));
  const qualityField = s.quality.low.length
    ? [{
        name: `Data quality: ${s.quality.low.length}${s.quality.low.length >= 50 ? '+' : ''} symbol(s) below ${LOW_QUALITY} (average ${s.quality.average})`,
        value: s.quality.low.slice(0, 8).map((q) => `⚠ ${q.symbol} ${q.score}: ${q.summary}`).join('\n').slice(0, 1000),
      }]
    : [];
  return {
    kind: 'scans',
    title: `${s.scan} · ${s.date}${s.basis?.snapshot ? ` · ${s.basis.snapshot.replace(/^as of /, '').replace(/ New York.*$/, '')}` : ''}`,
    description: `${s.scanned} of ${s.universe} symbols scanned on bars through ${s.dataThrough}${s.basis?.snapshot ? ` and the day so far, ${s.basis.snapshot}` : ''}${s.skipped.length ? ` (${s.skipped.length} without enough history or today's snapshot)` : ''}.${s.basis?.fallback ? `\nScanned ${s.basis.fallback}.` : ''}`,
    color: COLORS.info,
    demo,
    fields: [
      ...s.results.map((r) => ({
        name: r.title,
        value: r.hits.length
          ? `\`\`\`\n${r.hits.map((h, k) => `${String(k + 1).padStart(2)}. ${h.symbol.padEnd(6)} ${h.note}${marks.has(h.symbol) ? ` · ${marks.get(h.symbol)}` : ''}${low.has(h.symbol) ? ` ⚠ quality ${low.get(h.symbol)!.score}` : ''}`).join('\n')}\n\`\`\``
          : 'none today',
      })),
      ...qualityField,
    ],
    footer: `took ${(s.durationMs / 1000).toFixed(1)} s`,
  };
}
