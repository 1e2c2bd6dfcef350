import type { IsoDate } from '../calendar/dates.js';
import { BarIndex, BarLock } from '../db/models/bar-lock.js';
import { BarSeries } from '../db/models/bar-series.js';
import { isDuplicateKey } from '../db/connection.js';
import { bumpRevisions } from '../db/data-revision.js';
import { decodeBars, encodeBars } from './bar-codec.js';
import type { Bar } from './provider.js';

/**
 * The bar cache: one document per (symbol, year) holding a binary block of columns (see the model for why),
 * its `_id` "<symbol>|<year>" (barSeriesId). On the embedded FerretDB only `_id` equality uses an index, so a
 * read of a few series (the benchmark under every /portfolio, one symbol's chart) is a handful of `_id`
 * lookups, ~2 ms, where a filtered query scans every series (~300 ms on a year-old database); a read of a
 * universe still takes one scan, cheaper than a thousand lookups. Series written before the keyed `_id`
 * (an ObjectId) are re-keyed once per database by `keyBarSeries` (a storage migration at every start).
 */

/** The `_id` of a symbol's series for a calendar year. */
export const barSeriesId = (symbol: string, year: number): string => `${symbol}|${year}`;

/** Up to this many series a read looks up by `_id` (about 1 ms each); more take one scan of the collection. */
export const KEYED_READ_MAX = 96;
/** `_id` lookups in flight at once (the embedded server's pool is small, and other work shares it). */
const LOOKUPS_AT_ONCE = 8;

export interface UpsertReport {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** A stored bar the write replaced, with what replaced it (a correction, or a split re-served). */
export interface Revision {
  before: Bar;
  after: Bar;
}

const SAME = 1e-9;
const yearOf = (d: IsoDate) => Number(d.slice(0, 4));

function sameValues(a: Bar, b: Bar): boolean {
  return (
    Math.abs(a.open - b.open) < SAME && Math.abs(a.high - b.high) < SAME && Math.abs(a.low - b.low) < SAME &&
    Math.abs(a.close - b.close) < SAME && Math.abs(a.volume - b.volume) < SAME && a.synthetic === b.synthetic
  );
}

interface SeriesDoc {
  _id?: unknown;
  symbol: string;
  year: number;
  /** The binary block (bar-codec); absent on documents from before it. */
  data?: unknown;
  /** The array layout of earlier documents, read for compatibility. */
  dates?: string[];
  open?: number[];
  high?: number[];
  low?: number[];
  close?: number[];
  volume?: number[];
  synthetic?: boolean[];
  count?: number;
  rev: number;
}

/** The bytes of a stored block, whatever form the driver hands back (Binary, Buffer, Uint8Array). */
export function blockOf(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const bin = data as { buffer?: Uint8Array; position?: number };
  if (bin?.buffer instanceof Uint8Array) return bin.buffer.subarray(0, bin.position ?? bin.buffer.byteLength);
  throw new TypeError('bar series without a data block');
}

function toBars(d: SeriesDoc, from?: IsoDate, to?: IsoDate): Bar[] {
  if (d.data !== undefined && d.data !== null) return decodeBars(d.symbol, blockOf(d.data), from, to);
  const dates = d.dates ?? [];
  return dates
    .map((date, i) => ({ symbol: d.symbol, date, open: d.open![i]!, high: d.high![i]!, low: d.low![i]!, close: d.close![i]!, volume: d.volume![i]!, synthetic: d.synthetic?.[i] ?? false }))
    .filter((b) => (from === undefined || b.date >= from) && (to === undefined || b.date <= to));
}

const LEGACY_UNSET = { dates: 1, open: 1, high: 1, low: 1, close: 1, volume: 1, synthetic: 1 };

function fromBars(symbol: string, year: number, bars: Bar[]) {
  const dates = bars.map((b) => b.date).sort();
  return { symbol, year, data: encodeBars(bars), firstDate: dates[0]!, lastDate: dates[dates.length - 1]!, count: bars.length };
}

/** Merge incoming bars into a stored series (pure): the merged bars, or undefined when nothing changes. */
function merge(doc: SeriesDoc | undefined, incoming: Bar[], revised: Revision[]): { report: UpsertReport; bars: Bar[] | undefined } {
  const byDate = new Map((doc ? toBars(doc) : []).map((b) => [b.date, b]));
  const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 };
  for (const b of incoming) {
    const old = byDate.get(b.date);
    if (!old) report.inserted++;
    else if (!sameValues(old, b)) {
      report.updated++;
      revised.push({ before: old, after: b });
    } else {
      report.unchanged++;
      continue;
    }
    byDate.set(b.date, b);
  }
  return { report, bars: report.inserted + report.updated ? [...byDate.values()] : undefined };
}

const STALE_LOCK_MS = 60_000;
const WRITE_DEADLINE_MS = 60_000;

/** Lock what can be locked now; returns the keys taken. */
async function tryLock(keys: string[], now: Date): Promise<string[]> {
  await BarLock.deleteMany({ at: { $lt: new Date(now.getTime() - STALE_LOCK_MS) } });
  try {
    await BarLock.collection.insertMany(keys.map((k) => ({ _id: k, at: now })) as never[], { ordered: false });
    return keys;
  } catch (err) {
    const e = err as { writeErrors?: Array<{ code?: number; index: number }> | { code?: number; index: number } };
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
    if (errors.length === 0 || errors.some((w) => w.code !== 11000)) throw err;
    const busy = new Set(errors.map((w) => w.index));
    return keys.filter((_, i) => !busy.has(i));
  }
}

/**
 * Store bars keyed by (symbol, date). Running a day's fetch twice writes nothing: identical bars
 * are left alone; a provider correction replaces the bar. The series involved are locked (unique
 * insert), read in one query (on FerretDB every query scans the collection), merged in memory,
 * written (new series in one insertMany), and unlocked; series another writer holds are retried.
 * `revised` lists each stored bar a different one replaced (what the split check reads).
 */
export async function upsertBars(bars: Bar[], source: string, now = new Date()): Promise<UpsertReport & { revised: Revision[] }> {
  const groups = new Map<string, Bar[]>();
  for (const b of bars) {
    const key = barSeriesId(b.symbol, yearOf(b.date));
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  const total = { inserted: 0, updated: 0, unchanged: 0, revised: [] as Revision[] };
  const pending = new Set(groups.keys());
  const deadline = Date.now() + WRITE_DEADLINE_MS;
  while (pending.size) {
    const locked = await tryLock([...pending], new Date());
    if (locked.length === 0) {
      if (Date.now() > deadline) throw new Error(`bar series busy for a minute: ${[...pending].slice(0, 5).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
      continue;
    }
    try {
      const stored = await readSeries(locked);
      const byKey = new Map(stored.map((d) => [barSeriesId(d.symbol, d.year), d]));
      const fresh: Array<Record<string, unknown>> = [];
      for (const key of locked) {
        const [symbol, y] = key.split('|') as [string, string];
        const doc = byKey.get(key);
        const { report, bars: merged } = merge(doc, groups.get(key)!, total.revised);
        if (merged) {
          const next = { ...fromBars(symbol, Number(y), merged), source, updatedAt: now };
          if (doc) await BarSeries.collection.updateOne({ _id: doc._id as never }, { $set: { ...next, rev: doc.rev + 1 }, ...(doc.dates ? { $unset: LEGACY_UNSET } : {}) });
          else fresh.push({ _id: key, ...next, rev: 1 });
        }
        total.inserted += report.inserted;
        total.updated += report.updated;
        total.unchanged += report.unchanged;
      }
      if (fresh.length) await BarSeries.collection.insertMany(fresh, { ordered: true });
      // Keep each symbol's last date in the small index (still under the series lock).
      const touched = new Map<string, string>();
      for (const key of locked) {
        const symbol = key.split('|')[0]!;
        const last = groups.get(key)!.reduce((m, b) => (b.date > m ? b.date : m), '');
        if (last > (touched.get(symbol) ?? '')) touched.set(symbol, last);
      }
      const known = new Map((await BarIndex.find({ _id: { $in: [...touched.keys()] } }).lean()).map((d) => [d._id, d.lastDate]));
      const newIndex = [...touched].filter(([s2]) => !known.has(s2)).map(([s2, d]) => ({ _id: s2, lastDate: d }));
      if (newIndex.length) await BarIndex.collection.insertMany(newIndex as never[], { ordered: false }).catch(() => undefined);
      // Move forward only (an index row another writer inserted first is caught up here too). A re-served day
      // (the daily re-ask of yesterday) moves nothing: no write for it, or a universe's re-fetch costs a write per symbol.
      for (const [s2, d] of touched) {
        const at = known.get(s2);
        if (at !== undefined && at >= d) continue;
        await BarIndex.updateOne({ _id: s2, lastDate: { $lt: d } }, { $set: { lastDate: d } });
      }
    } finally {
      await BarLock.deleteMany({ _id: { $in: locked } });
    }
    for (const k of locked) pending.delete(k);
  }
  if (total.inserted + total.updated > 0) await bumpRevisions(['bars']); // views valued at these closes are stale now
  return total;
}

/** Bars for symbols over a date range (both ends included), grouped by symbol, oldest first. One query. */
export async function readBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Map<string, Bar[]>> {
  const out = new Map<string, Bar[]>(symbols.map((s) => [s, []]));
  for await (const [symbol, bars] of streamBars(symbols, from, to)) out.set(symbol, bars);
  return out;
}

/**
 * The stored series of `keys` ("<symbol>|<year>"): by `_id` when they are few, else one scan filtered by
 * symbol and year. Keys without a series are left out.
 */
async function readSeries(keys: string[]): Promise<SeriesDoc[]> {
  if (keys.length <= KEYED_READ_MAX) return lookUp(keys);
  const symbols = [...new Set(keys.map((k) => k.split('|')[0]!))];
  const years = [...new Set(keys.map((k) => Number(k.split('|')[1])))];
  const wanted = new Set(keys);
  const docs = (await BarSeries.collection.find({ symbol: { $in: symbols }, year: { $in: years } }).toArray()) as unknown as SeriesDoc[];
  return docs.filter((d) => wanted.has(barSeriesId(d.symbol, d.year)));
}

/** Series by `_id`, in the order of `keys`, a few lookups at a time. */
async function lookUp(keys: string[]): Promise<SeriesDoc[]> {
  const found: Array<SeriesDoc | null> = new Array(keys.length).fill(null);
  for (let i = 0; i < keys.length; i += LOOKUPS_AT_ONCE) {
    const batch = keys.slice(i, i + LOOKUPS_AT_ONCE);
    const docs = await Promise.all(batch.map((k) => BarSeries.collection.findOne({ _id: k as never })));
    docs.forEach((d, j) => (found[i + j] = d as unknown as SeriesDoc | null));
  }
  return found.filter((d): d is SeriesDoc => d !== null);
}

/**
 * Bars symbol by symbol (oldest first, symbols in sorted order): a whole universe can be scanned with one
 * symbol's bars in memory at a time. A few series are looked up by `_id`; more come from one sorted scan.
 * Symbols without bars are not yielded.
 */
export async function* streamBars(symbols: string[], from: IsoDate, to: IsoDate, batchSize = 50): AsyncGenerator<[string, Bar[]]> {
  if (symbols.length === 0 || from > to) return;
  const firstYear = yearOf(from);
  const lastYear = yearOf(to);
  const sorted = [...new Set(symbols)].sort(byCodeUnit);
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const docs: AsyncIterable<unknown> | SeriesDoc[] =
    sorted.length * years.length <= KEYED_READ_MAX
      ? await lookUp(sorted.flatMap((s) => years.map((y) => barSeriesId(s, y))))
      : // The driver directly (not mongoose): this is the hot path and needs no casting or hydration.
        BarSeries.collection.find({ symbol: { $in: sorted }, year: { $gte: firstYear, $lte: lastYear } }).sort({ symbol: 1, year: 1 }).batchSize(batchSize);
  let current: string | undefined;
  let lastYearSeen = -1;
  let bars: Bar[] = [];
  for await (const raw of docs) {
    const d = raw as SeriesDoc;
    if (d.symbol !== current) {
      if (current !== undefined) yield [current, bars];
      current = d.symbol;
      bars = [];
      lastYearSeen = -1;
    }
    // A series seen twice (copied, not yet deleted, while another process re-keys it) is read once.
    if (d.year === lastYearSeen) continue;
    lastYearSeen = d.year;
    for (const b of toBars(d, from, to)) bars.push(b);
  }
  if (current !== undefined) yield [current, bars];
}

/** The database's order of strings (binary), which the scan's sort uses too. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The latest stored date per symbol (undefined when a symbol has no bars), from the small index. */
export async function lastBarDates(symbols: string[]): Promise<Map<string, IsoDate | undefined>> {
  const out = new Map<string, IsoDate | undefined>(symbols.map((s) => [s, undefined]));
  for (const d of await BarIndex.find({ _id: { $in: symbols } }).lean()) out.set(d._id, d.lastDate);
  return out;
}

/** How many bars are stored (for a symbol, or on a date). */
export async function countBars(filter: { symbol?: string; date?: IsoDate } = {}): Promise<number> {
  const q: Record<string, unknown> = {};
  if (filter.symbol) q.symbol = filter.symbol;
  if (filter.date) q.year = yearOf(filter.date);
  const docs = (await BarSeries.collection.find(q, filter.date ? {} : { projection: { count: 1 } }).toArray()) as unknown as SeriesDoc[];
  return filter.date ? docs.filter((d) => toBars(d, filter.date, filter.date).length > 0).length : docs.reduce((n, d) => n + (d.count ?? 0), 0);
}

/** One bar per symbol on a date (the opening prices execution needs). */
export async function barsOn(symbols: string[], date: IsoDate): Promise<Map<string, Bar>> {
  const found = await readBars(symbols, date, date);
  return new Map([...found].flatMap(([s, list]) => (list[0] ? [[s, list[0]] as [string, Bar]] : [])));
}

/**
 * Replace a symbol's whole stored history with `bars` (after a split the provider re-serves it adjusted).
 * The old series and its index row go first; the caller holds the split's unique claim, so one process
 * does this once.
 */
export async function replaceSeries(symbol: string, bars: Bar[], source: string): Promise<UpsertReport> {
  await BarSeries.collection.deleteMany({ symbol });
  await BarIndex.deleteOne({ _id: symbol });
  return upsertBars(bars.filter((b) => b.symbol === symbol), source);
}

/**
 * The storage migration to `_id` "<symbol>|<year>" (once per database, from migrateStorage): each series with
 * an ObjectId is copied under its key and the original deleted, under the series' lock, so a concurrent write
 * waits and a second process re-keying at the same time moves each series once. The old unique (symbol, year)
 * index goes first (the copy repeats the pair until the original is gone); `_id` is that unique key now.
 * Returns how many series were moved.
 */
export async function keyBarSeries(): Promise<number> {
  await BarSeries.collection.dropIndex('symbol_1_year_1').catch(() => undefined);
  const legacy = (await BarSeries.collection.find({}, { projection: { _id: 1, symbol: 1, year: 1 } }).toArray()).filter((d) => typeof d._id !== 'string');
  let moved = 0;
  for (const ref of legacy) {
    const key = barSeriesId(String(ref.symbol), Number(ref.year));
    const deadline = Date.now() + WRITE_DEADLINE_MS;
    while ((await tryLock([key], new Date())).length === 0) {
      if (Date.now() > deadline) throw new Error(`bar series busy for a minute: ${key}`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
    }
    try {
      const doc = (await BarSeries.collection.findOne({ _id: ref._id })) as unknown as SeriesDoc | null;
      if (!doc) continue; // another process moved it first
      try {
        await BarSeries.collection.insertOne({ ...(doc as object), _id: key as never });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await keepBoth(key, doc);
      }
      await BarSeries.collection.deleteOne({ _id: ref._id });
      moved++;
    } finally {
      await BarLock.deleteMany({ _id: key });
    }
  }
  return moved;
}

/** A keyed series already exists beside an old one: the old one's dates it lacks are added to it. */
async function keepBoth(key: string, old: SeriesDoc): Promise<void> {
  const keyed = (await BarSeries.collection.findOne({ _id: key as never })) as unknown as SeriesDoc | null;
  if (!keyed) return;
  const byDate = new Map(toBars(old).map((b) => [b.date, b]));
  for (const b of toBars(keyed)) byDate.set(b.date, b);
  if (byDate.size === (keyed.count ?? toBars(keyed).length)) return;
  await BarSeries.collection.updateOne({ _id: key as never }, { $set: { ...fromBars(keyed.symbol, keyed.year, [...byDate.values()]), rev: keyed.rev + 1 } });
}
