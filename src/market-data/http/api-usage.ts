import { todayIn } from '../../calendar/dates.js';
import { isDuplicateKey } from '../../db/connection.js';
import { ApiCall, ApiUsage, apiUsageId } from '../../db/models/api-usage.js';
import { PROVIDERS } from '../../config/env.js';
import { ProviderError } from '../provider.js';

export const USAGE_ALERT_SHARE = 0.8;
const ZONE = 'America/New_York';

export interface UsageTick {
  provider: string;
  day: string;
  calls: number;
  limit: number | null;
  /** True for exactly one request a day: the one that reaches 80 % of the daily limit. */
  crossedAlertShare: boolean;
}

/**
 * Count one request against the provider's day (New York calendar) before it is sent. The count is a
 * reservation by unique insert: the n-th request of the day inserts "<provider>:<day>#<n>"; under a
 * daily limit there is no number left at the limit and the request is refused here, exactly, across
 * processes. The api_usage document is only the day's display hint (a `$max` two processes may race
 * on: the embedded FerretDB can lose one of two simultaneous updates to one document), so readers
 * take the count from the reservations (`apiUsageOn`), starting at the hint.
 */
export async function recordApiCall(provider: string, limit: number | null, now = new Date()): Promise<UsageTick> {
  const day = todayIn(ZONE, now);
  const _id = apiUsageId(provider, day);
  const hint = (await ApiUsage.findById(_id, { calls: 1 }).lean())?.calls ?? 0;
  const calls = await reserveCall(provider, day, limit, hint, now);
  await ApiUsage.updateOne({ _id }, { $max: { calls }, $set: { limit, updatedAt: now }, $setOnInsert: { provider, day } }, { upsert: true }).catch(async (err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
    // Two first requests of the day raced on the upsert: the document exists now.
    await ApiUsage.updateOne({ _id }, { $max: { calls }, $set: { limit, updatedAt: now } });
  });
  const threshold = limit === null ? null : Math.ceil(limit * USAGE_ALERT_SHARE);
  // Exactly one request holds number `threshold`: the alert fires once, whichever process sends it.
  return { provider, day, calls, limit, crossedAlertShare: threshold !== null && calls === threshold };
}

const callId = (provider: string, day: string, n: number): string => `${provider}:${day}#${n}`;

/** The next free number after `hint` (never above the numbers taken: the hint only lags). */
async function reserveCall(provider: string, day: string, limit: number | null, hint: number, now: Date): Promise<number> {
  for (let n = hint + 1; limit === null || n <= limit; n++) {
    try {
      await ApiCall.create({ _id: callId(provider, day, n), provider, day, n, at: now });
      return n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new ProviderError(provider, 'usage', `daily limit of ${limit} requests reached for ${day} (New York); resets at midnight`, false, 'daily-limit');
}

/** Numbers are taken in order, so the day's count is the last taken: walk up from the hint by `_id`. */
async function takenFrom(provider: string, day: string, hint: number): Promise<number> {
  let n = hint;
  while (await ApiCall.exists({ _id: callId(provider, day, n + 1) })) n++;
  return n;
}

export interface UsageView {
  provider: string;
  day: string;
  calls: number;
  limit: number | null;
  share: number | null;
}

/** Today's counters (New York day) of the given providers, for /health and the usage alert: `_id` lookups. */
export async function apiUsageOn(day = todayIn(ZONE), providers: readonly string[] = PROVIDERS): Promise<UsageView[]> {
  const found = await Promise.all([...new Set(providers)].sort().map((p) => ApiUsage.findById(apiUsageId(p, day)).lean()));
  const docs = found.filter((d) => d !== null);
  return Promise.all(docs.map(async (d) => {
    const calls = await takenFrom(d.provider, d.day, d.calls);
    return { provider: d.provider, day: d.day, calls, limit: d.limit ?? null, share: d.limit ? calls / d.limit : null };
  }));
}
