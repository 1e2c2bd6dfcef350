import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { bulk, insertNew, mergeIndexEntries, replaceOp, type Op } from '../db/bulk.js';
import { isDuplicateKey, upsertRacing } from '../db/connection.js';
import { oneWriterAtATime } from '../db/lease.js';
import { EarningsDay, EarningsSymbol, EconomicDay, InfoState, NewsArticle, NewsIndex, NewsUrl } from '../db/models/info.js';
import { UserFacingError } from '../errors.js';
import type { Article, EarningsEvent, EconomicEvent } from './contracts.js';

const ZONE = 'America/New_York';
export const nyDay = (d: Date): IsoDate => DateTime.fromJSDate(d, { zone: ZONE }).toISODate()! as IsoDate;

/** How long articles and their index stay (maintenance prunes older ones). */
export const NEWS_KEEP_DAYS = 400;

/**
 * One writer at a time for the information layer's index documents (a day's earnings, a symbol's news of a
 * day): a lease per kind and New York day (see oneWriterAtATime); a second writer waits its turn.
 */
export async function withInfoWriter<T>(kind: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  // 90 s: a sync's writes take seconds; a holder that died is waited out within the wait.
  return oneWriterAtATime('info-writer', `${kind}|${nyDay(new Date())}`, fn, {
    waitMs, ttlMs: 90_000,
    busy: () => new UserFacingError('INFO_BUSY', `Another process has been writing the ${kind} store for over ${Math.round(waitMs / 1000)} s; try again shortly.`),
  });
}

export const urlId = (url: string): string => createHash('sha256').update(url.trim().replace(/[#?].*$/, '').replace(/\/$/, '').toLowerCase()).digest('hex').slice(0, 32);


export interface StoredNews {
  /** Articles stored now for the first time (not seen before from any provider). */
  fresh: Article[];
  /** Articles of the batch already stored under their own key (an earlier sync of an overlapping window). */
  existing: Article[];
  duplicates: number;
}

/**
 * Store articles once. First the article by its key (unique insert: two processes store it once); then, for
 * the new ones, the URL claim: a URL another key already holds is the same story from another provider, and
 * the copy just stored is taken back out. No lookup is needed for what was already there.
 */
export async function storeArticles(articles: Article[], now = new Date()): Promise<StoredNews> {
  const byKey = new Map<string, Article>();
  for (const a of articles) if (!byKey.has(a.key)) byKey.set(a.key, a);
  const byUrl = new Map<string, Article>();
  for (const a of byKey.values()) if (!byUrl.has(urlId(a.url))) byUrl.set(urlId(a.url), a);
  const unique = [...byUrl.values()];
  const inserted = await insertNew(NewsArticle, unique.map((a) => ({
    // sentiment as an array, not a map: tickers such as BF.B cannot be field names.
    _id: a.key, provider: a.provider, title: a.title, summary: a.summary, url: a.url, publishedAt: a.publishedAt, day: nyDay(a.publishedAt),
    source: a.source, tickers: a.tickers, sentiment: Object.entries(a.sentiment).map(([ticker, v]) => ({ ticker, ...v })), synthetic: a.synthetic, storedAt: now,
  })));
  const added = unique.filter((_, i) => inserted.has(i));
  const existing = unique.filter((_, i) => !inserted.has(i));
  const claimed = await insertNew(NewsUrl, added.map((a) => ({ _id: urlId(a.url), key: a.key, day: nyDay(a.publishedAt) })));
  const copies = added.filter((_, i) => !claimed.has(i));
  if (copies.length) await NewsArticle.deleteMany({ _id: { $in: copies.map((a) => a.key) } });
  const fresh = added.filter((_, i) => claimed.has(i));
  return { fresh, existing, duplicates: articles.length - fresh.length };
}

/** One article as a list shows it (the index's entry): `s` the sentiment label for the document's name. */
export interface IndexEntry {
  k: string;
  t: string;
  title: string;
  src: string;
  url: string;
  tickers: string[];
  s: 'positive' | 'neutral' | 'negative' | null;
  r: string | null;
  syn: boolean;
  /** In the market's day documents: each ticker's label, in the order of `tickers`. */
  ls?: Array<'positive' | 'neutral' | 'negative' | null>;
}

const entryOf = (a: Article, symbol: string | null): IndexEntry => ({
  k: a.key, t: a.publishedAt.toISOString(), title: a.title, src: a.source, url: a.url, tickers: a.tickers,
  s: symbol ? a.sentiment[symbol]?.label ?? null : null, r: symbol ? a.sentiment[symbol]?.reasoning ?? null : null, syn: a.synthetic,
  ...(symbol ? {} : { ls: a.tickers.map((t) => a.sentiment[t]?.label ?? null) }),
});

/**
 * Add articles to the index: a name's month, the market's day. Documents that do not exist yet are inserted in
 * one batch (a new day, a new month); existing ones are read by `_id`, merged (a key already there is not added
 * again) and replaced in small batches. Call inside withInfoWriter('news'): one writer at a time.
 */
export async function indexArticles(articles: Article[]): Promise<number> {
  const adds = new Map<string, { period: string; entries: IndexEntry[] }>();
  const add = (id: string, period: string, e: IndexEntry) => {
    const cur = adds.get(id) ?? { period, entries: [] };
    cur.entries.push(e);
    adds.set(id, cur);
  };
  for (const a of [...articles].sort((x, y) => x.publishedAt.getTime() - y.publishedAt.getTime())) {
    const day = nyDay(a.publishedAt);
    add(`*|${day}`, day, entryOf(a, null));
    for (const t of a.tickers) add(`${t}|${day.slice(0, 7)}`, day.slice(0, 7), entryOf(a, t));
  }
  return mergeIndexEntries(NewsIndex, new Map([...adds].map(([id, v]) => [id, { fields: { period: v.period }, entries: v.entries }])), (e) => e.k);
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

const toView = (e: IndexEntry): ArticleView => ({ key: e.k, title: e.title, publishedAt: e.t, source: e.src, url: e.url, tickers: e.tickers, sentiment: e.s, reasoning: e.r, synthetic: e.syn });

/** Index entries of documents, each key once, newest first. */
async function entriesOf(ids: string[]): Promise<IndexEntry[]> {
  const docs = await Promise.all([...new Set(ids)].map((id) => NewsIndex.findById(id).lean()));
  const seen = new Set<string>();
  const out: IndexEntry[] = [];
  for (const d of docs) {
    for (const e of (d?.entries ?? []) as IndexEntry[]) {
      if (seen.has(e.k)) continue;
      seen.add(e.k);
      out.push(e);
    }
  }
  return out.sort((a, b) => b.t.localeCompare(a.t));
}

/**
 * Articles of these New York days for a symbol (one lookup per month) or the whole market with "*" (one per
 * day), newest first.
 */
export async function articlesFor(symbol: string, days: IsoDate[], limit = 50): Promise<ArticleView[]> {
  const ids = symbol === '*' ? days.map((d) => `*|${d}`) : days.map((d) => `${symbol}|${d.slice(0, 7)}`);
  const wanted = new Set(days);
  return (await entriesOf(ids)).filter((e) => wanted.has(nyDay(new Date(e.t)))).slice(0, limit).map(toView);
}

/**
 * A day's coverage per name (articles, and the providers' labels counted): one lookup, the market's day
 * document; with `asOf`, only articles published by then.
 */
export async function dayCounts(day: IsoDate, asOf?: Date): Promise<{ total: number; bySymbol: Map<string, { count: number; positive: number; neutral: number; negative: number }>; entries: IndexEntry[] }> {
  const cut = asOf?.toISOString();
  const entries = (await entriesOf([`*|${day}`])).filter((e) => cut === undefined || e.t <= cut);
  const bySymbol = new Map<string, { count: number; positive: number; neutral: number; negative: number }>();
  for (const e of entries) {
    e.tickers.forEach((t, i) => {
      const c = bySymbol.get(t) ?? { count: 0, positive: 0, neutral: 0, negative: 0 };
      c.count++;
      const l = e.ls?.[i];
      if (l) c[l]++;
      bySymbol.set(t, c);
    });
  }
  return { total: entries.length, bySymbol, entries };
}

export async function readState<T>(id: string): Promise<T | undefined> {
  return ((await InfoState.findById(id).lean())?.value as T | undefined) ?? undefined;
}

export async function writeState(id: string, value: unknown, now = new Date()): Promise<void> {
  await upsertRacing((upsert) => InfoState.replaceOne({ _id: id }, { _id: id, value, at: now }, { upsert }));
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
  await bulk(EarningsSymbol, symOps);
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
  const seen = new Set<string>();
  for (const e of events) {
    const id = `${e.date}|${e.time}|${e.name}`;
    if (e.date < from || e.date > to || seen.has(id)) continue;
    seen.add(id);
    byDay.set(e.date, [...(byDay.get(e.date) ?? []), e]);
  }
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

