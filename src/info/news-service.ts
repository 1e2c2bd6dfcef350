import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { isDuplicateKey } from '../db/connection.js';
import { DayClaim } from '../db/models/intraday.js';
import { WatchMute } from '../db/models/watch.js';
import { UserFacingError } from '../errors.js';
import { loadUniverse } from '../market-data/universe.js';
import { enqueuePosts } from '../notify/outbox.js';
import type { PostInput } from '../notify/post.js';
import type { Article, RowProblem } from './contracts.js';
import { watchedSymbols } from './calendar-service.js';
import { infoProvidersFor, unlessStopped, withFailover } from './info-providers.js';
import { articlesFor, indexArticles, nyDay, readState, storeArticles, withInfoWriter, writeState, type ArticleView } from './info-store.js';

const ZONE = 'America/New_York';

export interface NewsSyncReport {
  provider: string;
  failover: string | null;
  from: string;
  to: string;
  requests: number;
  fetched: number;
  stored: number;
  duplicates: number;
  skippedRows: number;
  problems: RowProblem[];
  indexDocs: number;
  dmsQueued: number;
  synthetic: boolean;
  /** Why news stopped for the day (a daily limit, a plan), or null. */
  stopped: string | null;
}

/** The window a sync asks for: since the last sync (at most a day back), up to the run's clock. Never ahead of it. */
export function syncWindow(cursor: Date | undefined, now: Date): { from: Date; to: Date } {
  const dayBack = new Date(now.getTime() - 24 * 3_600_000);
  if (cursor && cursor >= now) return { from: dayBack, to: now }; // a re-run of an earlier time: its day again
  return { from: cursor && cursor > dayBack ? cursor : dayBack, to: now };
}

/**
 * Fetch the news published since the last sync (market-wide: a few requests, never one per symbol), store
 * each article once, index it per symbol and day, and DM members whose watched names are in it (once per
 * article per member). Nothing published after the run's clock is asked for.
 */
export async function syncNews(env: Env, now: Date, runKey: string): Promise<NewsSyncReport> {
  const universe = new Set(loadUniverse().map((u) => u.symbol));
  const cursorRaw = await readState<string>('news-cursor');
  const { from, to } = syncWindow(cursorRaw ? new Date(cursorRaw) : undefined, now);
  const p = infoProvidersFor(env).news;
  const fetched = await unlessStopped('news', nyDay(now), () => withFailover(p.primary, p.secondary, (x) => x.news(from, to, universe)), now);
  // A sync that died between storing and indexing left this mark: its articles are indexed by the next one.
  const mended = Boolean(await readState<string>('news-pending'));
  await writeState('news-pending', to.toISOString(), now);
  const stored = await storeArticles(fetched.items, now);
  const indexDocs = await withInfoWriter('news', async () => {
    const n = await indexArticles(mended ? [...stored.fresh, ...stored.existing] : stored.fresh);
    await writeState('news-pending', null, now);
    const cur = await readState<string>('news-cursor');
    // A stopped sync leaves the cursor: the next one (tomorrow) asks from where this one could not.
    if (!fetched.stopped && (!cur || new Date(cur) < to)) await writeState('news-cursor', to.toISOString(), now);
    return n;
  });
  const dmsQueued = await newsDms(fetched.items, runKey, now);
  return {
    provider: fetched.provider, failover: fetched.failover, from: from.toISOString(), to: to.toISOString(), requests: fetched.requests,
    fetched: fetched.items.length, stored: stored.fresh.length, duplicates: stored.duplicates, skippedRows: fetched.problems.length,
    problems: fetched.problems.slice(0, 5), indexDocs, dmsQueued, synthetic: fetched.items.some((a) => a.synthetic), stopped: fetched.stopped,
  };
}

/** At most this many articles in one member's news DM (the rest: /news SYMBOL). */
const DM_ARTICLES = 8;

/**
 * One DM per member per sync with the articles on names they watch that they have not been sent yet: each
 * (member, article) is claimed by unique insert after its DM is queued, so a re-run or a restart sends none twice.
 */
async function newsDms(articles: Article[], runKey: string, now: Date): Promise<number> {
  if (articles.length === 0) return 0;
  const watchers = await watchedSymbols();
  if (watchers.size === 0) return 0;
  const perMember = new Map<string, Article[]>();
  for (const a of articles) {
    for (const t of a.tickers) for (const u of watchers.get(t) ?? []) if (!(perMember.get(u) ?? []).includes(a)) perMember.set(u, [...(perMember.get(u) ?? []), a]);
  }
  const members = [...perMember.keys()];
  const mutes = new Map((await WatchMute.find({ _id: { $in: members } }).lean()).map((m) => [m._id, m.until]));
  const claimId = (u: string, a: Article) => `news:${u}:${a.key}`;
  const dms: Array<{ key: string; post: PostInput; destination: { sink: 'dm'; userId: string } }> = [];
  const claims: string[] = [];
  for (const [userId, list] of perMember) {
    if ((mutes.get(userId)?.getTime() ?? 0) > now.getTime()) continue;
    const ids = list.map((a) => claimId(userId, a));
    const done = new Set((await Promise.all(ids.map((id) => DayClaim.exists({ _id: id })))).flatMap((x, i) => (x ? [ids[i]!] : [])));
    const todo = list.filter((a) => !done.has(claimId(userId, a))).sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
    if (todo.length === 0) continue;
    const digest = createHash('sha256').update(todo.map((a) => a.key).join('\n')).digest('hex').slice(0, 16);
    const shown = todo.slice(-DM_ARTICLES);
    dms.push({
      key: `news-dm:${userId}:${digest}`,
      destination: { sink: 'dm', userId },
      post: {
        kind: 'scans',
        title: `In the news: ${[...new Set(shown.flatMap((a) => a.tickers.filter((t) => watchers.get(t)?.has(userId))))].slice(0, 6).join(', ')}`,
        description: shown.map((a) => articleLine(a, a.tickers.find((t) => watchers.get(t)?.has(userId)) ?? a.tickers[0]!)).join('\n')
          + (todo.length > shown.length ? `\n…and ${todo.length - shown.length} more: /news SYMBOL` : '')
          + '\nYou watch these names. Mute with /watch mute.',
        demo: todo.some((a) => a.synthetic),
      },
    });
    claims.push(...todo.map((a) => claimId(userId, a)));
  }
  if (dms.length === 0) return 0;
  const queued = await enqueuePosts(dms, now);
  await DayClaim.insertMany(claims.map((id) => ({ _id: id, date: nyDay(now), slot: runKey, line: '', at: now })), { ordered: false }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
  return queued;
}

const SENTIMENT_MARK: Record<string, string> = { positive: '▲', negative: '▼', neutral: '•' };

export function articleLine(a: Pick<Article, 'title' | 'publishedAt' | 'source' | 'sentiment' | 'url'>, symbol: string): string {
  const s = a.sentiment[symbol]?.label;
  const at = DateTime.fromJSDate(a.publishedAt, { zone: ZONE }).toFormat('MM-dd HH:mm');
  return `${s ? SENTIMENT_MARK[s] : '·'} ${symbol} ${at} ${a.title.slice(0, 140)} (${a.source})`;
}

export interface NewsQuery {
  symbol: string | null;
  since: IsoDate;
  until: IsoDate;
  articles: ArticleView[];
  synthetic: boolean;
}

/**
 * The articles on a symbol (or the whole market), newest first: from `since` (default: a week before `until`)
 * to `until` (default: today, or a month after `since`), at most 31 days — `_id` lookups only.
 */
export async function newsView(symbolRaw: string | undefined, since: IsoDate | undefined, today: IsoDate = DateTime.now().setZone(ZONE).toISODate()! as IsoDate, limit = 25, until?: IsoDate): Promise<NewsQuery> {
  const symbol = symbolRaw?.trim().toUpperCase();
  if (symbol !== undefined && !/^[A-Z][A-Z0-9.]{0,9}$/.test(symbol)) throw new UserFacingError('BAD_SYMBOL', `"${symbolRaw}" is not a ticker: give one such as AAPL or BRK.B.`);
  if (symbol && !loadUniverse().some((u) => u.symbol === symbol)) throw new UserFacingError('UNKNOWN_SYMBOL', `"${symbol}" is not in the universe (news is kept for the ${loadUniverse().length} names /universe lists).`);
  const last = until ?? (since && addDays(since, 31) < today ? addDays(since, 31) : today);
  const from = since ?? addDays(last, -6);
  if (from > last) throw new UserFacingError('BAD_DATE', `since ${from} is after ${last}: give an earlier date.`);
  if (addDays(from, 31) < last) throw new UserFacingError('BAD_DATE', `${from} to ${last} is more than 31 days: ask for a month at most.`);
  const days: IsoDate[] = [];
  for (let d = last; d >= from; d = addDays(d, -1)) days.push(d);
  const articles = await articlesFor(symbol ?? '*', days, limit);
  return { symbol: symbol ?? null, since: from, until: last, articles, synthetic: articles.some((a) => a.synthetic) };
}

export function newsPost(q: NewsQuery): PostInput {
  const head = q.symbol ? `News · ${q.symbol}` : 'News · the market';
  if (q.articles.length === 0) {
    return { kind: 'scans', title: `${head} · ${q.since} to ${q.until}`, description: `No articles stored from ${q.since} to ${q.until}. news-sync runs hourly 07:00–17:00 on trading days; run one with: signaldesk run news-sync --date ${q.until}`, demo: q.synthetic };
  }
  const lines = q.articles.map((a) => {
    const mark = a.sentiment ? SENTIMENT_MARK[a.sentiment] : '·';
    const at = DateTime.fromISO(a.publishedAt, { zone: ZONE }).toFormat('MM-dd HH:mm');
    const sym = q.symbol ? '' : `${a.tickers.slice(0, 3).join(',')} `;
    return `${mark} ${at} ${sym}${a.title.slice(0, 150)} — ${a.source}${a.sentiment ? ` (${a.sentiment})` : ''}`;
  });
  const counts = q.symbol ? ['positive', 'neutral', 'negative'].map((s) => `${q.articles.filter((a) => a.sentiment === s).length} ${s}`).join(' · ') : undefined;
  return {
    kind: 'scans',
    title: `${head} · ${q.since} to ${q.until}`,
    description: lines.join('\n'),
    fields: counts ? [{ name: 'Sentiment (the provider\'s, for this name)', value: `${counts} · ${q.articles.filter((a) => !a.sentiment).length} not scored` }] : [],
    footer: q.synthetic ? 'synthetic articles from the demo market' : 'sentiment: the provider\'s label for this ticker; none where it gives none',
    demo: q.synthetic,
  };
}

