import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { holidaysOf, isTradingDay, previousTradingDay } from '../calendar/nyse.js';
import type { Env } from '../config/env.js';
import { Signal } from '../db/models/signal.js';
import { WorldDay } from '../db/models/world.js';
import { UserFacingError } from '../errors.js';
import { findScan } from '../analysis/scan-service.js';
import { heldSymbols, syncEarnings, syncEconomic } from '../info/calendar-service.js';
import { dayCounts, earningsDatesOf, earningsOn, economicOn, earningsSynced, type IndexEntry } from '../info/info-store.js';
import { syncNews } from '../info/news-service.js';
import { loadUniverse } from '../market-data/universe.js';
import { enqueuePost } from '../notify/outbox.js';
import { fitLines, type PostInput } from '../notify/post.js';
import { loadWorld } from './world-list.js';
import { buildWorldBoard, type WorldBoard } from './world-service.js';
import { companies, formatCap, refreshCompanies } from './company-data.js';
import { worldSources } from './world-sources.js';
import { upsertRacing } from '../db/connection.js';

const ZONE = 'America/New_York';
const at = (date: IsoDate, hhmm: string) => DateTime.fromISO(`${date}T${hhmm}`, { zone: ZONE }).toJSDate();
const signed = (x: number | null | undefined, dp = 2) => (x === null || x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(dp)} %`);

export interface Overnight {
  date: IsoDate;
  at: string;
  crypto: Array<{ symbol: string; close: number; sinceUsClosePct: number | null }>;
  synthetic: boolean;
}

/**
 * overnight-sync (00:00): crypto at midnight New York against the US close of the last board (the Asian session
 * under way), stored for the briefs; a post only when a move passes WORLD_MOVE_ALERT_PCT.
 */
export async function overnightSync(env: Env, date: IsoDate, now: Date): Promise<Overnight & { alerted: string[] }> {
  const w = loadWorld();
  const prev = previousTradingDay(date);
  const board = (await WorldDay.findById(prev).lean())?.board as WorldBoard | undefined;
  const c = await worldSources(env).crypto(addDays(date, -1), w.crypto);
  const cut = now.getTime();
  const crypto = w.crypto.flatMap((symbol) => {
    const last = (c.quotes.get(symbol) ?? []).filter((q) => q.t <= cut).at(-1);
    if (!last) return [];
    const usClose = board?.crypto.find((x) => x.symbol === symbol)?.close;
    return [{ symbol, close: last.close, sinceUsClosePct: usClose ? ((last.close / usClose) - 1) * 100 : null }];
  });
  const doc: Overnight = { date, at: now.toISOString(), crypto, synthetic: worldSources(env).synthetic };
  await upsertRacing((upsert) => WorldDay.replaceOne({ _id: `overnight|${date}` }, { _id: `overnight|${date}`, board: doc, at: now }, { upsert }));
  const alerted = crypto.filter((x) => x.sinceUsClosePct !== null && Math.abs(x.sinceUsClosePct) >= env.WORLD_MOVE_ALERT_PCT).map((x) => `${x.symbol} ${signed(x.sinceUsClosePct)}`);
  if (alerted.length) {
    await enqueuePost(`overnight-move:${date}`, { kind: 'digests', title: `Overnight: ${alerted.join(', ')} since the US close`, description: `At midnight New York, against the close of ${prev} (WORLD_MOVE_ALERT_PCT ${env.WORLD_MOVE_ALERT_PCT} %).`, demo: doc.synthetic }, now);
  }
  return { ...doc, alerted };
}

export interface Prep {
  date: IsoDate;
  ready: string[];
  missing: string[];
}

/**
 * pre-market-prep (04:00): everything the 06:00 and 07:30 briefs read, made now so that they only read — the last
 * world board and the night's crypto, today's calendars, the news since the close — and yesterday's scan looked
 * for. What could not be made is said once in ops; the briefs then say what they lack.
 */
export async function preMarketPrep(env: Env, date: IsoDate, now: Date): Promise<Prep> {
  const prev = previousTradingDay(date);
  const ready: string[] = [];
  const missing: string[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      ready.push(what);
    } catch (err) {
      missing.push(`${what}: ${(err as Error).message.slice(0, 140)}`);
    }
  };
  await step(`the world board of ${prev}`, async () => ((await WorldDay.exists({ _id: prev })) ? undefined : buildWorldBoard(env, prev)));
  await step('the night\'s crypto', async () => ((await WorldDay.exists({ _id: `overnight|${date}` })) ? undefined : overnightSync(env, date, now)));
  await step(`today's earnings`, async () => ((await earningsSynced(date)) ? undefined : syncEarnings(env, date)));
  await step(`today's economic releases`, async () => ((await economicOn([date])).synced ? undefined : syncEconomic(env, date)));
  await step('the news since the close', () => syncNews(env, now, `prep:${date}`));
  await step(`the scan of ${prev}`, async () => {
    const scan = await findScan('next-day-prep', prev);
    if (!scan) throw new Error(`no next-day-prep scan stored for ${prev} (run it: signaldesk run next-day-prep --date ${prev})`);
    // The names the 07:30 brief may show: their company data, at most a week old.
    const names = [...new Set(scan.results.flatMap((r) => r.hits.slice(0, 15).map((h) => h.symbol)))];
    const c = await refreshCompanies(env, names, now);
    if (c.failed.length) throw new Error(`company data for ${c.failed.length} name(s): ${c.failed[0]}`);
  });
  const prep: Prep = { date, ready, missing };
  await upsertRacing((upsert) => WorldDay.replaceOne({ _id: `prep|${date}` }, { _id: `prep|${date}`, board: prep, at: now }, { upsert }));
  if (missing.length) await enqueuePost(`pre-market-prep:${date}`, { kind: 'ops', title: `Pre-market prep for ${date}: ${missing.length} thing(s) missing`, description: missing.map((m) => `• ${m}`).join('\n') }, now);
  return prep;
}

/** The holiday's name when the New York market is shut on `date` (the briefs skip and say so). */
export function closedBecause(date: IsoDate): string | null {
  if (isTradingDay(date)) return null;
  return holidaysOf(Number(date.slice(0, 4))).get(date) ?? 'the weekend';
}

const sentimentMark = (s: string | null) => (s === 'positive' ? '▲' : s === 'negative' ? '▼' : '•');

/** The news published since the last close up to `now` (the market's day documents), newest first. */
async function newsSinceClose(date: IsoDate, now: Date): Promise<IndexEntry[]> {
  const prev = previousTradingDay(date);
  const from = at(prev, '16:00').toISOString();
  const to = now.toISOString();
  const days: IsoDate[] = [];
  for (let d = prev; d <= date; d = addDays(d, 1)) days.push(d);
  const all = (await Promise.all(days.map((d) => dayCounts(d, now)))).flatMap((x) => x.entries);
  return all.filter((e) => e.t >= from && e.t <= to).sort((a, b) => b.t.localeCompare(a.t));
}

/**
 * morning-brew-early (06:00): one post a trader reads with coffee — the night's news on holdings and the universe
 * with sentiment, the world overnight (crypto since the US close, the last board's regions and the Nikkei when FRED
 * has it), today's earnings and economic releases with their times. It reads what pre-market-prep made.
 */
export async function morningBrewEarly(env: Env, date: IsoDate, now: Date): Promise<PostInput> {
  const holiday = closedBecause(date);
  if (holiday) return { kind: 'digests', title: `Morning brew · ${date}`, description: `The market is closed today (${holiday}): no brief.` };
  const prev = previousTradingDay(date);
  const [news, held, board, night, earnings, econ] = await Promise.all([
    newsSinceClose(date, now), heldSymbols(), WorldDay.findById(prev).lean(), WorldDay.findById(`overnight|${date}`).lean(), earningsOn([date]), economicOn([date]),
  ]);
  const lacks: string[] = [];
  const heldNews = news.filter((e) => e.tickers.some((t) => held.has(t))).slice(0, 6);
  const otherNews = news.filter((e) => !e.tickers.some((t) => held.has(t))).slice(0, 6);
  const line = (e: IndexEntry) => {
    const names = e.tickers.slice(0, 3).join(',');
    return `${sentimentMark(e.s)} ${DateTime.fromISO(e.t, { zone: ZONE }).toFormat('HH:mm')} ${e.title.startsWith(e.tickers[0] ?? '\u0000') ? '' : `${names} `}${e.title.slice(0, 110)}`;
  };
  const b = board?.board as WorldBoard | undefined;
  if (!b) lacks.push(`the world board of ${prev}`);
  const o = night?.board as Overnight | undefined;
  if (!o) lacks.push('the night\'s crypto (overnight-sync)');
  const world = [
    ...(b ? [`Last US session: ${b.regions.map((r) => `${r.region} ${signed(r.pct)}`).join(' · ')} (country ETFs)`] : []),
    ...(o?.crypto.length ? [`Since the US close: ${o.crypto.map((c) => `${c.symbol} ${c.close.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${signed(c.sinceUsClosePct)}`).join(' · ')}`] : []),
    ...(b ? b.rows.flatMap((r) => (r.local ? [`${r.local.name} closed ${r.local.close.toLocaleString('en-US')} on ${r.local.date} ${signed(r.local.pct)} (FRED, a day late)`] : [])).slice(0, 1) : []),
  ];
  if (!econ.synced) lacks.push('today\'s economic calendar');
  const pre = await worldSources(env).premarket(loadUniverse().map((u) => u.symbol), at(date, '04:00'), now).catch((err: unknown) => ({ movers: [], note: (err as Error).message.slice(0, 120) }));
  const movers = pre.movers.slice(0, 8).map((m) => `${m.symbol} ${signed(m.pct)} (${m.last.toFixed(2)} at ${DateTime.fromMillis(m.at, { zone: ZONE }).toFormat('HH:mm')}, close ${m.prevClose.toFixed(2)})`);
  const reporters = earnings.slice(0, 10).map((e) => `${held.has(e.symbol) ? '★ ' : ''}${e.symbol} ${e.hour === 'bmo' ? 'before the open' : e.hour === 'amc' ? 'after the close' : 'time not said'}`);
  const releases = econ.events.map((e) => `${e.time ?? '—'} ${e.name}${e.note ? ` (${e.note})` : ''}`);
  const synthetic = Boolean(b?.synthetic || o?.synthetic || news.some((e) => e.syn));
  return {
    kind: 'digests',
    title: `Morning brew · ${DateTime.fromISO(date).toFormat('ccc d LLL yyyy')} · 06:00`,
    description: fitLines([
      ...(heldNews.length ? ['**Your holdings overnight**', ...heldNews.map(line)] : ['No overnight news on holdings.']),
      ...(otherNews.length ? ['', `**The universe overnight** (${news.length} article(s) since the close)`, ...otherNews.map(line)] : []),
    ], 4000),
    fields: [
      { name: 'The world overnight', value: fitLines(world, 1024) || 'not available yet' },
      { name: 'Pre-market movers (since 04:00, against the last close)', value: fitLines(movers, 1024) || `none shown: ${pre.note ?? 'no pre-market trades yet'}` },
      { name: `Earnings today (${earnings.length})`, value: fitLines(reporters, 1024) || 'none in the universe' },
      { name: 'Economic releases today (New York)', value: fitLines(releases, 1024) || 'none we follow' },
      ...(lacks.length ? [{ name: 'Not in this brief', value: fitLines(lacks, 1024) }] : []),
    ],
    footer: `Index futures and live foreign index levels: no free source serves them.${pre.note && movers.length ? ` Pre-market: ${pre.note}.` : ''}`,
    demo: synthetic,
  };
}

/**
 * morning-brew-main (07:30): yesterday's universe scan joined with the news, the earnings dates and the allocator's
 * signal for today — the ten names worth a look, two lines each — and the three biggest risks to the portfolios.
 */
export async function morningBrewMain(env: Env, date: IsoDate, now: Date): Promise<PostInput> {
  const holiday = closedBecause(date);
  if (holiday) return { kind: 'digests', title: `Morning brew (main) · ${date}`, description: `The market is closed today (${holiday}): no brief.` };
  void env;
  const prev = previousTradingDay(date);
  const scan = await findScan('next-day-prep', prev);
  const sector = new Map(loadUniverse().map((u) => [u.symbol, u.sector]));
  const [counts, held, signal] = await Promise.all([dayCounts(prev, now), heldSymbols(), Signal.findOne({ portfolio: 'main', tradeDate: date }).lean()]);
  const today = await dayCounts(date, now);
  for (const [s, c] of today.bySymbol) {
    const cur = counts.bySymbol.get(s) ?? { count: 0, positive: 0, neutral: 0, negative: 0 };
    counts.bySymbol.set(s, { count: cur.count + c.count, positive: cur.positive + c.positive, neutral: cur.neutral + c.neutral, negative: cur.negative + c.negative });
  }
  const score = new Map<string, { hits: Array<{ title: string; note: string }>; rank: number }>();
  for (const r of scan?.results ?? []) {
    r.hits.slice(0, 15).forEach((h, i) => {
      const cur = score.get(h.symbol) ?? { hits: [], rank: 0 };
      cur.hits.push({ title: r.title, note: h.note });
      cur.rank += 15 - i;
      score.set(h.symbol, cur);
    });
  }
  for (const [s, v] of score) {
    const n = counts.bySymbol.get(s);
    if (n) v.rank += n.positive - n.negative;
  }
  const top = [...score].sort((a, b) => b[1].rank - a[1].rank || a[0].localeCompare(b[0])).slice(0, 10);
  const [dates, company] = await Promise.all([earningsDatesOf([...top.map(([s]) => s), ...held]), companies(top.map(([s]) => s))]);
  const reportsIn = (s: string) => {
    const next = dates.get(s)?.dates.find((d) => d >= date);
    return next ? Math.round((Date.parse(next) - Date.parse(date)) / 86_400_000) : null;
  };
  const names = top.map(([s, v]) => {
    const n = counts.bySymbol.get(s);
    const r = reportsIn(s);
    const co = company.get(s);
    const about = [co?.sector ?? sector.get(s) ?? '—', co?.industry, formatCap(co?.marketCap ?? null)].filter(Boolean).join(' · ');
    return `**${s}** (${about})${held.has(s) ? ' ★ held' : ''}\n   ${v.hits.slice(0, 2).map((h) => `${h.title}: ${h.note}`).join(' · ').slice(0, 150)}\n   ${n ? `news ${n.count} (▲${n.positive} ▼${n.negative})` : 'no news'}${r !== null ? ` · reports ${r === 0 ? 'today' : `in ${r}d`}` : ''}`;
  });
  const risks: string[] = [];
  for (const s of held) if (reportsIn(s) === 0) risks.push(`${s} (held) reports today`);
  const negHeld = [...held].map((s) => [s, counts.bySymbol.get(s)] as const).filter(([, c]) => c && c.negative > c.positive).sort((a, b) => b[1]!.negative - a[1]!.negative);
  for (const [s, c] of negHeld) risks.push(`negative news on ${s} (held): ▼${c!.negative} against ▲${c!.positive}`);
  const bySector = new Map<string, { neg: number; all: number }>();
  for (const [s, c] of counts.bySymbol) {
    const sec = sector.get(s);
    if (!sec) continue;
    const cur = bySector.get(sec) ?? { neg: 0, all: 0 };
    cur.neg += c.negative;
    cur.all += c.count;
    bySector.set(sec, cur);
  }
  const pressed = [...bySector].filter(([, v]) => v.all >= 5).sort((a, b) => b[1].neg / b[1].all - a[1].neg / a[1].all)[0];
  if (pressed && pressed[1].neg / pressed[1].all > 0.4) risks.push(`${pressed[0]} under pressure: ${Math.round((100 * pressed[1].neg) / pressed[1].all)} % of its ${pressed[1].all} articles negative`);
  const lacks = [...(scan ? [] : [`the scan of ${prev} (next-day-prep)`]), ...(signal ? [] : [`today's signal (generate-signal at 06:00)`])];
  return {
    kind: 'digests',
    title: `Morning brew (main) · ${DateTime.fromISO(date).toFormat('ccc d LLL yyyy')} · 07:30`,
    description: names.length ? fitLines([`**Ten names worth a look** (scan of ${prev}, news, earnings)`, ...names], 4000) : 'No scan to draw names from.',
    fields: [
      { name: 'The allocator today (main)', value: signal ? `${signal.action} · confidence ${(signal.confidenceScore * 100).toFixed(0)} %${signal.action === 'BUY' ? ` · ${Object.entries(signal.allocations as Record<string, number>).map(([s, v]) => `${s} $${Math.round(v)}`).join(', ')}` : ''}` : 'no signal yet' },
      { name: 'The three biggest risks to the portfolios', value: fitLines(risks.slice(0, 3).map((r, i) => `${i + 1}. ${r}`), 1024) || 'none seen: no held name reports today, no negative news on holdings, no sector under pressure' },
      ...(lacks.length ? [{ name: 'Not in this brief', value: lacks.join('\n') }] : []),
    ],
    demo: Boolean(scan && [...score.keys()].length && counts.entries.some((e) => e.syn)),
  };
}

/** The last trading day whose brief is due by now (06:00 or 07:30 New York). */
export function latestBrewDate(which: 'early' | 'main', now = new Date()): IsoDate {
  const ny = DateTime.fromJSDate(now, { zone: ZONE });
  const today = ny.toISODate()! as IsoDate;
  const due = which === 'early' ? '06:00' : '07:30';
  return isTradingDay(today) && ny.toFormat('HH:mm') >= due ? today : previousTradingDay(today);
}

/** The brief of a date stored by its job (`_id` lookup). */
export async function brewView(date: IsoDate, which: 'early' | 'main'): Promise<PostInput> {
  const doc = await WorldDay.findById(`brew|${date}|${which}`).lean();
  if (!doc) throw new UserFacingError('NO_BREW', `No ${which === 'early' ? '06:00' : '07:30'} brief stored for ${date}: run it with: signaldesk run morning-brew-${which} --date ${date}`);
  return doc.board as PostInput;
}

export async function storeBrew(date: IsoDate, which: 'early' | 'main', post: PostInput, now: Date): Promise<void> {
  await upsertRacing((upsert) => WorldDay.replaceOne({ _id: `brew|${date}|${which}` }, { _id: `brew|${date}|${which}`, board: post, at: now }, { upsert }));
}

/** A brief's job: build it as of `now`, keep it for /brew, hand it back to be posted. */
export async function runBrew(env: Env, date: IsoDate, which: 'early' | 'main', now: Date): Promise<PostInput> {
  const post = await (which === 'early' ? morningBrewEarly : morningBrewMain)(env, date, now);
  await storeBrew(date, which, post, now);
  return post;
}
