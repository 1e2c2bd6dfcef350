import { addDays, type IsoDate } from '../calendar/dates.js';
import { previousTradingDay } from '../calendar/nyse.js';
import { isDuplicateKey } from '../db/connection.js';
import { DayClaim } from '../db/models/intraday.js';
import { WatchMute } from '../db/models/watch.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { streamBars } from '../market-data/bar-store.js';
import { describeSnapshot, partialBar, shareOfDay, type StoredSnapshot } from '../market-data/snapshot-store.js';
import { enqueuePosts, type Destination } from '../notify/outbox.js';
import type { PostInput } from '../notify/post.js';
import { describeRule, evaluateRule, INTRADAY_RULES, type DayBars } from './watch-rules.js';
import { readAllWatchlists, type StoredRule } from './watchlist-store.js';

/**
 * A member's rule fires at most once a day, whenever it is first true: on a 15-minute snapshot during the
 * session or on the close. Each firing is claimed by a unique insert ("watch:<user>:<ruleKey>:<date>" in
 * day_claims) after its DM is queued, so a re-run of the same slot queues the same DM key again (the outbox
 * keeps one) and a later slot skips what already fired. The day's DMs grow: each new one lists what is new
 * and, under "Earlier today", what fired before.
 */
export interface Trigger { userId: string; rule: StoredRule; line: string }

/** `slot`: "HH:MM" during the session, or "close" (next-day-prep). */
export async function dispatchTriggers(date: IsoDate, slot: string, fired: Trigger[], now: Date, heading?: string): Promise<{ fresh: number; members: number; queued: number; muted: number }> {
  const claimOf = (t: Trigger) => `watch:${t.userId}:${t.rule.key}:${date}`;
  if (fired.length === 0) return { fresh: 0, members: 0, queued: 0, muted: 0 };
  // The day's claims in one read (day_claims holds a few days: maintenance-cleanup prunes it).
  const today = new Map((await DayClaim.find({ date }).lean()).filter((c) => c._id.startsWith('watch:')).map((c) => [c._id, c]));
  // Same slot: a re-run after a crash, the same DM again (the outbox keeps one).
  const fresh = fired.filter((t) => {
    const earlier = today.get(claimOf(t));
    return !earlier || earlier.slot === slot;
  });
  if (fresh.length === 0) return { fresh: 0, members: 0, queued: 0, muted: 0 };
  const byMember = new Map<string, Trigger[]>();
  for (const t of fresh) {
    const list = byMember.get(t.userId) ?? [];
    if (list.length === 0) byMember.set(t.userId, list);
    list.push(t);
  }
  // What fired earlier today, per member.
  const before = new Map<string, string[]>();
  for (const c of today.values()) {
    if (c.slot === slot) continue;
    const userId = c._id.split(':')[1]!;
    if (!byMember.has(userId)) continue;
    const lines = before.get(userId) ?? [];
    if (lines.length === 0) before.set(userId, lines);
    lines.push(`${c.slot} ${c.line}`);
  }
  const mutes = new Map((await WatchMute.find({ _id: { $in: [...byMember.keys()] } }).lean()).map((m) => [m._id, m.until]));
  let muted = 0;
  const dms: Array<{ key: string; post: PostInput; destination: Destination }> = [];
  for (const [userId, list] of byMember) {
    if ((mutes.get(userId)?.getTime() ?? 0) > now.getTime()) {
      muted++;
      continue;
    }
    const lines = list.sort((a, b) => a.rule.id - b.rule.id).map((t) => t.line);
    const earlier = (before.get(userId) ?? []).sort();
    dms.push({
      key: slot === 'close' ? `watch:${userId}:${date}` : `watch:${userId}:${date}:${slot}`,
      destination: { sink: 'dm', userId },
      post: {
        kind: 'scans',
        title: `Your watchlist · ${date}${slot === 'close' ? ' · the close' : ` · ${slot}`}`,
        description: [heading, lines.join('\n'), earlier.length ? `Earlier today:\n${earlier.join('\n')}` : undefined, 'Mute with /watch mute, change with /watch list and /watch remove.'].filter(Boolean).join('\n\n'),
      },
    });
  }
  const queued = await enqueuePosts(dms, now);
  await DayClaim.insertMany(fresh.map((t) => ({ _id: claimOf(t), date, slot, line: t.line, at: now })), { ordered: false }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err; // already claimed: the re-run of a slot
  });
  return { fresh: fresh.length, members: byMember.size, queued, muted };
}

export interface IntradayWatchEvaluation { rules: number; symbols: number; fired: number; fresh: number; members: number; queued: number; muted: number; errors: number }

/**
 * Every member's rules that a partial bar can answer, on a snapshot: the stored daily bars through the
 * previous close with the day so far appended (never stored). Reads the bars once per watched symbol.
 */
export async function evaluateWatchIntraday(snap: StoredSnapshot, now: Date): Promise<IntradayWatchEvaluation> {
  const lists = await readAllWatchlists();
  const bySymbol = new Map<string, Array<{ userId: string; rule: StoredRule }>>();
  let rules = 0;
  for (const w of lists) {
    for (const rule of w.rules) {
      if (!INTRADAY_RULES.has(rule.kind) || !snap.rows.has(rule.symbol)) continue;
      rules++;
      const list = bySymbol.get(rule.symbol) ?? [];
      if (list.length === 0) bySymbol.set(rule.symbol, list);
      list.push({ userId: w.userId, rule });
    }
  }
  const fired: Trigger[] = [];
  let errors = 0;
  const share = shareOfDay(snap);
  const through = previousTradingDay(snap.date);
  for await (const [symbol, bars] of streamBars([...bySymbol.keys()], addDays(through, -400), through)) {
    const row = snap.rows.get(symbol);
    if (!row || bars.at(-1)?.date !== through) continue; // no previous close stored: nothing to compare with
    try {
      const today = partialBar(row);
      const day: DayBars = { open: [...bars.map((b) => b.open), today.open], close: [...bars.map((b) => b.close), today.close], volume: [...bars.map((b) => b.volume), today.volume], share };
      for (const { userId, rule } of bySymbol.get(symbol)!) {
        const e = evaluateRule(rule, day);
        if (e.fired) fired.push({ userId, rule, line: `#${rule.id} ${symbol}: ${describeRule(rule)} (${e.detail})` });
      }
    } catch (err) {
      errors++;
      log().error({ err: describeError(err), symbol, date: snap.date }, 'watch rules could not be evaluated on this symbol');
    }
  }
  const d = await dispatchTriggers(snap.date, snap.slot, fired, now, `During the session, ${describeSnapshot(snap)}:`);
  return { rules, symbols: bySymbol.size, fired: fired.length, ...d, errors };
}
