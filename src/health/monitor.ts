import { statfsSync } from 'node:fs';
import { AlertState } from '../db/models/alert-state.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import type { JobDefinition } from '../scheduler/job-definition.js';
import { countRecent, jobSummaries } from '../scheduler/run-store.js';
import { getHealth } from './health-service.js';
import { DEFAULT_THRESHOLDS, evaluateRules, transitions, type HealthSnapshot, type RuleResult, type RuleState, type Thresholds, type Transition } from './rules.js';

/** Free space under a folder, in percent (null where the platform cannot say). */
export function freeDiskPct(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.blocks ? (100 * s.bavail) / s.blocks : null;
  } catch {
    return null;
  }
}

export interface MonitorInputs {
  jobs: Map<string, JobDefinition>;
  databaseKind: string;
  dataDir: string;
  providers?: { primary: string; secondary?: string | undefined };
  now?: Date;
  ping?: () => Promise<number>;
}

/** One snapshot of the system, from the same sources as /health plus the last hour and day of runs. */
export async function takeSnapshot(inp: MonitorInputs): Promise<HealthSnapshot> {
  const now = inp.now ?? new Date();
  // From the per-job summaries (one small collection, read once for /health's part too), never a scan of the run history.
  const summaries = await jobSummaries();
  const h = await getHealth({ jobs: inp.jobs, databaseKind: inp.databaseKind, schedulerRunning: true, startedAt: now, now, providers: inp.providers, ping: inp.ping, summaries });
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const recent = countRecent(summaries.values(), now, 3_600_000);
  const missed = [...summaries.values()].flatMap((s) => s.recent.filter((r) => r.status === 'missed' && r.startedAt >= dayAgo).map((r) => ({ job: s._id, runKey: r.runKey })));
  // The last market-data update's cache hit rate (seed 003: below 50 % means the cache is not doing its job).
  const hitPct = summaries.get('fetch-market-data')?.lastSucceeded?.summary?.cacheHitPct;
  return {
    runsLastHour: recent,
    missedLastDay: missed,
    abandonedRuns: h.abandonedRuns.map((a) => ({ job: a.job, runKey: a.runKey })),
    stuckLocks: h.scheduler.stuckLocks,
    outbox: { oldestPendingMinutes: h.outbox.oldestPendingAt ? Math.floor((now.getTime() - h.outbox.oldestPendingAt.getTime()) / 60_000) : null, dead: h.outbox.dead },
    providers: h.providers.map((p) => ({ id: p.id, breaker: p.breaker, callsToday: p.callsToday, dailyLimit: p.dailyLimit })),
    lastCacheHitPct: typeof hitPct === 'number' ? hitPct : null,
    dbRoundTripMs: h.database.pingMs,
    freeDiskPct: freeDiskPct(inp.dataDir),
    congressDown: h.congress.filter((c) => !c.ok).map((c) => ({ source: c.source, minutes: Math.floor((now.getTime() - Date.parse(c.downSince ?? c.at)) / 60_000), detail: c.detail })),
  };
}

export async function loadStates(): Promise<Map<string, RuleState>> {
  const docs = await AlertState.find({}).lean();
  return new Map(docs.map((d) => [d._id, { rule: d._id, open: d.open, openedAt: d.openedAt ?? null, lastNotifiedAt: d.lastNotifiedAt ?? null, detail: d.detail ?? '' }]));
}

function postFor(t: Transition, now: Date) {
  const title = t.kind === 'resolved' ? `Resolved: ${t.rule}` : t.kind === 'reminder' ? `Still open: ${t.rule}` : `Alert: ${t.rule}`;
  return {
    kind: 'ops' as const,
    title,
    description: t.detail,
    color: t.kind === 'resolved' ? COLORS.ok : COLORS.bad,
    fields: t.kind === 'opened' ? [] : [{ name: 'Open since', value: t.openedAt.toISOString() }],
    urgent: t.kind !== 'resolved',
    timestamp: now.toISOString(),
  };
}

/**
 * The health-check job's work: evaluate every rule, store each rule's state, and post only what
 * changed (opened, resolved) or has stayed open for hours. Post keys carry the alert's opening time,
 * so a re-run of the same slot posts nothing twice.
 */
export async function runMonitor(inp: MonitorInputs, t: Thresholds = DEFAULT_THRESHOLDS): Promise<{ results: RuleResult[]; said: Transition[] }> {
  const now = inp.now ?? new Date();
  const results = evaluateRules(await takeSnapshot({ ...inp, now }), t);
  const prev = await loadStates();
  const { next, say } = transitions(results, prev, now, t);
  for (const s of next) {
    // Only what changed is written: every five minutes, most rules stay as they were.
    const p = prev.get(s.rule);
    const same = p && p.open === s.open && p.detail === s.detail && p.openedAt?.getTime() === s.openedAt?.getTime() && p.lastNotifiedAt?.getTime() === s.lastNotifiedAt?.getTime();
    if (same) continue;
    await AlertState.updateOne({ _id: s.rule }, { $set: { open: s.open, openedAt: s.openedAt, lastNotifiedAt: s.lastNotifiedAt, detail: s.detail, updatedAt: now } }, { upsert: true });
  }
  for (const x of say) {
    const key = `health:${x.rule}:${x.openedAt.toISOString()}:${x.kind}${x.kind === 'reminder' ? `:${now.toISOString().slice(0, 13)}` : ''}`;
    await enqueuePost(key, postFor(x, now), now);
  }
  return { results, said: say };
}
