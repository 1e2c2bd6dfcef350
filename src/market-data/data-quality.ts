import type { IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import type { Bar } from './provider.js';

/** Data-quality checks over one symbol's stored bars (pure). */

export type QualityIssueKind = 'gap' | 'bad-price' | 'high-below-low' | 'duplicate-date' | 'split-like-jump' | 'stale';

export interface QualityIssue {
  kind: QualityIssueKind;
  date: IsoDate | null;
  detail: string;
}

export interface QualityReport {
  symbol: string;
  /** 100 = clean; see QUALITY_PENALTY for what each problem costs. */
  score: number;
  bars: number;
  expectedDays: number;
  missingDays: number;
  issues: QualityIssue[];
}

/** Points a problem costs (each kind capped), so one bad feed cannot hide another. */
export const QUALITY_PENALTY = {
  gap: { each: 1, cap: 40 },
  'bad-price': { each: 25, cap: 50 },
  'high-below-low': { each: 10, cap: 40 },
  'duplicate-date': { each: 10, cap: 30 },
  'split-like-jump': { each: 25, cap: 50 },
  stale: { each: 20, cap: 60 },
} as const satisfies Record<QualityIssueKind, { each: number; cap: number }>;

/** Below this a symbol's quality is shown in scan posts. */
export const LOW_QUALITY = 80;

/** Common split and reverse-split ratios: a close-to-close move near one of them smells like an unadjusted split. */
const SPLIT_RATIOS = [2, 3, 4, 5, 8, 10, 20];
/** How far the day's own move may pull the ratio off the split ratio (×0.448 still reads as 2:1). */
const SPLIT_TOLERANCE = 0.12;

export interface QualityOptions {
  /** The last trading day the data should reach. */
  through: IsoDate;
  /** Check gaps from here (default: the first stored bar). */
  from?: IsoDate;
  /** A daily move larger than this (as a fraction) is suspicious even when no split ratio matches. */
  jumpThreshold?: number;
  /** Expected trading days, when the caller checks many symbols over one range (avoids recomputing). */
  expected?: IsoDate[];
}

function splitRatio(ratio: number): number | undefined {
  const r = ratio >= 1 ? ratio : 1 / ratio;
  return SPLIT_RATIOS.find((s) => Math.abs(r / s - 1) < SPLIT_TOLERANCE);
}

export function checkQuality(symbol: string, bars: Bar[], opts: QualityOptions): QualityReport {
  const issues: QualityIssue[] = [];
  const jump = opts.jumpThreshold ?? 0.45;
  const seen = new Set<IsoDate>();
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    if (seen.has(b.date)) issues.push({ kind: 'duplicate-date', date: b.date, detail: `two bars for ${b.date}` });
    seen.add(b.date);
    const prices = [b.open, b.high, b.low, b.close];
    if (prices.some((p) => !Number.isFinite(p) || p <= 0)) {
      issues.push({ kind: 'bad-price', date: b.date, detail: `zero, negative or missing price (o ${b.open}, h ${b.high}, l ${b.low}, c ${b.close})` });
      continue;
    }
    if (b.high < b.low) issues.push({ kind: 'high-below-low', date: b.date, detail: `high ${b.high} < low ${b.low}` });
    const prev = bars[i - 1];
    if (prev && prev.close > 0 && prev.date !== b.date) {
      const ratio = b.close / prev.close;
      const split = splitRatio(ratio);
      if (split || Math.abs(ratio - 1) > jump) {
        issues.push({
          kind: 'split-like-jump', date: b.date,
          detail: `close ${prev.close} → ${b.close} (×${ratio.toFixed(3)})${split ? `, like a ${ratio >= 1 ? `1:${split} reverse` : `${split}:1`} split not adjusted` : ''}`,
        });
      }
    }
  }
  const first = opts.from ?? bars[0]?.date;
  const expected = opts.expected ?? (first ? tradingDaysBetween(first, opts.through) : []);
  const inRange = expected.filter((d) => !first || d >= first);
  const missing = inRange.filter((d) => !seen.has(d));
  const lastDate = bars.length ? bars.reduce((m, b) => (b.date > m ? b.date : m), bars[0]!.date) : null;
  const staleDays = lastDate === null ? inRange.length : inRange.filter((d) => d > lastDate).length;
  const gapDays = missing.filter((d) => lastDate === null || d < lastDate);
  if (gapDays.length) issues.push({ kind: 'gap', date: gapDays[0]!, detail: `${gapDays.length} trading day(s) missing (first ${gapDays[0]})` });
  if (staleDays > 0) issues.push({ kind: 'stale', date: lastDate, detail: `last bar ${lastDate ?? 'none'}, ${staleDays} trading day(s) behind ${opts.through}` });

  let penalty = 0;
  for (const kind of Object.keys(QUALITY_PENALTY) as QualityIssueKind[]) {
    const p = QUALITY_PENALTY[kind];
    const count = kind === 'gap' ? gapDays.length : kind === 'stale' ? staleDays : issues.filter((x) => x.kind === kind).length;
    penalty += Math.min(p.cap, count * p.each);
  }
  return { symbol, score: Math.max(0, 100 - penalty), bars: bars.length, expectedDays: inRange.length, missingDays: missing.length, issues };
}

/** The one-line reason a report scored low, worst first. */
export function qualitySummary(r: QualityReport): string {
  const order: QualityIssueKind[] = ['bad-price', 'stale', 'split-like-jump', 'high-below-low', 'duplicate-date', 'gap'];
  const worst = [...r.issues].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return worst.slice(0, 2).map((i) => i.detail).join('; ') || 'clean';
}
