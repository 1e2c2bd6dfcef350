import { todayIn } from '../../calendar/dates.js';
import { isDuplicateKey } from '../../db/connection.js';
import { ApiUsage } from '../../db/models/api-usage.js';
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
 * limit the count is a reservation: when the limit is reached the request is refused here, atomically
 * across processes (the filter `calls < limit` fails, the upsert hits the unique index).
 */
export async function recordApiCall(provider: string, limit: number | null, now = new Date()): Promise<UsageTick> {
  const day = todayIn(ZONE, now);
  const filter = limit === null ? { provider, day } : { provider, day, calls: { $lt: limit } };
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await ApiUsage.findOneAndUpdate(
        filter,
        { $inc: { calls: 1 }, $set: { limit, updatedAt: now } },
        { upsert: true, returnDocument: 'after', lean: true },
      );
      const calls = doc!.calls;
      const threshold = limit === null ? null : Math.ceil(limit * USAGE_ALERT_SHARE);
      return { provider, day, calls, limit, crossedAlertShare: threshold !== null && calls === threshold };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Either two first requests of the day raced (try again) or the limit is reached.
      const current = await ApiUsage.findOne({ provider, day }).lean();
      if (limit !== null && current && current.calls >= limit) {
        throw new ProviderError(provider, 'usage', `daily limit of ${limit} requests reached for ${day} (New York); resets at midnight`, false, 'daily-limit');
      }
      if (attempt >= 2) throw err;
    }
  }
}

export interface UsageView {
  provider: string;
  day: string;
  calls: number;
  limit: number | null;
  share: number | null;
}

/** Today's counters (New York day), for /health and the usage alert. */
export async function apiUsageOn(day = todayIn(ZONE)): Promise<UsageView[]> {
  const docs = await ApiUsage.find({ day }).sort({ provider: 1 }).lean();
  return docs.map((d) => ({ provider: d.provider, day: d.day, calls: d.calls, limit: d.limit ?? null, share: d.limit ? d.calls / d.limit : null }));
}
