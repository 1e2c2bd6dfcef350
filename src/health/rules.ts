import { z } from 'zod';

/**
 * The health monitor's rules: pure functions of one snapshot of the system. Thresholds have defaults
 * and bounds (seed 000: task failures > 5 % an hour, API use > 80 % of the daily limit, cache misses
 * > 50 %; a database round-trip over 1 s; under 10 % free disk).
 */
export const thresholdsSchema = z.object({
  failureRatePct: z.number().min(0).max(100).default(5),
  outboxBacklogMinutes: z.number().int().min(1).max(1_440).default(10),
  apiUsagePct: z.number().min(1).max(100).default(80),
  dbRoundTripMs: z.number().int().min(10).max(60_000).default(1_000),
  freeDiskPct: z.number().min(0).max(100).default(10),
  cacheHitPct: z.number().min(0).max(100).default(50),
  /** A Congress disclosure source (House, Senate, Quiver, Congress.gov) down this long opens an alert. */
  congressOutageMinutes: z.number().int().min(10).max(10_080).default(60),
  /** An open alert is posted again after this many hours. */
  remindAfterHours: z.number().min(1).max(168).default(6),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;
export const DEFAULT_THRESHOLDS: Thresholds = thresholdsSchema.parse({});

/**
 * HEALTH_THRESHOLDS: a JSON object overriding some defaults, e.g. {"failureRatePct":10,"freeDiskPct":5}.
 * Unknown keys and out-of-bounds values are refused with what is allowed.
 */
export function parseThresholds(raw: string | undefined): Thresholds {
  if (!raw?.trim()) return DEFAULT_THRESHOLDS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object such as {"failureRatePct":10}');
  }
  const r = thresholdsSchema.strict().safeParse(json);
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') + `; keys: ${Object.keys(thresholdsSchema.shape).join(', ')}`);
  }
  return r.data;
}

export interface HealthSnapshot {
  runsLastHour: { finished: number; failed: number; failedJobs: string[] };
  missedLastDay: Array<{ job: string; runKey: string }>;
  abandonedRuns: Array<{ job: string; runKey: string }>;
  stuckLocks: number;
  outbox: { oldestPendingMinutes: number | null; dead: number };
  providers: Array<{ id: string; breaker: string; callsToday: number; dailyLimit: number | null }>;
  /** Share of the history the last market-data update keeps that came from storage (see cacheUse), when known. */
  lastCacheHitPct: number | null;
  dbRoundTripMs: number | null;
  freeDiskPct: number | null;
  /** Congress disclosure sources that answered badly at their last check, and for how long. */
  congressDown: Array<{ source: string; minutes: number; detail: string }>;
}

export interface RuleResult {
  rule: string;
  firing: boolean;
  /** What is wrong (firing) or what was checked (not firing): one line a person can act on. */
  detail: string;
}

export const RULES = ['job-failures', 'missed-or-abandoned-runs', 'stuck-locks', 'outbox-backlog', 'dead-posts', 'provider-breaker', 'api-usage', 'cache-hit-rate', 'database-latency', 'disk-space', 'congress-sources'] as const;

export function evaluateRules(s: HealthSnapshot, t: Thresholds = DEFAULT_THRESHOLDS): RuleResult[] {
  const rate = s.runsLastHour.finished ? (100 * s.runsLastHour.failed) / s.runsLastHour.finished : 0;
  const overLimit = s.providers.filter((p) => p.dailyLimit && (100 * p.callsToday) / p.dailyLimit > t.apiUsagePct);
  const open = s.providers.filter((p) => p.breaker === 'open');
  const late = [...s.missedLastDay.map((m) => `${m.job} ${m.runKey} missed`), ...s.abandonedRuns.map((a) => `${a.job} ${a.runKey} abandoned`)];
  return [
    {
      rule: 'job-failures', firing: rate > t.failureRatePct,
      detail: `${s.runsLastHour.failed} of ${s.runsLastHour.finished} runs failed in the last hour (${rate.toFixed(1)} %, limit ${t.failureRatePct} %)${s.runsLastHour.failedJobs.length ? `: ${[...new Set(s.runsLastHour.failedJobs)].join(', ')}` : ''}`,
    },
    { rule: 'missed-or-abandoned-runs', firing: late.length > 0, detail: late.length ? late.slice(0, 8).join('; ') : 'no missed or abandoned run in the last day' },
    { rule: 'stuck-locks', firing: s.stuckLocks > 0, detail: `${s.stuckLocks} Agenda lock(s) older than their lock lifetime` },
    {
      rule: 'outbox-backlog', firing: (s.outbox.oldestPendingMinutes ?? 0) > t.outboxBacklogMinutes,
      detail: s.outbox.oldestPendingMinutes === null ? 'no post waiting' : `the oldest waiting post is ${s.outbox.oldestPendingMinutes} min old (limit ${t.outboxBacklogMinutes})`,
    },
    { rule: 'dead-posts', firing: s.outbox.dead > 0, detail: `${s.outbox.dead} post(s) could not be delivered (dead); see the outbox` },
    { rule: 'provider-breaker', firing: open.length > 0, detail: open.length ? `circuit breaker open: ${open.map((p) => p.id).join(', ')}` : 'every breaker closed' },
    {
      rule: 'api-usage', firing: overLimit.length > 0,
      detail: overLimit.length ? overLimit.map((p) => `${p.id} ${p.callsToday}/${p.dailyLimit}`).join(', ') + ` (over ${t.apiUsagePct} % of the daily limit)` : `under ${t.apiUsagePct} % of every daily limit`,
    },
    {
      rule: 'cache-hit-rate', firing: s.lastCacheHitPct !== null && s.lastCacheHitPct < t.cacheHitPct,
      detail: s.lastCacheHitPct === null ? 'no update with stored history measured yet' : `${s.lastCacheHitPct.toFixed(1)} % of the history the last update keeps came from storage, not the provider (minimum ${t.cacheHitPct} %)`,
    },
    {
      rule: 'database-latency', firing: s.dbRoundTripMs === null || s.dbRoundTripMs > t.dbRoundTripMs,
      detail: s.dbRoundTripMs === null ? 'the database did not answer' : `round-trip ${Math.round(s.dbRoundTripMs)} ms (limit ${t.dbRoundTripMs})`,
    },
    {
      rule: 'disk-space', firing: s.freeDiskPct !== null && s.freeDiskPct < t.freeDiskPct,
      detail: s.freeDiskPct === null ? 'not measured' : `${s.freeDiskPct.toFixed(1)} % free under the data folder (minimum ${t.freeDiskPct} %)`,
    },
    (() => {
      const long = s.congressDown.filter((d) => d.minutes >= t.congressOutageMinutes);
      return {
        rule: 'congress-sources', firing: long.length > 0,
        detail: long.length ? long.map((d) => `${d.source} down for ${d.minutes} min: ${d.detail}`).join('; ') : s.congressDown.length ? `${s.congressDown.map((d) => d.source).join(', ')} down for under ${t.congressOutageMinutes} min` : 'every Congress disclosure source answered at its last check',
      };
    })(),
  ];
}

export type Transition = { rule: string; kind: 'opened' | 'reminder' | 'resolved'; detail: string; openedAt: Date };

export interface RuleState {
  rule: string;
  open: boolean;
  openedAt: Date | null;
  lastNotifiedAt: Date | null;
  detail: string;
}

/**
 * What to say, given the rules now and their stored states: a post only on a change (opened,
 * resolved) or when an alert has stayed open for `remindAfterHours` since it was last said.
 */
export function transitions(results: RuleResult[], states: Map<string, RuleState>, now: Date, t: Thresholds = DEFAULT_THRESHOLDS): { next: RuleState[]; say: Transition[] } {
  const next: RuleState[] = [];
  const say: Transition[] = [];
  for (const r of results) {
    const prev = states.get(r.rule);
    if (r.firing && !prev?.open) {
      next.push({ rule: r.rule, open: true, openedAt: now, lastNotifiedAt: now, detail: r.detail });
      say.push({ rule: r.rule, kind: 'opened', detail: r.detail, openedAt: now });
    } else if (r.firing && prev?.open) {
      const due = !prev.lastNotifiedAt || now.getTime() - prev.lastNotifiedAt.getTime() >= t.remindAfterHours * 3_600_000;
      next.push({ ...prev, detail: r.detail, lastNotifiedAt: due ? now : prev.lastNotifiedAt });
      if (due) say.push({ rule: r.rule, kind: 'reminder', detail: r.detail, openedAt: prev.openedAt ?? now });
    } else if (!r.firing && prev?.open) {
      next.push({ rule: r.rule, open: false, openedAt: null, lastNotifiedAt: now, detail: r.detail });
      say.push({ rule: r.rule, kind: 'resolved', detail: r.detail, openedAt: prev.openedAt ?? now });
    } else {
      next.push({ rule: r.rule, open: false, openedAt: null, lastNotifiedAt: prev?.lastNotifiedAt ?? null, detail: r.detail });
    }
  }
  return { next, say };
}
