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
 * Count one request against the provider's day (New York calendar) before it is sent. With a daily
 * limit the count is a reservation by unique insert: the n-th request of the day inserts
 * "<provider>:<day>#<n>"; at the limit there is no number left and the request is refused here,
 * exactly, across processes. The api_usage document is the day's display counter (monotonic $max).
 */
export async function recordApiCall(provider: string, limit: number | null, now = new Date()): Promise<UsageTick> {
  const day = todayIn(ZONE, now);
  const _id = apiUsageId(provider, day);
  let calls: number;
  if (limit === null) {
    // The result typed by hand: mongoose 9.13's inference of a lean findOneAndUpdate goes too deep for tsc.
    type Counted = { calls?: number } | null;
    const bump = (update: Record<string, unknown>, upsert: boolean): Promise<Counted> =>
      ApiUsage.findOneAndUpdate({ _id }, update, { upsert, returnDocument: 'after' }).lean<Counted>().exec();
    const doc = await bump({ $inc: { calls: 1 }, $set: { limit, updatedAt: now }, $setOnInsert: { provider, day } }, true)
      .catch(async (err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
        // Two first requests of the day raced on the upsert: the document exists now.
        return bump({ $inc: { calls: 1 }, $set: { updatedAt: now } }, false);
      });
    calls = doc?.calls ?? 1;
  } else {
    calls = await reserveCall(provider, day, limit, now);
    await ApiUsage.updateOne({ _id }, { $max: { calls }, $set: { limit, updatedAt: now }, $setOnInsert: { provider, day } }, { upsert: true }).catch(async (err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
      await ApiUsage.updateOne({ _id }, { $max: { calls }, $set: { limit, updatedAt: now } });
    });
  }
  const threshold = limit === null ? null : Math.ceil(limit * USAGE_ALERT_SHARE);
  // Exactly one request holds number `threshold`: the alert fires once, whichever process sends it.
  return { provider, day, calls, limit, crossedAlertShare: threshold !== null && calls === threshold };
}

async function reserveCall(provider: string, day: string, limit: number, now: Date): Promise<number> {
  for (let n = (await ApiCall.countDocuments({ provider, day })) + 1; n <= limit; n++) {
    try {
      await ApiCall.create({ _id: `${provider}:${day}#${n}`, provider, day, n, at: now });
      return n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new ProviderError(provider, 'usage', `daily limit of ${limit} requests reached for ${day} (New York); resets at midnight`, false, 'daily-limit');
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
  return docs.map((d) => ({ provider: d.provider, day: d.day, calls: d.calls, limit: d.limit ?? null, share: d.limit ? d.calls / d.limit : null }));
}
