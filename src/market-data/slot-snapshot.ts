import type { JobContext } from '../scheduler/job-definition.js';
import { providerFor } from './providers.js';
import { slotOf, snapshotFor, type StoredSnapshot } from './snapshot-store.js';
import { loadUniverse } from './universe.js';

/**
 * The snapshot a 15-minute market-hours job works on: its slot comes from its run key (the slot it was due
 * for, "2020-03-16T17:00" in UTC), the snapshot is the slot's stored one or taken now for the universe. No
 * snapshot (before `firstSlot`, outside the session, a provider without snapshots) → the reason, and a
 * provider without snapshots is told to ops once a day.
 */
export async function snapshotForJob(ctx: Pick<JobContext, 'runKey' | 'now' | 'env' | 'publish'>, firstSlot: string): Promise<{ snapshot: StoredSnapshot; requests: number } | { skipped: string }> {
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(ctx.runKey) ? new Date(`${ctx.runKey}:00Z`) : new Date(ctx.now);
  const { date, slot } = slotOf(at);
  if (slot < firstSlot) return { skipped: `${slot} is before ${firstSlot}` };
  const r = await snapshotFor({ date, slot, symbols: loadUniverse().map((u) => u.symbol), provider: providerFor(ctx.env), now: new Date(ctx.now) });
  if (r.ok) return { snapshot: r.snapshot, requests: r.taken ? 1 : 0 }; // the usage report counts requests per job
  if (r.code === 'unsupported') {
    await ctx.publish(`snapshots-unavailable:${date}`, {
      kind: 'ops',
      title: `No intraday snapshots on ${date}`,
      description: `${r.reason}: the daytime scans run on the previous close, and position alerts and watch rules wait for the close. Polygon and Alpaca serve snapshots (MARKET_DATA_PROVIDER or MARKET_DATA_SECONDARY).`,
    });
  }
  return { skipped: r.reason };
}
