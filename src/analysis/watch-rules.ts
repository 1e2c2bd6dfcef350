import { z } from 'zod';
import { rsi, sma } from './indicators.js';

/**
 * Member watchlist rules (#12 §3, #21 §4), pure: a rule and a symbol's daily bars through day D in, whether it
 * fired on D out. At the close D's bar is the stored one; during the session it is the day so far (a
 * snapshot), and only the rules a partial bar can answer are judged (INTRADAY_RULES).
 */
export const WATCH_RULES = {
  'rsi-below': { value: { min: 1, max: 99, unit: '' }, describe: (v: number) => `RSI-14 below ${v}` },
  'rsi-above': { value: { min: 1, max: 99, unit: '' }, describe: (v: number) => `RSI-14 above ${v}` },
  'cross-above-sma50': { value: null, describe: () => 'close crosses above SMA-50' },
  'cross-below-sma50': { value: null, describe: () => 'close crosses below SMA-50' },
  'cross-above-sma200': { value: null, describe: () => 'close crosses above SMA-200' },
  'cross-below-sma200': { value: null, describe: () => 'close crosses below SMA-200' },
  'gap-up': { value: { min: 0.1, max: 50, unit: '%' }, describe: (v: number) => `gap up over ${v}%` },
  'gap-down': { value: { min: 0.1, max: 50, unit: '%' }, describe: (v: number) => `gap down over ${v}%` },
  'new-52w-high': { value: null, describe: () => 'new 52-week closing high' },
  'new-52w-low': { value: null, describe: () => 'new 52-week closing low' },
  'move-over': { value: { min: 0.1, max: 50, unit: '%' }, describe: (v: number) => `daily move over ${v}%` },
  'volume-over': { value: { min: 1.1, max: 50, unit: '×' }, describe: (v: number) => `volume over ${v}× its 20-day average` },
  'price-above': { value: { min: 0.01, max: 1_000_000, unit: '' }, describe: (v: number) => `price crosses above ${v}` },
  'price-below': { value: { min: 0.01, max: 1_000_000, unit: '' }, describe: (v: number) => `price crosses below ${v}` },
} as const;

export type WatchRuleKind = keyof typeof WATCH_RULES;
export const WATCH_RULE_KINDS = Object.keys(WATCH_RULES) as WatchRuleKind[];
export const MAX_RULES_PER_MEMBER = 25;

/** Rules a partial bar can answer (price against a level or an SMA, gap, move, volume for the time of day, 52-week extremes); RSI waits for the close. */
export const INTRADAY_RULES: ReadonlySet<WatchRuleKind> = new Set(WATCH_RULE_KINDS.filter((k) => !k.startsWith('rsi-')));

export interface WatchRule { kind: WatchRuleKind; value: number | null }

/** A rule as typed: a known kind, and a value exactly when the kind takes one, within its bounds. */
export const watchRuleSchema = z
  .object({ kind: z.string(), value: z.number().nullable() })
  .superRefine((r, ctx) => {
    const def = (WATCH_RULES as Record<string, (typeof WATCH_RULES)[WatchRuleKind]>)[r.kind];
    if (!def) return ctx.addIssue({ code: 'custom', message: `unknown rule "${r.kind}"; allowed: ${WATCH_RULE_KINDS.join(', ')}` });
    if (def.value === null && r.value !== null) ctx.addIssue({ code: 'custom', message: `rule ${r.kind} takes no value` });
    if (def.value !== null) {
      if (r.value === null || !Number.isFinite(r.value)) ctx.addIssue({ code: 'custom', message: `rule ${r.kind} needs a value from ${def.value.min} to ${def.value.max}${def.value.unit}` });
      else if (r.value < def.value.min || r.value > def.value.max) ctx.addIssue({ code: 'custom', message: `rule ${r.kind}: ${r.value} is out of range; use ${def.value.min} to ${def.value.max}${def.value.unit}` });
    }
  });

export function describeRule(r: WatchRule): string {
  return WATCH_RULES[r.kind].describe(r.value ?? 0);
}

export interface DayBars {
  open: number[];
  close: number[];
  volume: number[];
  /** The last bar is the day so far: the share of a usual day's volume traded by now (1 at the close). */
  share?: number;
  /** Indicator series computed once per symbol and shared by its rules (filled on first use). */
  memo?: Map<string, Array<number | null>>;
}

function series(b: DayBars, key: string, make: () => Array<number | null>): Array<number | null> {
  b.memo ??= new Map();
  let s = b.memo.get(key);
  if (!s) b.memo.set(key, (s = make()));
  return s;
}

const pctChange = (a: number, b: number) => (b / a - 1) * 100;

/** Whether `rule` fired on the last bar; `detail` says by how much (for the DM). Too little history → not fired. */
export function evaluateRule(rule: WatchRule, b: DayBars): { fired: boolean; detail: string } {
  const n = b.close.length;
  const last = n - 1;
  const no = { fired: false, detail: '' };
  if (n < 2) return no;
  const c = b.close[last]!;
  const prev = b.close[last - 1]!;
  const v = rule.value ?? 0;
  switch (rule.kind) {
    case 'rsi-below':
    case 'rsi-above': {
      if (n < 15) return no;
      const r = series(b, 'rsi14', () => rsi(b.close, 14))[last];
      if (r === null || r === undefined) return no;
      const fired = rule.kind === 'rsi-below' ? r < v : r > v;
      return { fired, detail: `RSI-14 ${r.toFixed(1)}` };
    }
    case 'cross-above-sma50':
    case 'cross-below-sma50':
    case 'cross-above-sma200':
    case 'cross-below-sma200': {
      const period = rule.kind.endsWith('200') ? 200 : 50;
      if (n < period + 1) return no;
      const s = series(b, `sma${period}`, () => sma(b.close, period));
      const now = s[last];
      const before = s[last - 1];
      if (now === null || now === undefined || before === null || before === undefined) return no;
      const fired = rule.kind.startsWith('cross-above') ? prev <= before && c > now : prev >= before && c < now;
      return { fired, detail: `close ${c.toFixed(2)} vs SMA-${period} ${now.toFixed(2)}` };
    }
    case 'gap-up':
    case 'gap-down': {
      const gap = pctChange(prev, b.open[last]!);
      return { fired: rule.kind === 'gap-up' ? gap > v : -gap > v, detail: `gap ${gap >= 0 ? '+' : ''}${gap.toFixed(2)}%` };
    }
    case 'new-52w-high':
    case 'new-52w-low': {
      if (n < 200) return no;
      const window = b.close.slice(Math.max(0, n - 253), last);
      const fired = rule.kind === 'new-52w-high' ? c > Math.max(...window) : c < Math.min(...window);
      return { fired, detail: `close ${c.toFixed(2)}` };
    }
    case 'move-over': {
      const move = pctChange(prev, c);
      return { fired: Math.abs(move) > v, detail: `move ${move >= 0 ? '+' : ''}${move.toFixed(2)}%` };
    }
    case 'volume-over': {
      if (n < 21) return no;
      const share = Math.max(b.share ?? 1, 0.02);
      const avg = b.volume.slice(n - 21, last).reduce((s, x) => s + x, 0) / 20;
      const ratio = avg > 0 ? b.volume[last]! / (avg * share) : 0;
      return { fired: ratio > v, detail: `volume ${ratio.toFixed(1)}× its 20-day average${share < 1 ? ' for the time of day' : ''}` };
    }
    case 'price-above':
    case 'price-below': {
      // Crossed today: on the other side at the previous close, past the level now.
      const fired = rule.kind === 'price-above' ? prev <= v && c > v : prev >= v && c < v;
      return { fired, detail: `at ${c.toFixed(2)}, previous close ${prev.toFixed(2)}` };
    }
  }
}
