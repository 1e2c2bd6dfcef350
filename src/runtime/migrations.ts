import type { Collection, Document } from 'mongodb';
import { Types } from 'mongoose';
import { isDuplicateKey, nativeDb } from '../db/connection.js';
import { HOLDER_ID } from '../db/lease.js';
import { JobRun, jobRunId } from '../db/models/job-run.js';
import { Migration } from '../db/models/job-status.js';
import { Outbox, OutboxDead, OutboxQueue } from '../db/models/outbox.js';
import { log } from '../log/logger.js';
import { ScanResult, scanResultId } from '../db/models/scan-result.js';
import { noteRuns, openRun, type RunRecord } from '../scheduler/run-store.js';

/**
 * One-time moves of data written by earlier versions, each done once per database: a start-up checks
 * its marker in `migrations` by `_id` (one lookup) and does nothing more when it is there. Every step
 * is an insert by a unique key or a delete of what was copied, so two processes starting at once (or
 * one killed half-way and started again) end with each record moved exactly once.
 */
export async function migrateStorage(): Promise<string[]> {
  const done: string[] = [];
  // One read for every marker (a handful of documents): a start with nothing to do costs one round trip.
  const marked = new Set((await Migration.find({ _id: { $in: STEPS.map(([n]) => n) } }, { _id: 1 }).lean()).map((m) => String(m._id)));
  for (const [name, step] of STEPS) {
    if (marked.has(name)) continue;
    const moved = await step();
    try {
      await Migration.create({ _id: name, at: new Date(), by: HOLDER_ID });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    log().info({ migration: name, moved }, 'storage migrated');
    done.push(name);
  }
  return done;
}

const STEPS: Array<[string, () => Promise<number>]> = [
  ['2026-12-job-runs-by-key', runsByKey],
  ['2026-12-outbox-queue', outboxQueue],
  ['2026-12-scan-results-by-key', scansByKey],
  // Were done by every start (a read of the old collection each time); once per database is enough.
  ['2026-12-watch-rules-by-member', async () => (await import('../analysis/watchlist-store.js')).migrateLegacyWatchRules()],
  // The main portfolio's version 1 (the spec's defaults, audited) was written by its first reader, so a
  // read could pay for a write; a start writes it instead (getActiveConfig still seeds a database this missed).
  ['2026-12-main-config-seed', seedMainConfig],
  // A broker fills an order in parts: trades are unique per (signal, symbol, fill), not per (signal, symbol).
  ['2026-12-trades-per-fill', async () => {
    await nativeDb().collection('trades').dropIndex('signalId_1_symbol_1').catch(() => undefined);
    return 0;
  }],
  // Bar series by `_id` "<symbol>|<year>": a read of a few series (the benchmark under /portfolio) is a few lookups, not a scan.
  ['2026-12-bar-series-by-key', async () => (await import('../market-data/bar-store.js')).keyBarSeries()],
];

async function seedMainConfig(): Promise<number> {
  const { getActiveConfig } = await import('../strategy/config-versions.js');
  const v = await getActiveConfig('main');
  return v.version === 1 ? 1 : 0;
}

/** scan_results: "<scan>|<date>" ids (copy, then delete the original), and each scan's latest-date pointer. */
async function scansByKey(): Promise<number> {
  const coll = nativeDb().collection(ScanResult.collection.collectionName);
  await coll.dropIndex('scan_1_date_1').catch(() => undefined);
  let moved = 0;
  const latest = new Map<string, string>();
  for (const doc of await coll.find({}).toArray()) {
    const scan = String(doc.scan);
    const date = String(doc.date);
    if ((latest.get(scan) ?? '') < date) latest.set(scan, date);
    if (typeof doc._id === 'string') continue;
    try {
      await coll.insertOne({ ...doc, _id: scanResultId(scan, date) } as Document as { _id: never });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await coll.deleteOne({ _id: doc._id });
    moved++;
  }
  const { noteLatestScan } = await import('../analysis/scan-service.js');
  for (const [scan, date] of latest) await noteLatestScan(scan, date);
  return moved;
}

type LegacyRun = Omit<RunRecord, 'summary'> & { _id: unknown; summary?: Record<string, unknown> | null };

/**
 * job_runs: records with an ObjectId get `_id` "<job>|<runKey>" (copy inserted, then the original
 * deleted; the old unique (job, runKey) index goes first, since the copy repeats the pair until the
 * original is gone). Then the per-job summaries and histories are built from the whole collection
 * (this one read of the history is the migration's), and the open set from running and failed runs.
 */
async function runsByKey(): Promise<number> {
  const coll = nativeDb().collection(JobRun.collection.collectionName);
  await coll.dropIndex('job_1_runKey_1').catch(() => undefined);
  let moved = 0;
  for (const doc of await coll.find({}).toArray()) {
    if (typeof doc._id === 'string') continue;
    const id = jobRunId(String(doc.job), String(doc.runKey));
    try {
      await coll.insertOne({ ...doc, _id: id } as Document as { _id: never });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await coll.deleteOne({ _id: doc._id });
    moved++;
  }
  const all = ((await coll.find({}).toArray()) as unknown as LegacyRun[]).map((r): RunRecord => ({
    ...r, summary: r.summary ?? null, dueAt: r.dueAt ?? null, finishedAt: r.finishedAt ?? null, durationMs: r.durationMs ?? null, error: r.error ?? null, tradingDate: r.tradingDate ?? null,
  }));
  const now = new Date();
  await noteRuns(all, now);
  const weekAgo = now.getTime() - 7 * 86_400_000;
  for (const r of all) {
    if ((r.status === 'running' || r.status === 'failed') && r.startedAt.getTime() >= weekAgo) await openRun(r.job, r.runKey, r.startedAt);
  }
  return moved;
}

/** outbox: every post still pending (or in the legacy `sending` state) gets its queue entry; dead ones their note. */
async function outboxQueue(): Promise<number> {
  const rows = await Outbox.find({ status: { $in: ['pending', 'sending', 'dead'] } }).lean();
  const queue = OutboxQueue.collection as unknown as Collection<{ _id: string }>;
  let n = 0;
  for (const r of rows) {
    try {
      if (r.status === 'dead') {
        await OutboxDead.create({ _id: r.idempotencyKey, row: r._id as Types.ObjectId, deadAt: r.nextAttemptAt, destination: r.destination ?? null });
      } else {
        await queue.insertOne({ _id: r.idempotencyKey, row: r._id, channelKey: r.channelKey, nextAttemptAt: r.nextAttemptAt, createdAt: r.createdAt, claimedUntil: null, destination: r.destination ?? null } as { _id: string });
      }
      n++;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return n;
}
