import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import { validateBars, type Bar, type MarketDataProvider } from './provider.js';

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

const seriesCache = new Map<string, Map<IsoDate, Ohlcv>>();
const SYNTHETIC_END = '2030-12-31';

function round(n: number, dp = 4): number {
  const f = 10 ** dp;
  return Math.round(n * f) / f;
}

function syntheticSeries(symbol: string): Map<IsoDate, Ohlcv> {
  const cached = seriesCache.get(symbol);
  if (cached) return cached;
  const rand = prng(hash(symbol));
  const spx = spxSeries();
  const beta = 0.7 + rand() * 0.7;
  const idioVol = 0.004 + rand() * 0.012;
  let close = 20 + rand() * 180;
  let prevSpx: number | undefined;
  const out = new Map<IsoDate, Ohlcv>();
  for (const date of tradingDaysBetween(DEMO_FIRST_DATE, SYNTHETIC_END)) {
    const s = spx.get(date);
    const marketRet = s && prevSpx ? s.close / prevSpx - 1 : 0.0003 + 0.011 * gaussian(rand);
    if (s) prevSpx = s.close;
    const ret = beta * marketRet + idioVol * gaussian(rand);
    const open = close * (1 + 0.003 * gaussian(rand));
    close = Math.max(0.5, close * (1 + ret));
    const high = Math.max(open, close) * (1 + Math.abs(0.006 * gaussian(rand)));
    const low = Math.min(open, close) * (1 - Math.abs(0.006 * gaussian(rand)));
    const volume = Math.round(1e6 * (1 + 4 * rand()));
    out.set(date, { open: round(open), high: round(high), low: round(low), close: round(close), volume });
  }
  seriesCache.set(symbol, out);
  return out;
}

export class DemoProvider implements MarketDataProvider {
  readonly id = 'demo';

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const raw: Bar[] = [];
    for (const symbol of symbols) {
      const real = symbol === DEMO_REAL_SYMBOL;
      const series = real ? spxSeries() : syntheticSeries(symbol);
      for (const date of tradingDaysBetween(from < DEMO_FIRST_DATE ? DEMO_FIRST_DATE : from, to > SYNTHETIC_END ? SYNTHETIC_END : to)) {
        const bar = series.get(date);
        if (bar) raw.push({ symbol, date, ...bar, synthetic: !real });
      }
    }
    return validateBars(this.id, 'getDailyBars', raw);
  }

  async getGroupedDaily(date: IsoDate, symbols: string[] = [DEMO_REAL_SYMBOL]): Promise<Bar[]> {
    return this.getDailyBars(symbols, date, date);
  }
}
