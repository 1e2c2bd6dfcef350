import { HOLDER_ID } from '../../db/lease.js';
import { isDuplicateKey } from '../../db/connection.js';
import { RateSlot } from '../../db/models/rate-slot.js';

/**
 * A provider's per-minute limit across every process (workers, the bot, CLI runs): a request takes one of the
 * limit's `perMinute` places in the current clock minute by unique insert (`<provider>|<minute>#<n>`), or the
 * first free one in a later minute and waits for it. So a news sync and a bar fetch on Polygon's free 5/min,
 * in two workers, send at most 5 requests in any clock minute together. Each process's own token bucket still
 * spaces its requests within the minute.
 */
const hints = new Map<string, number>();

/** `windowMs` is a minute in use; tests shrink it to check the property at speed. */
export async function takeRateSlot(provider: string, perMinute: number, now: () => number = Date.now, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)), windowMs = 60_000): Promise<{ minute: number; n: number; waitedMs: number }> {
  const limit = Math.max(1, Math.floor(perMinute));
  for (let minute = Math.floor(now() / windowMs); ; minute++) {
    const hintKey = `${provider}|${minute}`;
    for (let n = hints.get(hintKey) ?? 0; n < limit; n++) {
      try {
        await RateSlot.create({ _id: `${hintKey}#${n}`, provider, at: new Date(minute * windowMs), by: HOLDER_ID });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        hints.set(hintKey, n + 1);
        continue;
      }
      hints.set(hintKey, n + 1);
      if (hints.size > 64) for (const k of [...hints.keys()].slice(0, 32)) hints.delete(k);
      const waitedMs = Math.max(0, minute * windowMs - now());
      if (waitedMs > 0) await sleep(waitedMs);
      return { minute, n, waitedMs };
    }
  }
}

/** The gate ProviderHttp calls before each request (see ProviderHttpOptions.sharedGate). */
export const sharedRateGate = async (provider: string, perMinute: number): Promise<void> => {
  await takeRateSlot(provider, perMinute);
};

/** Slots older than `before` (maintenance). */
export async function pruneRateSlots(before: Date): Promise<number> {
  return (await RateSlot.deleteMany({ at: { $lt: before } })).deletedCount;
}
