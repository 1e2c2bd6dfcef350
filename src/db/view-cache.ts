import { revisionTokens, type DataKind } from './data-revision.js';
import { singleFlight } from './single-flight.js';

/**
 * Views that are expensive to derive (a portfolio's equity from every trade and close: about a second
 * on the embedded database with 10,000 trades) are kept in memory per process and served again while
 * the data they came from is unchanged (src/db/data-revision.ts). A view reads the tokens first, then
 * derives: a write after the tokens were read changes them, so nothing stale is served past it. As a
 * net for a write that bypassed the tokens (a hand edit in the shell), an entry lives at most 5 minutes.
 */
const VIEW_TTL_MS = 5 * 60_000;
const MAX_VIEWS = 64;
const views = new Map<string, { tokens: string; at: number; value: unknown }>();

/**
 * The view `key`, derived by `derive` from data of `kinds`, or the same view again while those are
 * unchanged. Identical derivations in flight at once are one (single flight). The value is shared:
 * callers must not change it.
 */
export async function cachedView<T>(key: string, kinds: DataKind[], derive: () => Promise<T>, now: () => number = Date.now): Promise<T> {
  const tokens = await revisionTokens(kinds);
  const hit = views.get(key);
  if (hit && hit.tokens === tokens && now() - hit.at < VIEW_TTL_MS) return hit.value as T;
  const value = await singleFlight(`${key}@${tokens}`, derive);
  views.delete(key);
  views.set(key, { tokens, at: now(), value });
  if (views.size > MAX_VIEWS) views.delete(views.keys().next().value!);
  return value;
}

/** Forget every view this process keeps (tests that clear the database under it). */
export function clearViews(): void {
  views.clear();
}
