import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { IsoDate } from '../calendar/dates.js';
import { isDuplicateKey } from '../db/connection.js';
import { releaseLease, takeLease } from '../db/lease.js';
import { EarningsDay, EarningsSymbol, EconomicDay, InfoState, NewsArticle, NewsIndex, NewsUrl } from '../db/models/info.js';
import { UserFacingError } from '../errors.js';
import type { Article, EarningsEvent, EconomicEvent } from './contracts.js';

const ZONE = 'America/New_York';
export const nyDay = (d: Date): IsoDate => DateTime.fromJSDate(d, { zone: ZONE }).toISODate()! as IsoDate;

/** How long articles and their index stay (maintenance prunes older ones). */
export const NEWS_KEEP_DAYS = 400;

/**
 * One writer at a time for the information layer's index documents (a day's earnings, a symbol's news of a
 * day): they are read, merged and written back, and the embedded FerretDB keeps one of two simultaneous updates
 * to a document. A lease per kind and New York day, taken by unique insert; a second writer waits its turn.
 */
export async function withInfoWriter<T>(kind: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const key = `${kind}|${nyDay(new Date())}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    // 90 s: a sync's writes take seconds; a holder that died is waited out within the wait below.
    const lease = await takeLease('info-writer', key, { fromGen: 1, ttlMs: 90_000, maxHops: 500 });
    if (lease) {
      try {
        return await fn();
      } finally {
        await releaseLease(lease).catch(() => undefined);
      }
    }
    if (Date.now() > deadline) throw new UserFacingError('INFO_BUSY', `Another process has been writing the ${kind} store for over ${Math.round(waitMs / 1000)} s; try again shortly.`);
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}

type IdDoc = { _id: string } & Record<string, unknown>;
type Op = AnyBulkWriteOperation<IdDoc>;
/** Replace (or create) a document by `_id`, as one bulk operation. */
const replaceOp = (doc: IdDoc): Op => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
const bulk = (model: { collection: unknown }, ops: Op[]) => (model.collection as Collection<IdDoc>).bulkWrite(ops, { ordered: false });

export const urlId = (url: string): string => createHash('sha256').update(url.trim().replace(/[#?].*$/, '').replace(/\/$/, '').toLowerCase()).digest('hex').slice(0, 32);

/** Insert many documents by unique `_id`; the indexes of those that were new (duplicates are not errors). */
async function insertNew(model: { collection: { insertMany(docs: object[], o: { ordered: false }): Promise<unknown> } }, docs: object[]): Promise<Set<number>> {
  const fresh = new Set(docs.map((_, i) => i));
  if (docs.length === 0) return fresh;
  for (let i = 0; i < docs.length; i += 1_000) {
    const chunk = docs.slice(i, i + 1_000);
    try {
      await model.collection.insertMany(chunk, { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index: number; code?: number; err?: { code?: number } }> | { index: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 && !isDuplicateKey(err)) throw err;
      for (const w of list) {
        const code = (w as { code?: number }).code ?? (w as { err?: { code?: number } }).err?.code;
        if (code !== undefined && code !== 11000) throw err;
        fresh.delete(i + w.index);
      }
    }
  }
  return fresh;
}

export interface StoredNews {
  /** Articles stored now for the first time (not seen before from any provider). */
  fresh: Article[];
  /** Every article of the batch stored under its own key, now or by an earlier run (indexing them is idempotent). */
  owned: Article[];
  duplicates: number;
}

/**
 * Store articles once: first the URL claim (the same story from two providers is one article), then the
 * article by its key. Both are unique inserts, so two processes syncing at once store each article once.
 */
export async function storeArticles(articles: Article[], now = new Date()): Promise<StoredNews> {
  const byKey = new Map<string, Article>();
  for (const a of articles) if (!byKey.has(a.key)) byKey.set(a.key, a);
  const unique = [...byKey.values()];
  const byUrl = new Map<string, Article>();
  for (const a of unique) if (!byUrl.has(urlId(a.url))) byUrl.set(urlId(a.url), a);
  const candidates = [...byUrl.entries()];
  const claimed = await insertNew(NewsUrl, candidates.map(([id, a]) => ({ _id: id, key: a.key, day: nyDay(a.publishedAt) })));
  // A URL claimed earlier under this very key is ours too (a run that died between the two inserts): its article
  // is inserted now. A URL claimed under another key is another provider's copy of the story: not stored again.
  const earlier = candidates.filter((_, i) => !claimed.has(i));
  const owners = new Map<string, string>();
  for (let i = 0; i < earlier.length; i += 64) {
    for (const d of await Promise.all(earlier.slice(i, i + 64).map(([id]) => NewsUrl.findById(id).lean()))) if (d) owners.set(d._id, d.key);
  }
  const first = candidates.filter(([id, a], i) => claimed.has(i) || owners.get(id) === a.key).map(([, a]) => a);
  const inserted = await insertNew(NewsArticle, first.map((a) => ({
    _id: a.key, provider: a.provider, title: a.title, summary: a.summary, url: a.url, publishedAt: a.publishedAt, day: nyDay(a.publishedAt),
    // An array, not a map: tickers such as BF.B cannot be field names.
    source: a.source, tickers: a.tickers, sentiment: Object.entries(a.sentiment).map(([ticker, v]) => ({ ticker, ...v })), synthetic: a.synthetic, storedAt: now,
  })));
  const fresh = first.filter((_, i) => inserted.has(i));
  return { fresh, owned: first, duplicates: articles.length - fresh.length };
}

/** Add fresh articles to their per-symbol and whole-day index documents (call inside withInfoWriter('news')). */
export async function indexArticles(fresh: Article[], now = new Date()): Promise<number> {
  const adds = new Map<string, Article[]>();
  for (const a of fresh) {
    const day = nyDay(a.publishedAt);
    for (const id of [`*|${day}`, ...a.tickers.map((t) => `${t}|${day}`)]) adds.set(id, [...(adds.get(id) ?? []), a]);
  }
  const ids = [...adds.keys()];
  const existing = new Map<string, { keys: string[]; positive: number; neutral: number; negative: number }>();
  for (let i = 0; i < ids.length; i += 64) {
    const found = await Promise.all(ids.slice(i, i + 64).map((id) => NewsIndex.findById(id).lean()));
    for (const d of found) if (d) existing.set(d._id, { keys: d.keys, positive: d.positive, neutral: d.neutral, negative: d.negative });
  }
  const ops: Op[] = [];
  for (const [id, list] of adds) {
    const [symbol, day] = id.split('|') as [string, string];
    const cur = existing.get(id) ?? { keys: [], positive: 0, neutral: 0, negative: 0 };
    const keys = new Set(cur.keys);
    for (const a of list.sort((x, y) => x.publishedAt.getTime() - y.publishedAt.getTime())) {
      if (keys.has(a.key)) continue;
      keys.add(a.key);
      const s = symbol === '*' ? undefined : a.sentiment[symbol]?.label;
      if (s) cur[s]++;
    }
    ops.push(replaceOp({ _id: id, day, keys: [...keys], positive: cur.positive, neutral: cur.neutral, negative: cur.negative, updatedAt: now }));
  }
  for (let i = 0; i < ops.length; i += 500) await bulk(NewsIndex, ops.slice(i, i + 500));
  return ops.length;
}

export interface ArticleView {
  key: string;
  title: string;
  publishedAt: string;
  source: string;
  url: string;
  tickers: string[];
  /** For the symbol asked (or null: no sentiment given for it). */
  sentiment: 'positive' | 'neutral' | 'negative' | null;
  reasoning: string | null;
  synthetic: boolean;
}

type ArticleDoc = { _id: string; title: string; publishedAt: Date; source: string; url: string; tickers: string[]; sentiment: Array<{ ticker: string; label: ArticleView['sentiment']; reasoning: string | null }>; synthetic: boolean };

const toView = (d: ArticleDoc, symbol: string | null): ArticleView => {
  const s = symbol ? (d.sentiment ?? []).find((x) => x.ticker === symbol) : undefined;
  return {
    key: d._id, title: d.title, publishedAt: d.publishedAt.toISOString(), source: d.source, url: d.url, tickers: d.tickers,
    sentiment: s?.label ?? null, reasoning: s?.reasoning ?? null, synthetic: d.synthetic,
  };
};

/** Articles of these days for a symbol (or the whole market with "*"), newest first: one `_id` lookup per day, then the articles by `_id`. */
export async function articlesFor(symbol: string, days: IsoDate[], limit = 50): Promise<ArticleView[]> {
  const index = await Promise.all(days.map((d) => NewsIndex.findById(`${symbol}|${d}`).lean()));
  const keys = index.flatMap((d) => (d ? [...d.keys].reverse() : [])).slice(0, limit);
  const docs = await Promise.all(keys.map((k) => NewsArticle.findById(k).lean()));
  return docs.filter((d): d is NonNullable<typeof d> => d !== null)
    .map((d) => toView(d as unknown as ArticleDoc, symbol === '*' ? null : symbol))
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
}

/** A day's index documents for many symbols (sentiment counts and article counts), by `_id`. */
export async function dayCounts(symbols: string[], day: IsoDate): Promise<Map<string, { count: number; positive: number; neutral: number; negative: number }>> {
  const out = new Map<string, { count: number; positive: number; neutral: number; negative: number }>();
  for (let i = 0; i < symbols.length; i += 64) {
    const found = await Promise.all(symbols.slice(i, i + 64).map((s) => NewsIndex.findById(`${s}|${day}`).lean()));
    for (const d of found) if (d) out.set(d._id.split('|')[0]!, { count: d.keys.length, positive: d.positive, neutral: d.neutral, negative: d.negative });
  }
  return out;
}

export async function readState<T>(id: string): Promise<T | undefined> {
  return ((await InfoState.findById(id).lean())?.value as T | undefined) ?? undefined;
}

export async function writeState(id: string, value: unknown, now = new Date()): Promise<void> {
  await InfoState.replaceOne({ _id: id }, { _id: id, value, at: now }, { upsert: true });
}

// ── Calendars ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A synced range of earnings replaces what was stored for each of its days (a moved report leaves its old
 * day), and each symbol's list of dates. Inside withInfoWriter('earnings').
 */
export async function storeEarnings(rows: EarningsEvent[], from: IsoDate, to: IsoDate, provider: string, now = new Date()): Promise<{ days: number; rows: number }> {
  const byDay = new Map<string, EarningsEvent[]>();
  for (const r of rows) if (r.date >= from && r.date <= to) byDay.set(r.date, [...(byDay.get(r.date) ?? []), r]);
  const days: string[] = [];
  for (let d = DateTime.fromISO(from); d.toISODate()! <= to; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  const ops = days.map((d) => replaceOp({ _id: d, rows: dedupe(byDay.get(d) ?? []), provider, syncedAt: now }));
  if (ops.length) await bulk(EarningsDay, ops);
  const bySymbol = new Map<string, EarningsEvent[]>();
  for (const r of rows) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
  const symbols = [...bySymbol.keys()];
  const current = new Map<string, { dates: string[]; hours: Record<string, string | null> }>();
  for (let i = 0; i < symbols.length; i += 64) {
    const found = await Promise.all(symbols.slice(i, i + 64).map((s) => EarningsSymbol.findById(s).lean()));
    for (const f of found) if (f) current.set(f._id, { dates: f.dates, hours: (f.hours ?? {}) as Record<string, string | null> });
  }
  const symOps = symbols.map((s) => {
    const cur = current.get(s) ?? { dates: [], hours: {} };
    const kept = cur.dates.filter((d) => d < from || d > to);
    const hours = Object.fromEntries(Object.entries(cur.hours).filter(([d]) => kept.includes(d)));
    for (const r of bySymbol.get(s)!) hours[r.date] = r.hour;
    const dates = [...new Set([...kept, ...bySymbol.get(s)!.map((r) => r.date)])].sort().slice(-16);
    return replaceOp({ _id: s, dates, hours, syncedAt: now });
  });
  for (let i = 0; i < symOps.length; i += 500) await bulk(EarningsSymbol, symOps.slice(i, i + 500));
  return { days: days.length, rows: [...byDay.values()].reduce((n, l) => n + l.length, 0) };
}

function dedupe(rows: EarningsEvent[]): EarningsEvent[] {
  const seen = new Map<string, EarningsEvent>();
  for (const r of rows) if (!seen.has(r.symbol)) seen.set(r.symbol, r);
  return [...seen.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}

export async function earningsOn(days: IsoDate[]): Promise<EarningsEvent[]> {
  const docs = await Promise.all(days.map((d) => EarningsDay.findById(d).lean()));
  return docs.flatMap((d) => (d ? (d.rows as EarningsEvent[]) : []));
}

/** Whether a day's earnings were ever synced (so "no reports" is known, not a gap). */
export async function earningsSynced(day: IsoDate): Promise<boolean> {
  return (await EarningsDay.exists({ _id: day })) !== null;
}

export async function earningsDatesOf(symbols: string[]): Promise<Map<string, { dates: string[]; hours: Record<string, string | null> }>> {
  const out = new Map<string, { dates: string[]; hours: Record<string, string | null> }>();
  for (let i = 0; i < symbols.length; i += 64) {
    const found = await Promise.all(symbols.slice(i, i + 64).map((s) => EarningsSymbol.findById(s).lean()));
    for (const f of found) if (f) out.set(f._id, { dates: f.dates, hours: (f.hours ?? {}) as Record<string, string | null> });
  }
  return out;
}

/** A synced range of economic events replaces each of its days. Inside withInfoWriter('economic'). */
export async function storeEconomic(events: EconomicEvent[], from: IsoDate, to: IsoDate, now = new Date()): Promise<number> {
  const byDay = new Map<string, EconomicEvent[]>();
  for (const e of events) if (e.date >= from && e.date <= to) byDay.set(e.date, [...(byDay.get(e.date) ?? []), e]);
  const ops: Op[] = [];
  for (let d = DateTime.fromISO(from); d.toISODate()! <= to; d = d.plus({ days: 1 })) {
    const day = d.toISODate()!;
    const list = (byDay.get(day) ?? []).sort((a, b) => (a.time ?? '99').localeCompare(b.time ?? '99') || a.name.localeCompare(b.name));
    ops.push(replaceOp({ _id: day, events: list, syncedAt: now }));
  }
  if (ops.length) await bulk(EconomicDay, ops);
  return ops.length;
}

export async function economicOn(days: IsoDate[]): Promise<{ events: EconomicEvent[]; synced: number }> {
  const docs = await Promise.all(days.map((d) => EconomicDay.findById(d).lean()));
  return { events: docs.flatMap((d) => (d ? (d.events as EconomicEvent[]) : [])), synced: docs.filter(Boolean).length };
}

