import { addDays, type IsoDate } from '../calendar/dates.js';
import { OutboxDead } from '../db/models/outbox.js';
import { WatchMute } from '../db/models/watch.js';
import { describeError, UserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { streamBars } from '../market-data/bar-store.js';
import type { Bar } from '../market-data/provider.js';
import { coveredSymbols } from '../market-data/universe.js';
import { SCAN_LOOKBACK_DAYS } from './scan-service.js';
import { dispatchTriggers, type Trigger } from './watch-day.js';
import { describeRule, evaluateRule, MAX_RULES_PER_MEMBER, watchRuleSchema, WATCH_RULE_KINDS, type DayBars, type WatchRule } from './watch-rules.js';
import { changeWatchlist, newRuleKey, readAllWatchlists, readWatchlist, type StoredRule } from './watchlist-store.js';
import { upsertRacing } from '../db/connection.js';

export interface WatchView { id: number; symbol: string; rule: string; kind: string; value: number | null; createdAt: string }


/** Parse a rule as typed (`rsi-below`, `30`) with the schema's bounds; a message says what is allowed. */
export function parseWatchRule(kind: string, value: string | number | null | undefined): WatchRule {
  const raw = value === undefined || value === null || value === '' ? null : typeof value === 'number' ? value : /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isNaN(raw)) throw new UserFacingError('BAD_RULE', `value "${value}" is not a number (decimal, e.g. 30 or 2.5).`);
  const r = watchRuleSchema.safeParse({ kind: kind.trim(), value: raw });
  if (!r.success) throw new UserFacingError('BAD_RULE', `${r.error.issues[0]!.message}.`);
  return { kind: r.data.kind as WatchRule['kind'], value: r.data.value };
}

/** Add a rule to a member's own watchlist: universe symbols only, at most 25 rules, numbered by the lowest free number. */
export async function addWatch(userId: string, symbolRaw: string, kind: string, value: string | number | null | undefined, now = new Date()): Promise<WatchView> {
  const symbol = symbolRaw.trim().toUpperCase();
  const universe = coveredSymbols();
  if (!universe.has(symbol)) throw new UserFacingError('UNKNOWN_SYMBOL', `${symbol || '(empty)'} is not covered: watchlists take the ${universe.size} universe symbols (SPX, SPY, QQQ, AAPL, MSFT, …; see /universe).`);
  const rule = parseWatchRule(kind, value);
  const added = await changeWatchlist(userId, (rules) => {
    if (rules.length >= MAX_RULES_PER_MEMBER) throw new UserFacingError('TOO_MANY_RULES', `You already have ${MAX_RULES_PER_MEMBER} watch rules (the most a member may have); remove one with /watch remove.`);
    const taken = new Set(rules.map((r) => r.id));
    let id = 1;
    while (taken.has(id)) id++;
    const stored: StoredRule = { key: newRuleKey(), id, symbol, kind: rule.kind, value: rule.value, createdAt: now.toISOString() };
    return { rules: [...rules, stored].sort((a, b) => a.id - b.id), result: stored };
  }, now);
  return viewOf(added);
}

function viewOf(r: StoredRule): WatchView {
  return { id: r.id, symbol: r.symbol, rule: describeRule(r), kind: r.kind, value: r.value, createdAt: r.createdAt };
}

export async function listWatch(userId: string): Promise<{ rules: WatchView[]; mutedUntil: string | null }> {
  const [list, mute] = await Promise.all([readWatchlist(userId), WatchMute.findById(userId).lean()]);
  return { rules: list.rules.map(viewOf), mutedUntil: mute && mute.until > new Date() ? mute.until.toISOString() : null };
}

/** Remove one of the member's own rules (by the number /watch list shows); another member's rule is not found. */
export async function removeWatch(userId: string, id: number): Promise<void> {
  if (!Number.isInteger(id) || id < 1 || id > MAX_RULES_PER_MEMBER) throw new UserFacingError('BAD_RULE_ID', `id must be a rule number from 1 to ${MAX_RULES_PER_MEMBER} (see /watch list).`);
  await changeWatchlist(userId, (rules) => {
    if (!rules.some((r) => r.id === id)) throw new UserFacingError('UNKNOWN_RULE', `You have no watch rule #${id}; /watch list shows yours.`);
    return { rules: rules.filter((r) => r.id !== id), result: undefined };
  });
}

/** Mute a member's watch DMs for `hours` (0 unmutes). */
export async function muteWatch(userId: string, hours: number, now = new Date()): Promise<Date | null> {
  if (!Number.isInteger(hours) || hours < 0 || hours > 24 * 30) throw new UserFacingError('BAD_HOURS', `hours must be a whole number from 0 (unmute) to 720.`);
  if (hours === 0) {
    await WatchMute.deleteOne({ _id: userId });
    return null;
  }
  const until = new Date(now.getTime() + hours * 3_600_000);
  await upsertRacing((upsert) => WatchMute.replaceOne({ _id: userId }, { _id: userId, until, at: now }, { upsert }));
  return until;
}

/** Counts only, for admins: members, rules, rules per kind. */
export async function watchCounts(): Promise<{ members: number; rules: number; byKind: Record<string, number> }> {
  const lists = await readAllWatchlists();
  const byKind: Record<string, number> = {};
  for (const w of lists) for (const r of w.rules) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  const ordered = Object.fromEntries(WATCH_RULE_KINDS.filter((k) => byKind[k]).map((k) => [k, byKind[k]!]));
  return { members: lists.length, rules: lists.reduce((n, w) => n + w.rules.length, 0), byKind: ordered };
}

export interface WatchEvaluation {
  rules: number;
  symbols: number;
  /** Symbols whose rules were evaluated on bars the scan had already read (the rest were read here). */
  fromScan: number;
  fired: number;
  members: number;
  queued: number;
  muted: number;
  /** Symbols whose evaluation threw (logged; their rules did not fire). */
  errors: number;
  /** This evaluation's own time: reading rules and any bars the scan did not bring, evaluating, queueing. */
  ms: number;
}

/** One evaluation of every watchlist on a day's close: hand it bars as they are read, then finish. */
export interface WatchEvaluator {
  /** Evaluate the rules on one symbol's bars through the day (the scan's stream calls this as it reads). */
  visit(symbol: string, bars: Bar[]): void;
  /** Evaluate the symbols no stream brought (read from the store), then queue one DM per member. */
  finish(): Promise<WatchEvaluation>;
}

/**
 * Start evaluating every member's rules on `date`'s close from stored bars (no provider calls). Triggers
 * become one DM per member with all of them, keyed `watch:<userId>:<date>`: a re-run queues nothing new.
 * next-day-prep passes `visit` to the scan, so the universe's bars are read once for both.
 */
export async function startWatchEvaluation(date: IsoDate, now = new Date()): Promise<WatchEvaluator> {
  let ownMs = 0;
  const t0 = performance.now();
  const lists = await readAllWatchlists();
  const bySymbol = new Map<string, Array<{ userId: string; rule: StoredRule }>>();
  for (const w of lists) {
    for (const rule of w.rules) {
      const list = bySymbol.get(rule.symbol) ?? [];
      if (list.length === 0) bySymbol.set(rule.symbol, list);
      list.push({ userId: w.userId, rule });
    }
  }
  ownMs += performance.now() - t0;
  const pending = new Set(bySymbol.keys());
  const triggers: Trigger[] = [];
  let fired = 0;
  let fromScan = 0;
  let errors = 0;

  const evaluate = (symbol: string, bars: Bar[]): void => {
    const watchers = bySymbol.get(symbol);
    if (!watchers || !pending.delete(symbol) || bars.at(-1)?.date !== date) return;
    try {
      const day: DayBars = { open: bars.map((b) => b.open), close: bars.map((b) => b.close), volume: bars.map((b) => b.volume) };
      for (const { userId, rule } of watchers) {
        const e = evaluateRule(rule, day);
        if (!e.fired) continue;
        fired++;
        triggers.push({ userId, rule, line: `#${rule.id} ${symbol}: ${describeRule(rule)} (${e.detail})` });
      }
    } catch (err) {
      errors++;
      log().error({ err: describeError(err), symbol, date }, 'watch rules could not be evaluated on this symbol');
    }
  };

  return {
    visit(symbol, bars) {
      if (!pending.has(symbol)) return;
      const t = performance.now();
      evaluate(symbol, bars);
      ownMs += performance.now() - t;
      fromScan++;
    },
    async finish() {
      const t = performance.now();
      const rules = lists.reduce((n, w) => n + w.rules.length, 0);
      if (pending.size) for await (const [symbol, bars] of streamBars([...pending], addDays(date, -SCAN_LOOKBACK_DAYS), date)) evaluate(symbol, bars);
      // Rules that already fired during the session are not sent again; the close's DM lists them as earlier today.
      const d = await dispatchTriggers(date, 'close', triggers, now);
      ownMs += performance.now() - t;
      return { rules, symbols: bySymbol.size, fromScan, fired, members: d.members, queued: d.queued, muted: d.muted, errors, ms: Math.round(ownMs) };
    },
  };
}

/** Evaluate every watchlist on `date`'s close on its own, reading the bars it needs (a re-run, the CLI, tests). */
export async function evaluateWatchlists(date: IsoDate, now = new Date()): Promise<WatchEvaluation> {
  return (await startWatchEvaluation(date, now)).finish();
}

/** DMs that could not be delivered because the member's DMs are closed (recorded, not retried). */
export async function closedDms(): Promise<number> {
  return OutboxDead.countDocuments({ 'destination.sink': 'dm' });
}
