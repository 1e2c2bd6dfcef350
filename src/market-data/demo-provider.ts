import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import { validateBars, type Bar, type MarketDataProvider, type SeriesContract } from './provider.js';

/**
 * The offline provider. SPX is the real S&P 500 index, daily OHLCV 2000-01-03..2020-04-17, as
 * shipped in the npm package vega-datasets. Every other symbol is a synthetic series (flagged
 * `synthetic`), deterministic per symbol: it follows SPX's daily return times a beta plus its own
 * seeded noise while SPX data exists, and a seeded random walk after.
 */
export const DEMO_REAL_SYMBOL = 'SPX';
export const DEMO_FIRST_DATE = '2000-01-03';
export const DEMO_LAST_REAL_DATE = '2020-04-17';

interface Ohlcv { open: number; high: number; low: number; close: number; volume: number }

let spxCache: Map<IsoDate, Ohlcv> | undefined;

function spxSeries(): Map<IsoDate, Ohlcv> {
  if (spxCache) return spxCache;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'sp500-2000.csv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const map = new Map<IsoDate, Ohlcv>();
  for (const row of rows) {
    const [date, open, high, low, close, , volume] = row.split(',');
    if (!date) continue;
    map.set(date, { open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) });
  }
  spxCache = map;
  return map;
}

/** mulberry32: a tiny seeded PRNG, so synthetic series are the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A synthetic path in typed arrays over the trading-day index, extended on demand (never past what was asked). */
interface Path {
  rand: () => number;
  beta: number;
  idioVol: number;
  close: number;
  prevSpx: number | undefined;
  length: number;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  closes: Float64Array;
  volume: Float64Array;
}

const SYNTHETIC_END = '2030-12-31';
let tradingDays: IsoDate[] | undefined;
let dayIndex: Map<IsoDate, number> | undefined;
const paths = new Map<string, Path>();

function days(): { list: IsoDate[]; index: Map<IsoDate, number> } {
  tradingDays ??= tradingDaysBetween(DEMO_FIRST_DATE, SYNTHETIC_END);
  dayIndex ??= new Map(tradingDays.map((d, i) => [d, i]));
  return { list: tradingDays, index: dayIndex };
}

function round(n: number, dp = 4): number {
  const f = 10 ** dp;
  return Math.round(n * f) / f;
}

function pathUpTo(symbol: string, lastIndex: number): Path {
  const { list } = days();
  let p = paths.get(symbol);
  if (!p) {
    const rand = prng(hash(symbol));
    const n = list.length;
    p = {
      rand, beta: 0.7 + rand() * 0.7, idioVol: 0.004 + rand() * 0.012, close: 20 + rand() * 180, prevSpx: undefined, length: 0,
      open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), closes: new Float64Array(n), volume: new Float64Array(n),
    };
    paths.set(symbol, p);
  }
  const spx = spxSeries();
  for (let i = p.length; i <= lastIndex; i++) {
    const s = spx.get(list[i]!);
    const rand = p.rand;
    const marketRet = s && p.prevSpx ? s.close / p.prevSpx - 1 : 0.0003 + 0.011 * gaussian(rand);
    if (s) p.prevSpx = s.close;
    const ret = p.beta * marketRet + p.idioVol * gaussian(rand);
    const open = p.close * (1 + 0.003 * gaussian(rand));
    p.close = Math.max(0.5, p.close * (1 + ret));
    p.open[i] = round(open);
    p.closes[i] = round(p.close);
    p.high[i] = round(Math.max(open, p.close) * (1 + Math.abs(0.006 * gaussian(rand))));
    p.low[i] = round(Math.min(open, p.close) * (1 - Math.abs(0.006 * gaussian(rand))));
    p.volume[i] = Math.round(1e6 * (1 + 4 * rand()));
    p.length = i + 1;
  }
  return p;
}

export class DemoProvider implements MarketDataProvider {
  readonly id = 'demo';

  contract(): SeriesContract {
    return { provider: 'demo', feed: 'demo', adjustment: 'split' };
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const raw: Bar[] = [];
    const { index } = days();
    const range = tradingDaysBetween(from < DEMO_FIRST_DATE ? DEMO_FIRST_DATE : from, to > SYNTHETIC_END ? SYNTHETIC_END : to);
    if (range.length === 0) return [];
    const lastIndex = index.get(range[range.length - 1]!)!;
    for (const symbol of symbols) {
      if (symbol === DEMO_REAL_SYMBOL) {
        const spx = spxSeries();
        for (const date of range) {
          const bar = spx.get(date);
          if (bar) raw.push({ symbol, date, ...bar, synthetic: false });
        }
        continue;
      }
      const p = pathUpTo(symbol, lastIndex);
      for (const date of range) {
        const i = index.get(date)!;
        raw.push({ symbol, date, open: p.open[i]!, high: p.high[i]!, low: p.low[i]!, close: p.closes[i]!, volume: p.volume[i]!, synthetic: true });
      }
    }
    return validateBars(this.id, 'getDailyBars', raw);
  }

  async getGroupedDaily(date: IsoDate, symbols: string[] = [DEMO_REAL_SYMBOL]): Promise<Bar[]> {
    return this.getDailyBars(symbols, date, date);
  }
}
