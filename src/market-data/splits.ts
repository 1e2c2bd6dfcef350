import type { IsoDate } from '../calendar/dates.js';
import type { Revision } from './bar-store.js';

/** A split read from a split-adjusted provider's own data: earlier days re-served divided by `ratio`. */
export interface SplitSign {
  symbol: string;
  /** The stored day that came back changed (the split took effect after it). */
  date: IsoDate;
  /** New shares per old share: 4 for 4-for-1, 0.1 for 1-for-10. */
  ratio: number;
  evidence: string;
}

/** Split ratios seen in practice: n-for-1, 1-for-n (n ≤ 50), and the few fractional ones (3-for-2, 5-for-4…). */
const SPLIT_RATIOS: number[] = [
  ...Array.from({ length: 49 }, (_, i) => i + 2),
  ...Array.from({ length: 49 }, (_, i) => 1 / (i + 2)),
  3 / 2, 5 / 2, 5 / 4, 4 / 3, 2 / 3, 4 / 5,
];

/** The split ratio `r` is within 1 % of, if any. */
export function splitRatio(r: number): number | undefined {
  if (!(r > 0) || Math.abs(r - 1) < 0.2) return undefined;
  return SPLIT_RATIOS.find((q) => Math.abs(r - q) / q < 0.01);
}

/** "4-for-1", "1-for-10", "3-for-2". */
export function splitLabel(ratio: number): string {
  for (let m = 1; m <= 50; m++) {
    const n = ratio * m;
    if (Math.abs(n - Math.round(n)) < 1e-6) return `${Math.round(n)}-for-${m}`;
  }
  return `${ratio.toFixed(3)}-for-1`;
}

/**
 * Splits shown by re-served bars (pure): a split-adjusted provider asked again for a day we hold sends
 * it divided by the split's ratio. Every price of the day must move by the same split-like ratio, so a
 * late print or a corrected close is never taken for a split.
 */
export function splitsFromRevisions(revised: Revision[]): SplitSign[] {
  const out = new Map<string, SplitSign>();
  for (const { before: old, after: b } of revised) {
    const r = old.close / b.close;
    const ratio = splitRatio(r);
    if (ratio === undefined) continue;
    const same = [old.open / b.open, old.high / b.high, old.low / b.low].every((x) => Math.abs(x - r) / r < 0.005);
    if (!same) continue;
    const prev = out.get(b.symbol);
    if (!prev || b.date > prev.date) {
      out.set(b.symbol, { symbol: b.symbol, date: b.date, ratio, evidence: `${b.date} re-served with close ${old.close} → ${b.close} (÷${+r.toFixed(4)})` });
    }
  }
  return [...out.values()];
}
