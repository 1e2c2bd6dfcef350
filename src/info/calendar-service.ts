import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { isTradingDay } from '../calendar/nyse.js';
import type { Env } from '../config/env.js';
import { Position } from '../db/models/position.js';
import { UserFacingError } from '../errors.js';
import { loadUniverse } from '../market-data/universe.js';
import { COLORS, type PostInput } from '../notify/post.js';
import type { EarningsEvent, EconomicEvent, RowProblem } from './contracts.js';
import { HOUR_WORDS } from './contracts.js';
import { FOMC_DECISIONS, FOMC_LIST_ENDS } from './fomc-fallback.js';
import { infoProvidersFor, KeptFomc, unlessStopped, withFailover } from './info-providers.js';
import { daysBetween } from './earnings-soon.js';
import { earningsDatesOf, earningsOn, earningsSynced, economicOn, storeEarnings, storeEconomic, withInfoWriter } from './info-store.js';

/** How far ahead the calendars are kept. */
export const EARNINGS_AHEAD_DAYS = 28;
export const ECONOMIC_AHEAD_DAYS = 35;

export interface EarningsSyncReport {
  provider: string;
  failover: string | null;
  from: IsoDate;
  to: IsoDate;
  requests: number;
  rows: number;
  days: number;
  skippedRows: number;
  problems: RowProblem[];
  synthetic: boolean;
  stopped: string | null;
}

/** Keep the next weeks of the earnings calendar (the universe's reporters), each day replaced as a whole. */
export async function syncEarnings(env: Env, today: IsoDate): Promise<EarningsSyncReport> {
  const universe = new Set(loadUniverse().map((u) => u.symbol));
  const to = addDays(today, EARNINGS_AHEAD_DAYS);
  const p = infoProvidersFor(env).earnings;
  const got = await unlessStopped('earnings', today, () => withFailover(p.primary, p.secondary, (x) => x.earnings(today, to, universe)));
  // A stopped calendar keeps what was stored (its days are not replaced by an empty answer).
  const stored = got.stopped ? { days: 0, rows: 0 } : await withInfoWriter('earnings', () => storeEarnings(got.items, today, to, got.provider));
  return {
    provider: got.provider, failover: got.failover, from: today, to, requests: got.requests, rows: stored.rows, days: stored.days,
    skippedRows: got.problems.length, problems: got.problems.slice(0, 5), synthetic: got.items.some((e) => e.synthetic), stopped: got.stopped,
  };
}

/** Symbols held by any portfolio (a small collection). */
export async function heldSymbols(): Promise<Set<string>> {
  return new Set((await Position.find({ quantity: { $gt: 0 } }, { symbol: 1 }).lean()).map((p) => p.symbol));
}

export async function watchedSymbols(): Promise<Map<string, Set<string>>> {
  const { readAllWatchlists } = await import('../analysis/watchlist-store.js');
  const out = new Map<string, Set<string>>();
  for (const w of await readAllWatchlists()) for (const r of w.rules) out.set(r.symbol, (out.get(r.symbol) ?? new Set()).add(w.userId));
  return out;
}

const hourOrder: Record<string, number> = { bmo: 0, dmh: 1, amc: 2, unknown: 3 };

/** Held names first, then watched ones, then by hour (before the open first) and symbol. */
export function orderReporters(rows: EarningsEvent[], held: Set<string>, watched: Map<string, Set<string>>): EarningsEvent[] {
  const rank = (e: EarningsEvent) => (held.has(e.symbol) ? 0 : watched.has(e.symbol) ? 1 : 2);
  return [...rows].sort((a, b) => rank(a) - rank(b) || hourOrder[a.hour ?? 'unknown']! - hourOrder[b.hour ?? 'unknown']! || a.symbol.localeCompare(b.symbol));
}

export function earningsLine(e: EarningsEvent, held: Set<string>, watched: Map<string, Set<string>>): string {
  const tags = [held.has(e.symbol) ? 'held' : '', watched.has(e.symbol) ? 'watched' : ''].filter(Boolean).join(', ');
  return `${e.symbol} · ${HOUR_WORDS[e.hour ?? 'unknown']} · EPS est. ${e.epsEstimate === null ? 'n/a' : e.epsEstimate.toFixed(2)}${e.epsActual !== null ? ` · actual ${e.epsActual.toFixed(2)}` : ''}${tags ? ` · ${tags}` : ''}`;
}

/** The 08:30 / 08:00 posts keep to Discord's limits by listing this many, then a count. */
const LIST_MAX = 40;

export function earningsPost(date: IsoDate, rows: EarningsEvent[], held: Set<string>, watched: Map<string, Set<string>>, synced: boolean, provider: string): PostInput {
  const demo = rows.some((r) => r.synthetic);
  if (!synced) return { kind: 'digests', title: `Earnings · ${date}`, description: `The earnings calendar for ${date} has not been synced: signaldesk run earnings-alerts --date ${date}`, color: COLORS.warn };
  if (rows.length === 0) return { kind: 'digests', title: `Earnings · ${date}`, description: `No company in the universe reports on ${date} (${provider}).`, demo };
  const ordered = orderReporters(rows, held, watched);
  const shown = ordered.slice(0, LIST_MAX).map((e) => earningsLine(e, held, watched));
  const byHour = ['bmo', 'amc', 'dmh', 'unknown'].map((h) => `${rows.filter((r) => (r.hour ?? 'unknown') === h).length} ${HOUR_WORDS[h as 'bmo']}`).join(' · ');
  return {
    kind: 'digests',
    title: `Earnings · ${date} · ${rows.length} in the universe report`,
    description: shown.join('\n') + (ordered.length > LIST_MAX ? `\n…and ${ordered.length - LIST_MAX} more: signaldesk earnings --date ${date}` : ''),
    fields: [{ name: 'When', value: byHour }],
    footer: demo ? 'synthetic earnings cadence (demo)' : `earnings calendar: ${provider}`,
    demo,
  };
}

/**
 * The 08:00 earnings alert: sync the next weeks, then post today's reporters in the universe (held and watched
 * names first) and DM each member who watches a reporter (once per member, symbol and day: the outbox key).
 */
export async function earningsAlerts(env: Env, date: IsoDate, publish: (key: string, post: PostInput) => Promise<void>, dm: (items: Array<{ key: string; post: PostInput; userId: string }>) => Promise<number>): Promise<Record<string, unknown>> {
  const sync = await syncEarnings(env, date);
  const rows = await earningsOn([date]);
  const [held, watched] = await Promise.all([heldSymbols(), watchedSymbols()]);
  await publish(`earnings-alerts:${date}`, earningsPost(date, rows, held, watched, true, sync.provider));
  const perMember = new Map<string, EarningsEvent[]>();
  for (const e of rows) for (const u of watched.get(e.symbol) ?? []) perMember.set(u, [...(perMember.get(u) ?? []), e]);
  const dms = [...perMember].map(([userId, list]) => ({
    key: `earnings-dm:${userId}:${date}`,
    userId,
    post: { kind: 'digests' as const, title: `Reporting today (${date}): ${list.map((e) => e.symbol).join(', ')}`, description: list.map((e) => earningsLine(e, held, watched)).join('\n') + '\nYou watch these names.', demo: list.some((e) => e.synthetic) },
  }));
  const queued = dms.length ? await dm(dms) : 0;
  return { ...sync, problems: sync.problems.map((p) => `${p.row}: ${p.problem}`), reporting: rows.length, held: rows.filter((r) => held.has(r.symbol)).map((r) => r.symbol), dmsQueued: queued };
}

export interface EarningsQuery {
  from: IsoDate;
  to: IsoDate;
  symbol: string | null;
  rows: Array<EarningsEvent & { inDays: number }>;
  unsynced: IsoDate[];
}

/** /earnings: a day, a range (at most 31 days) or a symbol's next dates — `_id` lookups. */
export async function earningsView(q: { date?: IsoDate; from?: IsoDate; to?: IsoDate; symbol?: string }, today: IsoDate = DateTime.now().setZone('America/New_York').toISODate()! as IsoDate): Promise<EarningsQuery> {
  if (q.symbol !== undefined) {
    const symbol = q.symbol.trim().toUpperCase();
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(symbol)) throw new UserFacingError('BAD_SYMBOL', `"${q.symbol}" is not a ticker: give one such as AAPL.`);
    if (!loadUniverse().some((u) => u.symbol === symbol)) throw new UserFacingError('UNKNOWN_SYMBOL', `"${symbol}" is not in the universe (/universe lists the names the calendar follows).`);
    const known = (await earningsDatesOf([symbol])).get(symbol);
    const dates = (known?.dates ?? []).filter((d) => d >= addDays(today, -7)) as IsoDate[];
    const rows = (await earningsOn(dates)).filter((r) => r.symbol === symbol);
    return { from: dates[0] ?? today, to: dates[dates.length - 1] ?? today, symbol, rows: rows.map((r) => ({ ...r, inDays: daysBetween(today, r.date) })), unsynced: [] };
  }
  const from = q.date ?? q.from ?? today;
  const to = q.date ?? q.to ?? (q.from ? q.from : today);
  if (to < from) throw new UserFacingError('BAD_RANGE', `--to ${to} is before --from ${from}.`);
  if (addDays(from, 31) < to) throw new UserFacingError('BAD_RANGE', `${from} to ${to} is more than 31 days: ask for a month at most.`);
  const days: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  const [rows, synced] = await Promise.all([earningsOn(days), Promise.all(days.map((d) => earningsSynced(d)))]);
  return { from, to, symbol: null, rows: rows.map((r) => ({ ...r, inDays: daysBetween(today, r.date) })), unsynced: days.filter((d, i) => !synced[i] && isTradingDay(d)) };
}


export function earningsQueryPost(q: EarningsQuery): PostInput {
  const demo = q.rows.some((r) => r.synthetic);
  const title = q.symbol ? `Earnings · ${q.symbol}` : q.from === q.to ? `Earnings · ${q.from}` : `Earnings · ${q.from} to ${q.to}`;
  const lines = q.rows.slice(0, 60).map((r) => `${r.date} ${r.symbol} · ${HOUR_WORDS[r.hour ?? 'unknown']} · EPS est. ${r.epsEstimate === null ? 'n/a' : r.epsEstimate.toFixed(2)}${q.symbol ? ` · in ${r.inDays} days` : ''}`);
  const notes = q.unsynced.length ? `Not synced yet: ${q.unsynced.slice(0, 5).join(', ')}${q.unsynced.length > 5 ? '…' : ''} (earnings-alerts keeps the next ${EARNINGS_AHEAD_DAYS} days).` : '';
  return {
    kind: 'digests', title,
    description: [lines.join('\n') || (q.symbol ? `No report date known for ${q.symbol} in the synced weeks.` : 'No company in the universe reports then.'), q.rows.length > 60 ? `…and ${q.rows.length - 60} more (--json lists all)` : '', notes].filter(Boolean).join('\n'),
    demo,
  };
}

// ── Economic calendar ────────────────────────────────────────────────────────────────────────────────────

export interface EconomicSyncReport {
  from: IsoDate;
  to: IsoDate;
  releasesFrom: string;
  fomcFrom: string;
  requests: number;
  events: number;
  fomcDisagrees: string | null;
  skippedRows: number;
  problems: RowProblem[];
}

/**
 * Keep the next weeks of the economic calendar: releases (FRED, or the demo's 2020 calendar) and FOMC decisions
 * from the Fed's feed — or the kept list when the feed has no entries for the dates asked (it stops at each
 * year's end) or is down. Where both cover a date range and disagree, `fomcDisagrees` says how (for ops).
 */
export async function syncEconomic(env: Env, today: IsoDate): Promise<EconomicSyncReport> {
  const from = addDays(today, -7);
  const to = addDays(today, ECONOMIC_AHEAD_DAYS);
  const src = infoProvidersFor(env).economic;
  const releases = src.releases ? await src.releases.events(from, to) : { items: [], problems: [], requests: 0 };
  const kept = await new KeptFomc().events(from, to);
  let fomc = kept;
  let fomcFrom = 'kept list';
  let disagrees: string | null = null;
  if (src.fomc.id !== 'kept-list') {
    try {
      const feed = await src.fomc.events(from, to);
      const feedDates = feed.items.filter((e) => e.kind === 'fomc').map((e) => e.date);
      const keptDates = kept.items.filter((e) => e.date <= FOMC_LIST_ENDS && !FOMC_DECISIONS.find((f) => f.date === e.date)?.emergency).map((e) => e.date);
      if (feedDates.length > 0) {
        fomc = { ...feed, items: [...feed.items, ...kept.items.filter((e) => !feedDates.includes(e.date) && FOMC_DECISIONS.find((f) => f.date === e.date)?.emergency)] };
        fomcFrom = 'the Fed\'s calendar';
        const a = [...new Set(feedDates)].sort().join(', ');
        const b = [...new Set(keptDates)].sort().join(', ');
        if (keptDates.length && a !== b) disagrees = `the Fed's calendar lists ${a || 'none'}; the kept list ${b || 'none'}`;
      } else {
        fomcFrom = 'kept list (the Fed\'s calendar has no meeting in these dates)';
      }
      releases.problems.push(...feed.problems);
    } catch (err) {
      fomcFrom = `kept list (the Fed's calendar failed: ${err instanceof Error ? err.message.slice(0, 120) : String(err)})`;
    }
  }
  const events = [...releases.items, ...fomc.items];
  await withInfoWriter('economic', () => storeEconomic(events, from, to));
  return {
    from, to, releasesFrom: src.releases?.id ?? 'none', fomcFrom, requests: releases.requests + (src.fomc.id === 'kept-list' ? 0 : 1), events: events.length,
    fomcDisagrees: disagrees, skippedRows: releases.problems.length, problems: releases.problems.slice(0, 5),
  };
}

export function eventLine(e: EconomicEvent): string {
  return `${e.time ?? 'time n/a'} ${e.name}${e.note ? ` — ${e.note}` : ''}`;
}

/**
 * The 08:30 post: today's releases with their times; what happened since the last session (a weekend FOMC
 * decision, like 2020-03-15's emergency cut, is news on Monday morning); and the rest of the week.
 */
export function economicDayPost(date: IsoDate, events: EconomicEvent[], synced: boolean, provider: string, since: EconomicEvent[] = [], ahead: EconomicEvent[] = []): PostInput {
  if (!synced) return { kind: 'digests', title: `Economic calendar · ${date}`, description: `Not synced for ${date}: signaldesk run economic-calendar-sync --date ${date}`, color: COLORS.warn };
  const fomc = events.some((e) => e.kind === 'fomc') || since.some((e) => e.kind === 'fomc');
  const day = (e: EconomicEvent) => DateTime.fromISO(e.date).toFormat('ccc dd LLL');
  return {
    kind: 'digests',
    title: `Economic calendar · ${date}${events.some((e) => e.kind === 'fomc') ? ' · FOMC day' : ''}`,
    description: events.length ? events.map(eventLine).join('\n') : `No scheduled release we follow today (CPI, jobs, GDP, PCE, PPI, retail sales, claims, JOLTS, FOMC).`,
    fields: [
      ...(since.length ? [{ name: 'Since the last session', value: since.map((e) => `${day(e)} ${eventLine(e)}`).join('\n') }] : []),
      ...(ahead.length ? [{ name: 'Later this week', value: ahead.map((e) => `${day(e)} ${eventLine(e)}`).join('\n') }] : []),
    ],
    footer: `times New York; releases: ${provider}`,
    color: fomc ? COLORS.warn : undefined,
  };
}

export function economicWeekPost(from: IsoDate, to: IsoDate, byDay: Array<{ date: IsoDate; events: EconomicEvent[] }>, provider: string): PostInput {
  const lines = byDay.filter((d) => d.events.length).map((d) => `**${DateTime.fromISO(d.date).toFormat('ccc dd LLL')}**\n${d.events.map(eventLine).join('\n')}`);
  return {
    kind: 'digests',
    title: `The week ahead · ${from} to ${to}`,
    description: lines.join('\n') || 'No scheduled release we follow this week.',
    footer: `times New York; releases: ${provider}`,
  };
}

export interface CalendarQuery {
  from: IsoDate;
  to: IsoDate;
  days: Array<{ date: IsoDate; events: EconomicEvent[] }>;
  unsynced: IsoDate[];
}

export async function calendarView(q: { date?: IsoDate; from?: IsoDate; to?: IsoDate; week?: boolean }, today: IsoDate = DateTime.now().setZone('America/New_York').toISODate()! as IsoDate): Promise<CalendarQuery> {
  const from = q.date ?? q.from ?? today;
  const to = q.date ?? q.to ?? (q.week || !q.from ? addDays(from, 6) : from);
  if (to < from) throw new UserFacingError('BAD_RANGE', `--to ${to} is before --from ${from}.`);
  if (addDays(from, 62) < to) throw new UserFacingError('BAD_RANGE', `${from} to ${to} is more than 62 days: ask for two months at most.`);
  const dates: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  const found = await Promise.all(dates.map((d) => economicOn([d])));
  return { from, to, days: dates.map((d, i) => ({ date: d, events: found[i]!.events })), unsynced: dates.filter((_, i) => found[i]!.synced === 0) };
}

export function calendarPost(q: CalendarQuery): PostInput {
  const lines = q.days.filter((d) => d.events.length).map((d) => `**${DateTime.fromISO(d.date).toFormat('ccc dd LLL')}**\n${d.events.map(eventLine).join('\n')}`);
  return {
    kind: 'digests',
    title: q.from === q.to ? `Economic calendar · ${q.from}` : `Economic calendar · ${q.from} to ${q.to}`,
    description: [lines.join('\n') || 'No scheduled release we follow in these dates.', q.unsynced.length ? `Not synced: ${q.unsynced.length} of these days (economic-calendar-sync keeps the next ${ECONOMIC_AHEAD_DAYS} days).` : ''].filter(Boolean).join('\n'),
    footer: 'times New York',
  };
}
