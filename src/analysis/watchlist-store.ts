import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isDuplicateKey, nativeDb } from '../db/connection.js';
import { LEGACY_WATCH_RULES, Watchlist } from '../db/models/watch.js';
import { log } from '../log/logger.js';
import { MAX_RULES_PER_MEMBER, WATCH_RULE_KINDS, type WatchRuleKind } from './watch-rules.js';

/**
 * One stored rule of a member's watchlist; `id` (1–25) is the number /watch list shows and may be reused
 * once the rule is removed; `key` is unique for ever (how a change recognises its own effect).
 */
export interface StoredRule {
  key: string;
  id: number;
  symbol: string;
  kind: WatchRuleKind;
  value: number | null;
  createdAt: string;
}

export interface MemberWatchlist {
  userId: string;
  rev: number;
  rules: StoredRule[];
}

const storedRuleSchema = z.object({
  key: z.string().min(1),
  id: z.number().int().min(1).max(MAX_RULES_PER_MEMBER),
  symbol: z.string().min(1),
  kind: z.enum(WATCH_RULE_KINDS as [WatchRuleKind, ...WatchRuleKind[]]),
  value: z.number().nullable(),
  createdAt: z.string(),
});
const storedRulesSchema = z.array(storedRuleSchema).max(MAX_RULES_PER_MEMBER);

/** The rules of one stored revision; a document that does not hold valid rules is an error that names it. */
function unpack(id: string, text: string): StoredRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const r = storedRulesSchema.safeParse(raw);
  if (!r.success) throw new Error(`watchlist ${id} holds malformed rules: ${r.error.issues[0]?.message ?? 'not JSON'}`);
  return r.data;
}

interface RevisionDoc { _id: string; userId: string; rev: number; rules: string }

/** A member's newest revision (rev 0 and no rules when they never had a watchlist). */
export async function readWatchlist(userId: string): Promise<MemberWatchlist> {
  const [d] = (await Watchlist.collection.find({ userId }, { projection: { userId: 1, rev: 1, rules: 1 } }).sort({ rev: -1 }).limit(1).toArray()) as unknown as RevisionDoc[];
  return d ? { userId, rev: d.rev, rules: unpack(d._id, d.rules) } : { userId, rev: 0, rules: [] };
}

/** Every member's newest revision, members without rules left out: one read of a document per member. */
export async function readAllWatchlists(): Promise<MemberWatchlist[]> {
  const docs = (await Watchlist.collection.find({}, { projection: { userId: 1, rev: 1, rules: 1 } }).toArray()) as unknown as RevisionDoc[];
  const newest = new Map<string, RevisionDoc>();
  for (const d of docs) if ((newest.get(d.userId)?.rev ?? -1) < d.rev) newest.set(d.userId, d);
  return [...newest.values()].map((d) => ({ userId: d.userId, rev: d.rev, rules: unpack(d._id, d.rules) })).filter((w) => w.rules.length > 0);
}

const MAX_ATTEMPTS = 50;

/** A fresh rule key. */
export const newRuleKey = (): string => randomBytes(8).toString('hex');

/** Whether `rules` show a change that added `added` and removed `removed` (by key). */
function holds(rules: StoredRule[], added: string[], removed: string[]): boolean {
  const keys = new Set(rules.map((r) => r.key));
  return added.every((k) => keys.has(k)) && removed.every((k) => !keys.has(k));
}

/**
 * Change a member's watchlist: `change` gets the newest rules and returns the new ones (the same array
 * for no change) and a result, or throws (a UserFacingError leaves everything as it was).
 *
 * The new revision n + 1 is taken by unique insert; when another change took it first, the change is
 * applied again to the newer rules. Old revisions are deleted once a newer one stands, which frees their
 * numbers: a change that read revision n just before n + 1 appeared can insert n + 1 after n + 1 and n + 2
 * were written and n + 1 deleted, off the line of revisions. So after inserting, it reads the newest
 * revision and looks for its own effect there (the keys it added present, the keys it removed absent;
 * keys are never reused). If the effect is missing, its revision was off the line: it is withdrawn (it is
 * not the newest, so no reader uses it) and the change is applied again.
 */
export async function changeWatchlist<T>(userId: string, change: (rules: StoredRule[]) => { rules: StoredRule[]; result: T }, now = new Date()): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await readWatchlist(userId);
    const { rules, result } = change(head.rules);
    if (rules === head.rules) return result;
    const before = new Set(head.rules.map((r) => r.key));
    const after = new Set(rules.map((r) => r.key));
    const added = [...after].filter((k) => !before.has(k));
    const removed = [...before].filter((k) => !after.has(k));
    const rev = head.rev + 1;
    const _id = `${userId}#${rev}`;
    try {
      await Watchlist.collection.insertOne({ _id, userId, rev, rules: JSON.stringify(rules), count: rules.length, at: now } as never);
    } catch (err) {
      if (isDuplicateKey(err)) continue; // another change took revision n + 1: redo on top of it
      throw err;
    }
    const newest = await readWatchlist(userId);
    if (newest.rev !== rev && !holds(newest.rules, added, removed)) {
      await Watchlist.deleteOne({ _id });
      continue;
    }
    await Watchlist.deleteMany({ userId, rev: { $lt: rev } });
    return result;
  }
  throw new Error(`watchlist of ${userId} changed by others ${MAX_ATTEMPTS} times in a row`);
}

/**
 * Fold rules stored by the first release (one document per rule in `watch_rules`) into watchlists, once:
 * a member who has no watchlist yet gets revision 1 with those rules, numbered as they were; then the
 * old documents are deleted. Safe to run from several processes at once (revision 1 is a unique insert).
 */
export async function migrateLegacyWatchRules(): Promise<number> {
  const legacy = nativeDb().collection(LEGACY_WATCH_RULES);
  const docs = await legacy.find({}).toArray();
  if (docs.length === 0) return 0;
  const byUser = new Map<string, StoredRule[]>();
  for (const d of docs) {
    const createdAt = d.createdAt instanceof Date ? d.createdAt.toISOString() : String(d.createdAt);
    const rule = storedRuleSchema.safeParse({ key: newRuleKey(), id: d.slot, symbol: d.symbol, kind: d.kind, value: d.value ?? null, createdAt });
    if (!rule.success) {
      log().warn({ id: d._id, problem: rule.error.issues[0]?.message }, 'legacy watch rule is malformed: not folded');
      continue;
    }
    byUser.set(String(d.userId), [...(byUser.get(String(d.userId)) ?? []), rule.data]);
  }
  let moved = 0;
  for (const [userId, rules] of byUser) {
    const sorted = rules.sort((a, b) => a.id - b.id).slice(0, MAX_RULES_PER_MEMBER);
    try {
      await Watchlist.collection.insertOne({ _id: `${userId}#1`, userId, rev: 1, rules: JSON.stringify(sorted), count: sorted.length, at: new Date() } as never);
      moved += sorted.length;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // already folded (by another process, or this member has a watchlist)
    }
  }
  await legacy.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
  log().info({ rules: docs.length, members: byUser.size, moved }, 'watch rules folded into one watchlist per member');
  return moved;
}
