import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import { loadUniverse } from './universe.js';

/**
 * The demo market: one believable market derived from one real path. Pure given the packaged CSV.
 *
 * - SPX is the real S&P 500 index, daily OHLCV 2000-01-03..2020-04-17 (npm package vega-datasets). After
 *   that it continues synthetically (GARCH(1,1) log returns with the real series' long-run volatility and
 *   drift, volatility carried over from the last real month), and those bars say `synthetic`.
 * - SPY is SPX/10 times a tiny mean-reverting tracking error (a few basis points).
 * - Every other symbol follows a factor model in log prices:
 *     ln P(t) = ln P0 + β·ln(M(t)/M0) + g·S_sector(t) + u(t) + α·t
 *   with the market M, a sector factor S per GICS sector of data/universe.json and an idiosyncratic u, both
 *   slowly mean-reverting AR(1) processes whose shocks grow with the market's own volatility (so 2008 and
 *   March 2020 are turbulent for every name). β, g, α, the idiosyncratic volatility, the starting price
 *   and the typical volume are drawn per symbol from a generator seeded by its name: every run, every machine,
 *   the same market. docs/demo-market.md explains the choices; test/market-data/demo-market.test.ts holds
 *   the properties.
 */
export const DEMO_REAL_SYMBOL = 'SPX';
export const DEMO_FIRST_DATE: IsoDate = '2000-01-03';
export const DEMO_LAST_REAL_DATE: IsoDate = '2020-04-17';
export const DEMO_LAST_DATE: IsoDate = '2030-12-31';

export interface DemoBar { date: IsoDate; open: number; high: number; low: number; close: number; volume: number; synthetic: boolean }

/** mulberry32: a tiny seeded PRNG, so synthetic series are the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The real series' long-run daily volatility of log returns (≈ 19.8 % a year, 2000–2020). */
const MARKET_DAILY_VOL = 0.0125;
const MARKET_DAILY_DRIFT = 0.07 / 252;

// ---------------------------------------------------------------- the market
interface Market {
  days: IsoDate[];
  index: Map<IsoDate, number>;
  lastReal: number;
  open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array;
  /** ln(close/previous close); 0 on the first day. */
  ret: Float64Array;
  /** ln(open/previous close). */
  gap: Float64Array;
  /** Market volatility regime: 20-day realised volatility over the long-run level, clamped to [0.5, 4]. */
  regime: Float64Array;
  /** The day's range against its median (ln(high/low) / median), clamped to [0.4, 4]. */
  range: Float64Array;
  /** The day's volume over its 250-day average, clamped to [0.4, 3]. */
  activity: Float64Array;
}

let market: Market | undefined;

function readSpx(): Map<IsoDate, [number, number, number, number, number]> {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'sp500-2000.csv');
  const out = new Map<IsoDate, [number, number, number, number, number]>();
  for (const row of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [date, open, high, low, close, , volume] = row.split(',');
    if (date) out.set(date, [round2(Number(open)), round2(Number(high)), round2(Number(low)), round2(Number(close)), Number(volume)]);
  }
  return out;
}

/** The market path over every NYSE trading day of the demo: real, then continued. Built once (≈ 7,800 days). */
export function demoMarket(): Market {
  if (market) return market;
  const days = tradingDaysBetween(DEMO_FIRST_DATE, DEMO_LAST_DATE);
  const n = days.length;
  const m: Market = {
    days, index: new Map(days.map((d, i) => [d, i])), lastReal: -1,
    open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
    ret: new Float64Array(n), gap: new Float64Array(n), regime: new Float64Array(n), range: new Float64Array(n), activity: new Float64Array(n),
  };
  const spx = readSpx();
  for (let i = 0; i < n; i++) {
    const real = spx.get(days[i]!);
    if (!real) break;
    [m.open[i], m.high[i], m.low[i], m.close[i], m.volume[i]] = real;
    m.lastReal = i;
  }
  // The continuation: GARCH(1,1) with the long-run variance of the real series, starting from its last month.
  const rand = prng(hash('SPX:continuation'));
  const longVar = MARKET_DAILY_VOL ** 2;
  const a = 0.08;
  const b = 0.9;
  let variance = 0;
  for (let k = m.lastReal - 19; k <= m.lastReal; k++) variance += Math.log(m.close[k]! / m.close[k - 1]!) ** 2 / 20;
  let refVolume = 0;
  for (let k = m.lastReal - 59; k <= m.lastReal; k++) refVolume += m.volume[k]! / 60;
  let prevR = Math.log(m.close[m.lastReal]! / m.close[m.lastReal - 1]!);
  for (let i = m.lastReal + 1; i < n; i++) {
    variance = longVar * (1 - a - b) + a * prevR * prevR + b * variance;
    const sd = Math.sqrt(variance);
    const r = MARKET_DAILY_DRIFT - variance / 2 + sd * gaussian(rand);
    const prev = m.close[i - 1]!;
    const close = round2(prev * Math.exp(r));
    const open = round2(prev * Math.exp(0.2 * sd * gaussian(rand)));
    m.close[i] = close;
    m.open[i] = open;
    m.high[i] = round2(Math.max(open, close) * Math.exp(Math.abs(gaussian(rand)) * 0.35 * sd));
    m.low[i] = round2(Math.min(open, close) * Math.exp(-Math.abs(gaussian(rand)) * 0.35 * sd));
    m.volume[i] = Math.round(refVolume * (sd / MARKET_DAILY_VOL) ** 0.6 * Math.exp(0.15 * gaussian(rand)));
    prevR = Math.log(close / prev);
  }
  // Derived daily measures the names share.
  const ranges: number[] = [];
  for (let i = 0; i <= m.lastReal; i++) ranges.push(Math.log(m.high[i]! / m.low[i]!));
  const medianRange = ranges.sort((x, y) => x - y)[Math.floor(ranges.length / 2)]!;
  let sq = 0;
  let avgVolume = m.volume[0]!;
  for (let i = 0; i < n; i++) {
    m.ret[i] = i ? Math.log(m.close[i]! / m.close[i - 1]!) : 0;
    m.gap[i] = i ? Math.log(m.open[i]! / m.close[i - 1]!) : 0;
    sq += m.ret[i]! ** 2 - (i >= 20 ? m.ret[i - 20]! ** 2 : 0);
    m.regime[i] = clamp(Math.sqrt(sq / Math.min(20, i + 1)) / MARKET_DAILY_VOL || 1, 0.5, 4);
    m.range[i] = clamp(Math.log(m.high[i]! / m.low[i]!) / medianRange, 0.4, 4);
    m.activity[i] = clamp(m.volume[i]! / avgVolume, 0.4, 3);
    avgVolume += (m.volume[i]! - avgVolume) / 250;
  }
  market = m;
  return m;
}

// ---------------------------------------------------------------- the names
/** β range and idiosyncratic volatility range (annual) per GICS sector. */
const SECTOR_PROFILE: Record<string, { beta: [number, number]; idio: [number, number] }> = {
  'Information Technology': { beta: [0.95, 1.5], idio: [0.2, 0.42] },
  'Consumer Discretionary': { beta: [0.9, 1.4], idio: [0.2, 0.4] },
  'Communication Services': { beta: [0.8, 1.3], idio: [0.18, 0.36] },
  Financials: { beta: [0.9, 1.4], idio: [0.15, 0.32] },
  Industrials: { beta: [0.8, 1.3], idio: [0.15, 0.3] },
  Materials: { beta: [0.8, 1.3], idio: [0.16, 0.32] },
  Energy: { beta: [0.7, 1.3], idio: [0.22, 0.4] },
  'Health Care': { beta: [0.6, 1.1], idio: [0.16, 0.38] },
  'Consumer Staples': { beta: [0.5, 0.85], idio: [0.14, 0.24] },
  Utilities: { beta: [0.45, 0.8], idio: [0.13, 0.2] },
  'Real Estate': { beta: [0.6, 1.1], idio: [0.16, 0.3] },
};
const OTHER = { beta: [0.8, 1.2] as [number, number], idio: [0.18, 0.35] as [number, number] };

/** The sector factor's annual volatility, and how slowly the factors forget (AR(1) coefficient). */
const SECTOR_VOL = 0.1;
const PERSISTENCE = 0.9995;

export interface NameParams {
  symbol: string;
  sector: string;
  beta: number;
  /** Loading on the sector factor. */
  loading: number;
  /** Annual idiosyncratic volatility. */
  idio: number;
  /** Annual drift beyond the market's (alpha). */
  alpha: number;
  start: number;
  /** Typical shares traded a day. */
  baseVolume: number;
  /** Long-run daily volatility of the name's log returns, for its ranges and volume spikes. */
  dailyVol: number;
}

let sectors: Map<string, string> | undefined;

function sectorOf(symbol: string): string {
  sectors ??= new Map(loadUniverse().map((u) => [u.symbol, u.sector]));
  return sectors.get(symbol) ?? 'Other';
}

/** A name's parameters: fixed for the index ETFs, drawn from its seeded generator for everything else. */
export function nameParams(symbol: string): NameParams {
  const rand = prng(hash(`params:${symbol}`));
  const between = ([lo, hi]: [number, number]) => lo + (hi - lo) * rand();
  const sector = sectorOf(symbol);
  const m0 = demoMarket().close[0]!;
  const finish = (p: Omit<NameParams, 'dailyVol'>): NameParams => ({
    ...p, dailyVol: Math.sqrt((p.beta * MARKET_DAILY_VOL) ** 2 + (p.loading * SECTOR_VOL) ** 2 / 252 + p.idio ** 2 / 252),
  });
  if (symbol === 'SPY') return finish({ symbol, sector, beta: 1, loading: 0, idio: 0.003, alpha: 0, start: round2(m0 / 10), baseVolume: 8e7 });
  if (symbol === 'DIA') return finish({ symbol, sector, beta: 0.95, loading: 0, idio: 0.035, alpha: 0, start: round2(m0 * 0.0785), baseVolume: 6e6 });
  if (symbol === 'QQQ') return finish({ symbol, sector: 'Information Technology', beta: 1.2, loading: 0.8, idio: 0.06, alpha: 0.01, start: 92, baseVolume: 5e7 });
  const profile = SECTOR_PROFILE[sector] ?? OTHER;
  if (/^XL[A-Z]{1,2}$/.test(symbol)) {
    const [lo, hi] = profile.beta;
    return finish({ symbol, sector, beta: (lo + hi) / 2, loading: 1, idio: 0.03, alpha: 0, start: round2(between([18, 45])), baseVolume: Math.round(between([5e6, 2e7])) });
  }
  const beta = between(profile.beta);
  const loading = between([0.7, 1.3]);
  const idio = between(profile.idio);
  const alpha = between([-0.03, 0.06]);
  const start = round2(clamp(45 * Math.exp(0.7 * gaussian(rand)), 8, 300));
  // Dollar volume around $120M a day, more shares for cheaper stocks.
  const baseVolume = Math.round(clamp((1.2e8 / start) * Math.exp(0.8 * gaussian(rand)), 2e5, 8e7));
  return finish({ symbol, sector, beta, loading, idio, alpha, start, baseVolume });
}

/** A sector factor's path (log level), extended on demand. */
interface Factor { rand: () => number; level: Float64Array; length: number }
const factors = new Map<string, Factor>();

function sectorFactor(sector: string, lastIndex: number): Float64Array {
  const m = demoMarket();
  let f = factors.get(sector);
  if (!f) {
    f = { rand: prng(hash(`sector:${sector}`)), level: new Float64Array(m.days.length), length: 0 };
    factors.set(sector, f);
  }
  const sd = SECTOR_VOL / Math.sqrt(252);
  for (let i = f.length; i <= lastIndex; i++) {
    const prev = i ? f.level[i - 1]! : 0;
    f.level[i] = PERSISTENCE * prev + sd * Math.sqrt(m.regime[i]!) * gaussian(f.rand);
    f.length = i + 1;
  }
  return f.level;
}

/** One name's bars, stored as float32 (prices are re-rounded to cents on the way out), grown on demand. */
interface NamePath {
  params: NameParams;
  rand: () => number;
  u: number;
  length: number;
  open: Float32Array; high: Float32Array; low: Float32Array; close: Float32Array; volume: Float32Array;
}
const names = new Map<string, NamePath>();

function grow(a: Float32Array, size: number): Float32Array {
  const b = new Float32Array(size);
  b.set(a);
  return b;
}

function namePath(symbol: string, lastIndex: number): NamePath {
  const m = demoMarket();
  let p = names.get(symbol);
  if (!p) {
    const empty = new Float32Array(0);
    p = { params: nameParams(symbol), rand: prng(hash(symbol)), u: 0, length: 0, open: empty, high: empty, low: empty, close: empty, volume: empty };
    names.set(symbol, p);
  }
  if (p.length > lastIndex) return p;
  if (p.close.length <= lastIndex) {
    const size = Math.min(m.days.length, Math.max(lastIndex + 1, p.close.length * 2, 512));
    p.open = grow(p.open, size); p.high = grow(p.high, size); p.low = grow(p.low, size); p.close = grow(p.close, size); p.volume = grow(p.volume, size);
  }
  const { params: q, rand } = p;
  if (symbol === 'SPY') return spyPath(p, lastIndex);
  const sector = q.loading ? sectorFactor(q.sector, lastIndex) : undefined;
  const idioDaily = q.idio / Math.sqrt(252);
  const lnM0 = Math.log(m.close[0]!);
  for (let i = p.length; i <= lastIndex; i++) {
    const shockScale = Math.sqrt(m.regime[i]!);
    const z = gaussian(rand);
    p.u = PERSISTENCE * p.u + idioDaily * shockScale * z;
    const ln = Math.log(q.start) + q.beta * (Math.log(m.close[i]!) - lnM0) + q.loading * (sector?.[i] ?? 0) + p.u + (q.alpha * i) / 252;
    const close = Math.max(0.05, Math.exp(ln));
    const prev = i ? p.close[i - 1]! : close;
    const open = i ? prev * Math.exp(q.beta * m.gap[i]! + 0.3 * idioDaily * gaussian(rand)) : close * Math.exp(0.3 * idioDaily * gaussian(rand));
    const reach = 0.4 * q.dailyVol * m.range[i]!;
    const o = round2(Math.max(0.05, open));
    const c = round2(close);
    const h = round2(Math.max(o, c) * Math.exp(Math.abs(gaussian(rand)) * reach));
    const l = Math.max(0.01, round2(Math.min(o, c) * Math.exp(-Math.abs(gaussian(rand)) * reach)));
    p.open[i] = o;
    p.close[i] = c;
    p.high[i] = Math.max(h, o, c);
    p.low[i] = Math.min(l, o, c);
    // The market's activity moves every name's volume; a large move of its own (news) adds up to 4× more.
    const news = Math.min(4, 1 + 0.8 * Math.max(0, Math.abs(z) - 1.8));
    p.volume[i] = Math.round(q.baseVolume * m.activity[i]! * news * Math.exp(0.25 * gaussian(rand)));
    p.length = i + 1;
  }
  return p;
}

/** SPY: SPX/10 times a mean-reverting tracking error of a few basis points; volume from the market's activity. */
function spyPath(p: NamePath, lastIndex: number): NamePath {
  const m = demoMarket();
  for (let i = p.length; i <= lastIndex; i++) {
    p.u = 0.95 * p.u + 0.00015 * gaussian(p.rand);
    const k = Math.exp(p.u) / 10;
    const o = round2(m.open[i]! * k);
    const c = round2(m.close[i]! * k);
    p.open[i] = o;
    p.close[i] = c;
    p.high[i] = Math.max(round2(m.high[i]! * k), o, c);
    p.low[i] = Math.min(round2(m.low[i]! * k), o, c);
    p.volume[i] = Math.round(p.params.baseVolume * m.activity[i]! * Math.exp(0.2 * gaussian(p.rand)));
    p.length = i + 1;
  }
  return p;
}

/** The demo's bars for `symbol` on each NYSE trading day from `from` to `to` (clipped to the demo's range). */
export function demoBars(symbol: string, from: IsoDate, to: IsoDate): DemoBar[] {
  const m = demoMarket();
  const first = from < DEMO_FIRST_DATE ? 0 : firstIndexOnOrAfter(from);
  const last = to > DEMO_LAST_DATE ? m.days.length - 1 : lastIndexOnOrBefore(to);
  if (first < 0 || last < first) return [];
  const out: DemoBar[] = [];
  if (symbol === DEMO_REAL_SYMBOL) {
    for (let i = first; i <= last; i++) {
      out.push({ date: m.days[i]!, open: m.open[i]!, high: m.high[i]!, low: m.low[i]!, close: m.close[i]!, volume: m.volume[i]!, synthetic: i > m.lastReal });
    }
    return out;
  }
  const p = namePath(symbol, last);
  for (let i = first; i <= last; i++) {
    out.push({ date: m.days[i]!, open: round2(p.open[i]!), high: round2(p.high[i]!), low: round2(p.low[i]!), close: round2(p.close[i]!), volume: p.volume[i]!, synthetic: true });
  }
  return out;
}

function firstIndexOnOrAfter(date: IsoDate): number {
  const { days } = demoMarket();
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo < days.length ? lo : -1;
}

function lastIndexOnOrBefore(date: IsoDate): number {
  const i = firstIndexOnOrAfter(date);
  if (i < 0) return demoMarket().days.length - 1;
  return demoMarket().days[i] === date ? i : i - 1;
}

/**
 * The demo's intraday path of `symbol` on a trading day, minute by minute from the open to the close: it
 * starts at the day's open, touches the day's high and low at seeded minutes (each exactly once reached, never
 * exceeded), wanders in between, and ends at the close, so the snapshot at 16:00 is the daily bar itself.
 * Volume accrues along the session's U-shaped curve. Deterministic per (symbol, date).
 */
export function demoIntradayPath(symbol: string, date: IsoDate, sessionMinutes: number): { bar: DemoBar; prevClose: number; prices: Float64Array; volumeBend: number } | undefined {
  const m = demoMarket();
  const i = m.index.get(date);
  if (i === undefined || i === 0) return undefined;
  const [prev, bar] = demoBars(symbol, m.days[i - 1]!, date);
  if (!prev || !bar || bar.date !== date) return undefined;
  const rand = prng(hash(`intraday:${symbol}:${date}`));
  const S = sessionMinutes;
  const t1 = Math.round(S * (0.05 + 0.9 * rand()));
  let t2 = Math.round(S * (0.05 + 0.9 * rand()));
  if (t2 === t1) t2 = Math.min(S - 1, t1 + 1);
  const [a, b] = t1 < t2 ? [t1, t2] : [t2, t1];
  // A rising day more often makes its low first; a falling day its high.
  const lowFirst = rand() < (bar.close >= bar.open ? 0.65 : 0.35);
  const knots: Array<[number, number]> = [[0, bar.open], [a, lowFirst ? bar.low : bar.high], [b, lowFirst ? bar.high : bar.low], [S, bar.close]];
  const walk = new Float64Array(S + 1);
  const step = (bar.high - bar.low) * 0.03;
  for (let k = 1; k <= S; k++) walk[k] = walk[k - 1]! + step * gaussian(rand);
  const prices = new Float64Array(S + 1);
  for (let s = 0; s < knots.length - 1; s++) {
    const [x0, y0] = knots[s]!;
    const [x1, y1] = knots[s + 1]!;
    for (let k = x0; k <= x1; k++) {
      const f = x1 === x0 ? 0 : (k - x0) / (x1 - x0);
      const bridge = walk[k]! - walk[x0]! - f * (walk[x1]! - walk[x0]!);
      prices[k] = round2(clamp(y0 + f * (y1 - y0) + bridge, bar.low, bar.high));
    }
  }
  for (const [k, y] of knots) prices[k] = y;
  // How front-loaded the day's volume is (share^bend: under 1, early; over 1, late), so relative volume moves
  // through the day; at the close every path has traded the day's volume.
  return { bar, prevClose: prev.close, prices, volumeBend: 0.75 + 0.5 * rand() };
}
