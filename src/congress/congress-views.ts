import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { isDuplicateKey } from '../db/connection.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { CongressFollow } from '../db/models/congress.js';
import { UserFacingError } from '../errors.js';
import type { PostInput } from '../notify/post.js';
import { allMembers, indexEntries, LATE_AFTER_DAYS, type FilingEntry, type IndexEntry, type TradeEntry } from './congress-store.js';
import { tradeLine } from './congress-service.js';
import { foldName } from './house-parsers.js';

const ZONE = 'America/New_York';
const today = (): IsoDate => DateTime.now().setZone(ZONE).toISODate()! as IsoDate;
export const FOLLOW_KINDS = ['member', 'ticker', 'amount'] as const;
export type FollowKind = (typeof FOLLOW_KINDS)[number];
export const MAX_FOLLOWS = 25;
export const MAX_DAYS = 365;
const TICKER = /^[A-Z][A-Z0-9.]{0,9}$/;
const USER = /^\d{15,21}$/;

type Member = Awaited<ReturnType<typeof allMembers>>[number];

/** A member by name (or key): exact folded name, then a unique word-prefix match; several → the choices. */
export async function resolveMember(raw: string): Promise<Member> {
  const q = raw.trim();
  if (q.length < 2 || q.length > 80) throw new UserFacingError('BAD_MEMBER', `"${q.slice(0, 80)}" is not a member's name: give 2 to 80 characters, e.g. "Pelosi" or "Nancy Pelosi".`);
  const members = await allMembers();
  if (members.length === 0) throw new UserFacingError('NO_MEMBERS', `No member named "${q}": no disclosures are stored yet (congress-sync runs every 2 hours; run one with: signaldesk run congress-sync).`);
  const f = foldName(q);
  const exact = members.filter((m) => m.key === q || foldName(m.name) === f);
  if (exact.length === 1) return exact[0]!;
  const words = f.split(' ');
  const hits = members.filter((m) => {
    const name = foldName(m.name).split(' ');
    return words.every((w) => name.some((n) => n.startsWith(w)));
  });
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) throw new UserFacingError('UNKNOWN_MEMBER', `No member named "${q}" has disclosures stored; ${members.length} members have (start typing a name for suggestions).`);
  throw new UserFacingError('AMBIGUOUS_MEMBER', `"${q}" matches ${hits.length} members: ${hits.slice(0, 8).map((m) => `${m.name} (${m.chamber}${m.state ? `, ${m.state}` : ''})`).join('; ')}. Give more of the name.`);
}

/** Autocomplete: stored members whose name contains what was typed (cached a minute). */
let memberCache: { at: number; list: Member[] } | undefined;
export async function memberSuggestions(typed: string): Promise<Array<{ name: string; value: string }>> {
  if (!memberCache || Date.now() - memberCache.at > 60_000) memberCache = { at: Date.now(), list: await allMembers() };
  const f = foldName(typed);
  return memberCache.list
    .filter((m) => !f || foldName(m.name).includes(f))
    .sort((a, b) => (b.lastFiledOn ?? '').localeCompare(a.lastFiledOn ?? '') || a.name.localeCompare(b.name))
    .slice(0, 25)
    .map((m) => ({ name: `${m.name} (${m.chamber === 'house' ? 'House' : 'Senate'}${m.state ? `, ${m.state}${m.district ? `-${m.district}` : ''}` : ''})`.slice(0, 100), value: m.name.slice(0, 100) }));
}

function checkDays(days: number | undefined): number {
  const d = days ?? 7;
  if (!Number.isInteger(d) || d < 1 || d > MAX_DAYS) throw new UserFacingError('BAD_DAYS', `days "${days}" must be a whole number from 1 to ${MAX_DAYS}.`);
  return d;
}

export function checkTicker(raw: string): string {
  const t = raw.trim().toUpperCase().replace('/', '.');
  if (!TICKER.test(t)) throw new UserFacingError('BAD_SYMBOL', `"${raw.slice(0, 20)}" is not a ticker: give one such as AAPL or BRK.B.`);
  return t;
}

/** Lists show each trade once: an amending row's original is shown (with the amendment noted), deleted ones go. */
function visible(entries: IndexEntry[]): { trades: TradeEntry[]; unparsed: FilingEntry[] } {
  const trades = new Map<string, TradeEntry>();
  const deleted = new Set<string>();
  const unparsed = new Map<string, FilingEntry>();
  for (const e of entries) {
    if (e.kind === 'filing') unparsed.set(e.id, e);
    else if (e.amends) {
      if (e.status === 'deleted') deleted.add(e.amends);
    } else trades.set(e.id, e);
  }
  for (const id of deleted) trades.delete(id);
  return { trades: [...trades.values()], unparsed: [...unparsed.values()] };
}

export interface RecentQuery {
  days: number;
  since: IsoDate;
  until: IsoDate;
  member: string | null;
  ticker: string | null;
  trades: TradeEntry[];
  unparsed: FilingEntry[];
  synthetic: boolean;
}

/** Disclosures of the last N days (by disclosure date), for everyone, one member or one ticker: index lookups only. */
export async function recentView(opts: { days?: number; member?: string; ticker?: string; until?: IsoDate }): Promise<RecentQuery> {
  const days = checkDays(opts.days);
  if (opts.member && opts.ticker) throw new UserFacingError('USAGE', 'give a member or a ticker, not both.');
  const until = opts.until ?? today();
  const since = addDays(until, -(days - 1));
  const years = [...new Set([since.slice(0, 4), until.slice(0, 4), String(Number(since.slice(0, 4)) - 1)])];
  let ids: string[];
  let member: string | null = null;
  let ticker: string | null = null;
  if (opts.member) {
    const m = await resolveMember(opts.member);
    member = m.name;
    // A member's index is by trade year: a late disclosure of last year's trade is in last year's document.
    ids = years.map((y) => `m|${m.key}|${y}`);
  } else if (opts.ticker) {
    ticker = checkTicker(opts.ticker);
    ids = years.map((y) => `t|${ticker}|${y}`);
  } else {
    ids = [];
    for (let d = until; d >= since; d = addDays(d, -1)) ids.push(`d|${d}`);
  }
  const { trades, unparsed } = visible(await indexEntries(ids));
  const inRange = (e: { filedOn: string }) => e.filedOn >= since && e.filedOn <= until;
  const t = trades.filter(inRange).sort((a, b) => b.filedOn.localeCompare(a.filedOn) || a.id.localeCompare(b.id));
  const u = ticker ? [] : unparsed.filter(inRange).sort((a, b) => b.filedOn.localeCompare(a.filedOn));
  return { days, since, until, member, ticker, trades: t, unparsed: u, synthetic: [...t, ...u].some((e) => e.synthetic) };
}

export function recentPost(q: RecentQuery): PostInput {
  const who = q.member ?? q.ticker ?? 'Congress';
  const head = `Congress trades · ${who} · disclosed ${q.since} to ${q.until}`;
  if (q.trades.length === 0 && q.unparsed.length === 0) {
    return { kind: 'congress', title: head, description: `No disclosures stored in these ${q.days} days. congress-sync runs every 2 hours; run one with: signaldesk run congress-sync`, demo: q.synthetic };
  }
  const lines = q.trades.slice(0, 30).map((t) => `• ${q.member ? '' : `${t.member}: `}${tradeLine(t)}`);
  if (q.trades.length > 30) lines.push(`…and ${q.trades.length - 30} more (--json lists all)`);
  const gaps = q.unparsed.slice(0, 8).map((f) => `• ${f.member} filed ${f.filedOn} (${f.docId}), not parsed: ${f.reason}`);
  return {
    kind: 'congress', title: head.slice(0, 256), description: lines.join('\n').slice(0, 4000) || undefined,
    fields: [
      { name: 'Counted', value: `${q.trades.length} trade(s) · ${q.trades.filter((t) => t.type === 'purchase').length} buys · ${q.trades.filter((t) => t.type !== 'purchase' && t.type !== 'exchange').length} sells · ${q.trades.filter((t) => t.late).length} late (over ${LATE_AFTER_DAYS} days)` },
      ...(gaps.length ? [{ name: 'Filed, not parsed (not "no trades")', value: gaps.join('\n').slice(0, 1024) }] : []),
    ],
    footer: q.synthetic ? 'synthetic filings of made-up members (demo)' : 'by disclosure date; amounts are the ranges as filed',
    demo: q.synthetic,
  };
}

export interface MemberQuery {
  member: Member;
  trades: TradeEntry[];
  unparsed: FilingEntry[];
  medianLagDays: number | null;
  late: number;
  synthetic: boolean;
}

/** A member's trades of the last two years: lag between trade and disclosure, late filings, filings not parsed. */
export async function memberView(name: string, until: IsoDate = today()): Promise<MemberQuery> {
  const m = await resolveMember(name);
  const y = Number(until.slice(0, 4));
  const { trades, unparsed } = visible(await indexEntries([y - 2, y - 1, y].map((x) => `m|${m.key}|${x}`)));
  const t = trades.sort((a, b) => b.transactionDate.localeCompare(a.transactionDate) || a.id.localeCompare(b.id));
  const lags = t.flatMap((x) => (x.lagDays === null ? [] : [x.lagDays])).sort((a, b) => a - b);
  const medianLagDays = lags.length ? lags[Math.floor((lags.length - 1) / 2)]! : null;
  return { member: m, trades: t, unparsed, medianLagDays, late: t.filter((x) => x.late).length, synthetic: m.synthetic || t.some((x) => x.synthetic) };
}

export function memberPost(q: MemberQuery): PostInput {
  const m = q.member;
  const where = `${m.chamber === 'house' ? 'House' : 'Senate'}${m.state ? `, ${m.state}${m.district ? `-${m.district}` : ''}` : ''}`;
  const lines = q.trades.slice(0, 25).map((t) => `• ${tradeLine(t)}`);
  if (q.trades.length > 25) lines.push(`…and ${q.trades.length - 25} more (--json lists all)`);
  return {
    kind: 'congress', title: `${m.name} (${where}) · ${q.trades.length} trade(s) disclosed`.slice(0, 256), description: lines.join('\n').slice(0, 4000) || 'No parsed trades stored.',
    fields: [
      { name: 'Disclosure lag', value: q.medianLagDays === null ? 'unknown' : `median ${q.medianLagDays} days from trade to disclosure · ${q.late} late (over ${LATE_AFTER_DAYS} days)`, inline: true },
      { name: 'Filings', value: `${m.filings} stored · last ${m.lastFiledOn ?? 'never'}${q.unparsed.length ? ` · ${q.unparsed.length} not parsed (paper or unreadable)` : ''}`, inline: true },
    ],
    footer: q.synthetic ? 'synthetic filings of made-up members (demo)' : 'trades of the last two years; amounts are the ranges as filed',
    demo: q.synthetic,
  };
}

// ── Follows ───────────────────────────────────────────────────────────────────────────────────────────────

export interface Follow {
  kind: FollowKind;
  value: string;
  label: string;
  since: string;
}

function checkUser(userId: string): void {
  if (!USER.test(userId)) throw new UserFacingError('BAD_USER', `user "${userId.slice(0, 30)}" must be a Discord user id (15 to 21 digits).`);
}

/** A follow rule as typed → its stored value: a member's key, a ticker, a whole-dollar threshold. */
async function ruleOf(kind: string, raw: string): Promise<{ kind: FollowKind; value: string; label: string }> {
  if (!(FOLLOW_KINDS as readonly string[]).includes(kind)) throw new UserFacingError('BAD_OPTION', `"${kind.slice(0, 20)}" is not something to follow; allowed: ${FOLLOW_KINDS.join(', ')}.`);
  if (kind === 'member') {
    const m = await resolveMember(raw);
    return { kind: kind as FollowKind, value: m.key, label: m.name };
  }
  if (kind === 'ticker') {
    const t = checkTicker(raw);
    return { kind: kind as FollowKind, value: t, label: t };
  }
  const n = Number(raw.replace(/[$,_\s]/g, ''));
  if (!/^\$?[\d,_\s]+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1_000 || n > 50_000_000) {
    throw new UserFacingError('BAD_AMOUNT', `amount "${raw.slice(0, 20)}" must be whole dollars from 1000 to 50000000 (e.g. 100000: trades whose range reaches $100,000).`);
  }
  return { kind: kind as FollowKind, value: String(n), label: `$${n.toLocaleString('en-US')} or more` };
}

export async function followCongress(userId: string, kind: string, raw: string, now = new Date(), source: 'discord' | 'cli' = 'discord'): Promise<Follow> {
  checkUser(userId);
  const r = await ruleOf(kind, raw);
  const mine = await CongressFollow.find({ userId }).lean();
  if (mine.some((f) => f.kind === r.kind && f.value === r.value)) throw new UserFacingError('ALREADY', `You already follow ${r.kind} ${r.label}.`);
  if (mine.length >= MAX_FOLLOWS) throw new UserFacingError('TOO_MANY', `You follow ${mine.length} things already (at most ${MAX_FOLLOWS}); remove one with /congress unfollow.`);
  try {
    await CongressFollow.create({ _id: `${userId}|${r.kind}|${r.value}`, userId, kind: r.kind, value: r.value, label: r.label, createdAt: now });
  } catch (err) {
    if (isDuplicateKey(err)) throw new UserFacingError('ALREADY', `You already follow ${r.kind} ${r.label}.`);
    throw err;
  }
  await AuditEntry.create({ at: now, actorId: userId, actorName: userId, source, action: 'congress.follow', target: `${r.kind}:${r.value}`, before: null, after: r, result: 'ok' }).catch(() => undefined);
  return { ...r, since: now.toISOString() };
}

export async function unfollowCongress(userId: string, kind: string, raw: string): Promise<Follow> {
  checkUser(userId);
  const mine = await CongressFollow.find({ userId }).lean();
  let r: { kind: FollowKind; value: string; label: string };
  try {
    r = await ruleOf(kind, raw);
  } catch (err) {
    // A member no longer stored can still be unfollowed by the name shown in /congress list.
    const byLabel = mine.find((f) => f.kind === kind && foldName(f.label) === foldName(raw));
    if (!byLabel) throw err;
    r = { kind: byLabel.kind as FollowKind, value: byLabel.value, label: byLabel.label };
  }
  const found = mine.find((f) => f.kind === r.kind && f.value === r.value);
  if (!found) throw new UserFacingError('NOT_FOLLOWED', `You do not follow ${r.kind} ${r.label}; /congress list shows what you follow.`);
  await CongressFollow.deleteOne({ _id: found._id });
  return { kind: r.kind, value: r.value, label: found.label, since: found.createdAt.toISOString() };
}

export async function listFollows(userId: string): Promise<Follow[]> {
  checkUser(userId);
  const mine = await CongressFollow.find({ userId }).lean();
  return mine.map((f) => ({ kind: f.kind as FollowKind, value: f.value, label: f.label, since: f.createdAt.toISOString() })).sort((a, b) => a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));
}

export function followsPost(list: Follow[]): PostInput {
  return {
    kind: 'congress', title: `You follow ${list.length} thing(s) in Congress trades`,
    description: list.length ? list.map((f) => `• ${f.kind}: ${f.label}`).join('\n') : 'Nothing yet. /congress follow member NAME, ticker SYMBOL or amount DOLLARS: a DM for each new matching filing.',
    footer: 'One DM per new filing that matches, with its matching rows; /watch mute also mutes these.',
  };
}
