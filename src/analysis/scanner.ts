import type { Bar } from '../market-data/provider.js';
import { WARMUP_BARS } from './indicators.js';
import { atrColumn, bollingerWidthColumn, rsiColumn } from './kernels.js';

/** Per-symbol scan features (pure), from daily bars oldest first. */
export interface ScanFeatures {
  symbol: string;
  close: number;
  return_20d: number;
  return_60d: number;
  atr_14: number;
  atr_pct: number;
  rsi_14: number;
  /** (upper − lower) / middle of BB(20, 2). */
  bb_width: number;
  /** Where today's width ranks among the last 120 days (0 = narrowest). */
  bb_width_pctile: number;
  high_252: number;
  new_high: boolean;
  last_date: string;
  /** With the day so far as the last bar (a daytime scan): what can be judged on a partial bar. */
  intraday?: IntradayFeatures;
}

export interface IntradayFeatures {
  /** Open over the previous close, − 1. */
  gap: number;
  /** Last price over the previous close, − 1. */
  move: number;
  /** Volume so far over what a usual day (the 20-day average) has traded by this time of day. */
  relVolume: number;
  /** The day's high above every close of the past 52 weeks, or its low below every one. */
  newHigh: boolean;
  newLow: boolean;
  /** ATR needs a finished bar: the previous close's ATR(14), and as a share of that close. */
  atrPrev: number;
  atrPrevPct: number;
  last: number;
}

/** Bars a symbol needs to be scanned: the indicators' warm-up (RSI and ATR are recursive). */
export const MIN_SCAN_BARS = WARMUP_BARS;

/**
 * `intraday`: the last bar is the day so far (a snapshot) and `share` the part of a usual day's volume traded
 * by then; the intraday features are computed beside the usual ones (which then see the partial bar).
 */
export function scanFeatures(symbol: string, bars: Bar[], intraday?: { share: number }): ScanFeatures | undefined {
  if (bars.length < MIN_SCAN_BARS) return undefined;
  // Columns and kernels (kernels.ts), not per-value objects: this runs for every symbol of the universe.
  const n = bars.length;
  const close = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    close[i] = b.close;
    high[i] = b.high;
    low[i] = b.low;
  }
  const last = close[n - 1]!;
  const atrs = atrColumn(high, low, close, 14);
  const a = atrs[n - 1]!;
  const widths = bollingerWidthColumn(close, 20, 2).subarray(Math.max(19, n - 120));
  const width = widths[widths.length - 1]!;
  let narrower = 0;
  for (const w of widths) if (w < width) narrower++;
  let high252 = -Infinity;
  for (let i = Math.max(0, n - 253); i < n - 1; i++) if (close[i]! > high252) high252 = close[i]!;
  return {
    symbol,
    close: last,
    return_20d: last / close[n - 21]! - 1,
    return_60d: last / close[n - 61]! - 1,
    atr_14: a,
    atr_pct: a / last,
    rsi_14: rsiColumn(close, 14)[n - 1]!,
    bb_width: width,
    bb_width_pctile: narrower / Math.max(1, widths.length - 1),
    high_252: Math.max(high252, last),
    new_high: last >= high252,
    last_date: bars[n - 1]!.date,
    ...(intraday ? { intraday: intradayFeatures(bars, close, atrs, intraday.share) } : {}),
  };
}

function intradayFeatures(bars: Bar[], close: Float64Array, atrs: Float64Array, share: number): IntradayFeatures {
  const n = bars.length;
  const today = bars[n - 1]!;
  const prevClose = close[n - 2]!;
  let avg = 0;
  for (let i = n - 21; i < n - 1; i++) avg += bars[i]!.volume / 20;
  let hi = -Infinity;
  let lo = Infinity;
  for (let i = Math.max(0, n - 253); i < n - 1; i++) {
    hi = Math.max(hi, close[i]!);
    lo = Math.min(lo, close[i]!);
  }
  const expected = avg * Math.max(share, 0.02);
  return {
    gap: today.open / prevClose - 1,
    move: today.close / prevClose - 1,
    relVolume: expected > 0 ? today.volume / expected : 0,
    newHigh: today.high > hi,
    newLow: today.low < lo,
    atrPrev: atrs[n - 2]!,
    atrPrevPct: atrs[n - 2]! / prevClose,
    last: today.close,
  };
}

export interface ScanHit {
  symbol: string;
  value: number;
  note: string;
}

/** A ranking criterion: which symbols qualify, and their order (best first). */
export interface Criterion {
  id: string;
  title: string;
  rank(features: ScanFeatures[]): ScanHit[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export const CRITERIA: Record<string, Criterion> = {
  atr: {
    id: 'atr', title: 'Highest ATR (14) % of price',
    rank: (fs) => [...fs].sort((a, b) => b.atr_pct - a.atr_pct).map((f) => ({ symbol: f.symbol, value: f.atr_pct, note: `ATR ${f.atr_14.toFixed(2)} (${pct(f.atr_pct)})` })),
  },
  momentum: {
    id: 'momentum', title: 'Strongest momentum (20d + 60d)',
    rank: (fs) => [...fs].map((f) => ({ f, v: (f.return_20d + f.return_60d) / 2 })).sort((a, b) => b.v - a.v)
      .map(({ f, v }) => ({ symbol: f.symbol, value: v, note: `20d ${pct(f.return_20d)}, 60d ${pct(f.return_60d)}` })),
  },
  'rsi-extremes': {
    id: 'rsi-extremes', title: 'RSI (14) extremes (≥ 70 or ≤ 30)',
    rank: (fs) => fs.filter((f) => f.rsi_14 >= 70 || f.rsi_14 <= 30).sort((a, b) => Math.abs(b.rsi_14 - 50) - Math.abs(a.rsi_14 - 50))
      .map((f) => ({ symbol: f.symbol, value: f.rsi_14, note: `RSI ${f.rsi_14.toFixed(1)} ${f.rsi_14 >= 70 ? 'overbought' : 'oversold'}` })),
  },
  'bb-squeeze': {
    id: 'bb-squeeze', title: 'Bollinger squeeze (narrowest bands in 120 days)',
    rank: (fs) => fs.filter((f) => f.bb_width_pctile <= 0.1).sort((a, b) => a.bb_width - b.bb_width)
      .map((f) => ({ symbol: f.symbol, value: f.bb_width, note: `width ${pct(f.bb_width)}, ${Math.round(f.bb_width_pctile * 100)}th pct` })),
  },
  gap: {
    id: 'gap', title: 'Biggest gaps at the open (vs the previous close)',
    rank: (fs) => fs.filter((f) => f.intraday && Math.abs(f.intraday.gap) >= 0.01).sort((a, b) => Math.abs(b.intraday!.gap) - Math.abs(a.intraday!.gap))
      .map((f) => ({ symbol: f.symbol, value: f.intraday!.gap, note: `gap ${signedPct(f.intraday!.gap)}, now ${signedPct(f.intraday!.move)}` })),
  },
  'day-move': {
    id: 'day-move', title: "The day's biggest moves so far",
    rank: (fs) => fs.filter((f) => f.intraday).sort((a, b) => Math.abs(b.intraday!.move) - Math.abs(a.intraday!.move))
      .map((f) => ({ symbol: f.symbol, value: f.intraday!.move, note: `${signedPct(f.intraday!.move)} at ${f.intraday!.last.toFixed(2)}` })),
  },
  'rel-volume': {
    id: 'rel-volume', title: 'Unusual volume for the time of day (≥ 1.5×)',
    rank: (fs) => fs.filter((f) => f.intraday && f.intraday.relVolume >= 1.5).sort((a, b) => b.intraday!.relVolume - a.intraday!.relVolume)
      .map((f) => ({ symbol: f.symbol, value: f.intraday!.relVolume, note: `${f.intraday!.relVolume.toFixed(1)}× a usual day by now, ${signedPct(f.intraday!.move)}` })),
  },
  'intraday-extremes': {
    id: 'intraday-extremes', title: '52-week highs and lows reached today',
    rank: (fs) => fs.filter((f) => f.intraday && (f.intraday.newHigh || f.intraday.newLow)).sort((a, b) => Math.abs(b.intraday!.move) - Math.abs(a.intraday!.move))
      .map((f) => ({ symbol: f.symbol, value: f.intraday!.move, note: `${f.intraday!.newHigh ? 'new 52-week high' : 'new 52-week low'}, ${signedPct(f.intraday!.move)}` })),
  },
  'atr-prev': {
    id: 'atr-prev', title: 'Highest ATR (14) % of price, at the previous close (ATR needs a finished bar)',
    rank: (fs) => fs.filter((f) => f.intraday).sort((a, b) => b.intraday!.atrPrevPct - a.intraday!.atrPrevPct)
      .map((f) => ({ symbol: f.symbol, value: f.intraday!.atrPrevPct, note: `ATR ${f.intraday!.atrPrev.toFixed(2)} (${pct(f.intraday!.atrPrevPct)})` })),
  },
  'new-highs': {
    id: 'new-highs', title: '52-week highs',
    rank: (fs) => fs.filter((f) => f.new_high).sort((a, b) => b.return_20d - a.return_20d)
      .map((f) => ({ symbol: f.symbol, value: f.close, note: `close ${f.close.toFixed(2)}, 20d ${pct(f.return_20d)}` })),
  },
};

export interface ScanOutcome {
  scanned: number;
  skipped: string[];
  results: Array<{ criterion: string; title: string; hits: ScanHit[] }>;
}

/** Features of every symbol with enough history (pure); the rest are listed as skipped. */
export function featuresOf(bars: Map<string, Bar[]>): { features: ScanFeatures[]; skipped: string[] } {
  const features: ScanFeatures[] = [];
  const skipped: string[] = [];
  for (const [symbol, list] of bars) {
    const f = scanFeatures(symbol, list);
    if (f) features.push(f);
    else skipped.push(symbol);
  }
  return { features, skipped };
}

/** Rank computed features by each criterion, keeping the top `topN` (pure). */
export function rankFeatures(features: ScanFeatures[], skipped: string[], criteria: string[], topN: number): ScanOutcome {
  return {
    scanned: features.length,
    skipped,
    results: criteria.map((c) => {
      const crit = CRITERIA[c];
      if (!crit) throw new RangeError(`unknown scan criterion ${c}`);
      return { criterion: c, title: crit.title, hits: crit.rank(features).slice(0, topN) };
    }),
  };
}

/** Compute features for every symbol and rank them by each criterion, keeping the top `topN` (pure). */
export function runScanner(bars: Map<string, Bar[]>, criteria: string[], topN: number): ScanOutcome {
  const { features, skipped } = featuresOf(bars);
  return rankFeatures(features, skipped, criteria, topN);
}
