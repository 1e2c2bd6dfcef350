import type { IsoDate } from '../calendar/dates.js';
import { PriceBar } from '../db/models/price-bar.js';
import type { Bar } from './provider.js';

export interface UpsertReport {
  inserted: number;
  updated: number;
  unchanged: number;
}

const SAME = 1e-9;

function sameValues(a: Bar, b: Bar): boolean {
  return (
    Math.abs(a.open - b.open) < SAME && Math.abs(a.high - b.high) < SAME && Math.abs(a.low - b.low) < SAME &&
    Math.abs(a.close - b.close) < SAME && Math.abs(a.volume - b.volume) < SAME && a.synthetic === b.synthetic
  );
}

/**
 * Store bars keyed by (symbol, date): new bars are inserted, bars whose values changed (a
 * provider correction) are updated, identical bars are left alone — so running a day's fetch
 * twice writes nothing. Reading first and inserting in bulk is also what makes this fast on
 * FerretDB, where an upsert costs a lookup per document (about 400x slower than insertMany).
 * A concurrent writer that inserts the same bar first is harmless: the unique index refuses
 * the copy and it counts as unchanged.
 */
export async function upsertBars(bars: Bar[], source: string, now = new Date()): Promise<UpsertReport> {
  if (bars.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const symbols = [...new Set(bars.map((b) => b.symbol))];
  const dates = bars.map((b) => b.date).sort();
  const stored = await readBars(symbols, dates[0]!, dates[dates.length - 1]!);
  const existing = new Map<string, Bar>();
  for (const list of stored.values()) for (const b of list) existing.set(`${b.symbol}|${b.date}`, b);
  const fresh: Bar[] = [];
  const changed: Bar[] = [];
  for (const b of bars) {
    const old = existing.get(`${b.symbol}|${b.date}`);
    if (!old) fresh.push(b);
    else if (!sameValues(old, b)) changed.push(b);
  }
  let inserted = 0;
  for (let i = 0; i < fresh.length; i += 1_000) {
    const chunk = fresh.slice(i, i + 1_000).map((b) => ({ ...b, source, fetchedAt: now }));
    try {
      const res = await PriceBar.collection.insertMany(chunk, { ordered: false });
      inserted += res.insertedCount;
    } catch (err) {
      const e = err as { code?: number; insertedCount?: number; writeErrors?: Array<{ code?: number }> | { code?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      if (writeErrors.length === 0 || writeErrors.some((w) => w.code !== 11000)) throw err;
      inserted += e.insertedCount ?? chunk.length - writeErrors.length;
    }
  }
  for (const b of changed) {
    await PriceBar.updateOne(
      { symbol: b.symbol, date: b.date },
      { $set: { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, synthetic: b.synthetic, source, fetchedAt: now } },
    );
  }
  return { inserted, updated: changed.length, unchanged: bars.length - inserted - changed.length };
}

/** Bars for symbols over a date range, grouped by symbol, oldest first. */
export async function readBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Map<string, Bar[]>> {
  const docs = await PriceBar.find({ symbol: { $in: symbols }, date: { $gte: from, $lte: to } })
    .sort({ symbol: 1, date: 1 })
    .lean();
  const out = new Map<string, Bar[]>(symbols.map((s) => [s, []]));
  for (const d of docs) {
    out.get(d.symbol)?.push({ symbol: d.symbol, date: d.date, open: d.open, high: d.high, low: d.low, close: d.close, volume: d.volume, synthetic: d.synthetic ?? false });
  }
  return out;
}

/** The latest stored date per symbol (undefined when a symbol has no bars). */
export async function lastBarDates(symbols: string[]): Promise<Map<string, IsoDate | undefined>> {
  const out = new Map<string, IsoDate | undefined>();
  await Promise.all(
    symbols.map(async (s) => {
      const doc = await PriceBar.findOne({ symbol: s }).sort({ date: -1 }).lean();
      out.set(s, doc?.date);
    }),
  );
  return out;
}

export async function countBars(filter: { symbol?: string; date?: IsoDate } = {}): Promise<number> {
  return PriceBar.countDocuments(filter);
}
