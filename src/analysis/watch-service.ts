import { addDays, type IsoDate } from '../calendar/dates.js';
import { isDuplicateKey } from '../db/connection.js';
import { Outbox } from '../db/models/outbox.js';
import { WatchMute, WatchRuleModel } from '../db/models/watch.js';
import { UserFacingError } from '../errors.js';
import { readBars } from '../market-data/bar-store.js';
import { loadUniverse } from '../market-data/universe.js';
import { enqueuePosts, type Destination } from '../notify/outbox.js';
import type { PostInput } from '../notify/post.js';
import { describeRule, evaluateRule, MAX_RULES_PER_MEMBER, watchRuleSchema, WATCH_RULE_KINDS, type WatchRule } from './watch-rules.js';

export interface WatchView { id: number; symbol: string; rule: string; kind: string; value: number | null; createdAt: string }

const covered = (): Set<string> => new Set(['SPX', ...loadUniverse().map((e) => e.symbol)]);

/** Parse a rule as typed (`rsi-below`, `30`) with the schema's bounds; a message says what is allowed. */
export function parseWatchRule(kind: string, value: string | number | null | undefined): WatchRule {
  const raw = value === undefined || value === null || value === '' ? null : typeof value === 'number' ? value : /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isNaN(raw)) throw new UserFacingError('BAD_RULE', `value "${value}" is not a number (decimal, e.g. 30 or 2.5).`);
  const r = watchRuleSchema.safeParse({ kind: kind.trim(), value: raw });
  if (!r.success) throw new UserFacingError('BAD_RULE', `${r.error.issues[0]!.message}.`);
  return { kind: r.data.kind as WatchRule['kind'], value: r.data.value };
}

/** Add a rule to a member's own watchlist: universe symbols only, at most 25 rules (slots taken by unique insert). */
export async function addWatch(userId: string, symbolRaw: string, kind: string, value: string | number | null | undefined, now = new Date()): Promise<WatchView> {
  const symbol = symbolRaw.trim().toUpperCase();
  const universe = covered();
  if (!universe.has(symbol)) throw new UserFacingError('UNKNOWN_SYMBOL', `${symbol || '(empty)'} is not covered: watchlists take the ${universe.size} universe symbols (SPX, SPY, QQQ, AAPL, MSFT, …; see /universe).`);
  const rule = parseWatchRule(kind, value);
  const taken = new Set((await WatchRuleModel.find({ userId }, { slot: 1 }).lean()).map((r) => r.slot));
  for (let slot = 1; slot <= MAX_RULES_PER_MEMBER; slot++) {
    if (taken.has(slot)) continue;
    try {
      await WatchRuleModel.create({ _id: `${userId}#${slot}`, userId, slot, symbol, kind: rule.kind, value: rule.value, createdAt: now });
      return { id: slot, symbol, rule: describeRule(rule), kind: rule.kind, value: rule.value, createdAt: now.toISOString() };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // another add took this slot a moment ago: try the next
    }
  }
  throw new UserFacingError('TOO_MANY_RULES', `You already have ${MAX_RULES_PER_MEMBER} watch rules (the most a member may have); remove one with /watch remove.`);
}

export async function listWatch(userId: string): Promise<{ rules: WatchView[]; mutedUntil: string | null }> {
  const rules = await WatchRuleModel.find({ userId }).sort({ slot: 1 }).lean();
  const mute = await WatchMute.findById(userId).lean();
  return {
    rules: rules.map((r) => ({ id: r.slot, symbol: r.symbol, rule: describeRule({ kind: r.kind as WatchRule['kind'], value: r.value ?? null }), kind: r.kind, value: r.value ?? null, createdAt: r.createdAt.toISOString() })),
    mutedUntil: mute && mute.until > new Date() ? mute.until.toISOString() : null,
  };
}

/** Remove one of the member's own rules (by the number /watch list shows); another member's rule is not found. */
export async function removeWatch(userId: string, id: number): Promise<void> {
  if (!Number.isInteger(id) || id < 1 || id > MAX_RULES_PER_MEMBER) throw new UserFacingError('BAD_RULE_ID', `id must be a rule number from 1 to ${MAX_RULES_PER_MEMBER} (see /watch list).`);
  const r = await WatchRuleModel.deleteOne({ _id: `${userId}#${id}`, userId });
  if (r.deletedCount === 0) throw new UserFacingError('UNKNOWN_RULE', `You have no watch rule #${id}; /watch list shows yours.`);
}

/** Mute a member's watch DMs for `hours` (0 unmutes). */
export async function muteWatch(userId: string, hours: number, now = new Date()): Promise<Date | null> {
  if (!Number.isInteger(hours) || hours < 0 || hours > 24 * 30) throw new UserFacingError('BAD_HOURS', `hours must be a whole number from 0 (unmute) to 720.`);
  if (hours === 0) {
    await WatchMute.deleteOne({ _id: userId });
    return null;
  }
  const until = new Date(now.getTime() + hours * 3_600_000);
  await WatchMute.replaceOne({ _id: userId }, { _id: userId, until, at: now }, { upsert: true });
  return until;
}

/** Counts only, for admins: members, rules, rules per kind. */
export async function watchCounts(): Promise<{ members: number; rules: number; byKind: Record<string, number> }> {
  const rules = await WatchRuleModel.find({}, { userId: 1, kind: 1 }).lean();
  const byKind = Object.fromEntries(WATCH_RULE_KINDS.map((k) => [k, rules.filter((r) => r.kind === k).length]).filter(([, n]) => (n as number) > 0));
  return { members: new Set(rules.map((r) => r.userId)).size, rules: rules.length, byKind };
}

export interface WatchEvaluation { rules: number; symbols: number; fired: number; members: number; queued: number; muted: number }

/**
 * Evaluate every member's rules on `date`'s close from stored bars (no provider calls) and queue one DM
 * per member with all of their triggers, keyed `watch:<userId>:<date>`: a re-run queues nothing new.
 */
export async function evaluateWatchlists(date: IsoDate, now = new Date()): Promise<WatchEvaluation> {
  const rules = await WatchRuleModel.find({}, { userId: 1, slot: 1, symbol: 1, kind: 1, value: 1 }).lean();
  if (rules.length === 0) return { rules: 0, symbols: 0, fired: 0, members: 0, queued: 0, muted: 0 };
  const symbols = [...new Set(rules.map((r) => r.symbol))];
  const bars = await readBars(symbols, addDays(date, -400), date);
  const series = new Map([...bars].filter(([, list]) => list.at(-1)?.date === date).map(([s, list]) => [s, { open: list.map((b) => b.open), close: list.map((b) => b.close), volume: list.map((b) => b.volume) }]));
  const firedBy = new Map<string, string[]>();
  let fired = 0;
  for (const r of rules) {
    const b = series.get(r.symbol);
    if (!b) continue;
    const rule = { kind: r.kind as WatchRule['kind'], value: r.value ?? null };
    const e = evaluateRule(rule, b);
    if (!e.fired) continue;
    fired++;
    firedBy.set(r.userId, [...(firedBy.get(r.userId) ?? []), `#${r.slot} ${r.symbol}: ${describeRule(rule)} (${e.detail})`]);
  }
  const mutes = new Map((await WatchMute.find({ _id: { $in: [...firedBy.keys()] } }).lean()).map((m) => [m._id, m.until]));
  let muted = 0;
  const dms: Array<{ key: string; post: PostInput; destination: Destination }> = [];
  for (const [userId, lines] of firedBy) {
    if ((mutes.get(userId)?.getTime() ?? 0) > now.getTime()) {
      muted++;
      continue;
    }
    dms.push({
      key: `watch:${userId}:${date}`, destination: { sink: 'dm', userId },
      post: { kind: 'scans', title: `Your watchlist · ${date}`, description: `${lines.join('\n')}\n\nMute with /watch mute, change with /watch list and /watch remove.` },
    });
  }
  const queued = await enqueuePosts(dms, now);
  return { rules: rules.length, symbols: symbols.length, fired, members: firedBy.size, queued, muted };
}

/** DMs that could not be delivered because the member's DMs are closed (recorded, not retried). */
export async function closedDms(): Promise<number> {
  return Outbox.countDocuments({ 'destination.sink': 'dm', status: 'dead' });
}
