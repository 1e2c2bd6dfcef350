// What `npm run soak` checks at the end and draws: the ledgers against a replay of their trades, and the weekly series.
import { renderPanelChart } from '../src/charts/panel-chart.js';
import { JobRun } from '../src/db/models/job-run.js';
import { Lease } from '../src/db/models/lease.js';
import { Outbox } from '../src/db/models/outbox.js';
import { Position } from '../src/db/models/position.js';
import { CLAIM_SCOPE } from '../src/notify/outbox.js';
import { RUN_SCOPE } from '../src/scheduler/run-job.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { ledgerBefore } from '../src/trading/portfolio-store.js';

/**
 * Every portfolio's ledger replayed from its capital and fills (a sale of more than is held throws; cash must not
 * go below zero), and the stored positions (the quick-read projection) against the replay.
 */
export async function ledgerMismatches(): Promise<{ count: number; detail: string }> {
  const problems: string[] = [];
  for (const portfolio of await listPortfolios()) {
    try {
      const state = await ledgerBefore(portfolio, '9999-12-31');
      if (state.cash < -0.01) problems.push(`${portfolio}: cash ${state.cash.toFixed(2)}`);
      const stored = await Position.find({ portfolio }).lean();
      const held = new Map([...state.holdings].map(([s, h]) => [s, h.quantity]));
      for (const p of stored) if (Math.abs((held.get(p.symbol) ?? 0) - p.quantity) > 1e-6) problems.push(`${portfolio} ${p.symbol}: stored ${p.quantity}, replayed ${held.get(p.symbol) ?? 0}`);
      for (const [s, q] of held) if (!stored.some((p) => p.symbol === s)) problems.push(`${portfolio} ${s}: replayed ${q}, not stored`);
    } catch (err) {
      problems.push(`${portfolio}: ${(err as Error).message}`);
    }
  }
  return { count: problems.length, detail: problems.slice(0, 3).join('; ') };
}

/**
 * Leases whose holder is a process that no longer lives. `left`: those it never released (it was killed holding
 * them); `stuck`: those still the newest generation of their key, expired more than `slackMs` ago, while the work
 * they guard is not done (a run still `running`, a post still pending) — work nobody took over. The soak's
 * invariant is `stuck` = 0; `left` > 0 is the proof that the fault happened.
 */
export async function leasesOfTheDead(deadHolders: Set<string>, now: number, slackMs: number): Promise<{ left: number; stuck: string[] }> {
  if (deadHolders.size === 0) return { left: 0, stuck: [] };
  const held = await Lease.find({ holder: { $in: [...deadHolders] }, released: false }, { scope: 1, key: 1, gen: 1, until: 1 }).lean();
  const stuck: string[] = [];
  for (const l of held) {
    if (l.until.getTime() > now - slackMs) continue;
    if (await Lease.exists({ _id: `${l.scope}:${l.key}#${l.gen + 1}` })) continue; // taken over
    if (l.scope === RUN_SCOPE) {
      const run = await JobRun.findById(l.key, { status: 1 }).lean();
      if (run?.status === 'running') stuck.push(`run ${l.key}`);
    } else if (l.scope === CLAIM_SCOPE) {
      const row = await Outbox.findById(l.key, { status: 1 }).lean();
      if (row && (row.status === 'pending' || row.status === 'sending')) stuck.push(`post ${l.key} (${row.status})`);
    }
  }
  return { left: held.length, stuck };
}

export interface WeekFigures {
  label: string;
  rss: Record<string, number>;
  p50: number;
  p99: number;
  healthMs: number;
  docs: number;
}

const COLORS = ['#29b6f6', '#ffb74d', '#81c784', '#e57373'];

/** The weekly series as one PNG: memory per process, command replies, the health check, the database's documents. */
export function soakChart(weeks: WeekFigures[], subtitle: string): Buffer {
  const roles = [...new Set(weeks.flatMap((w) => Object.keys(w.rss)))];
  return renderPanelChart({
    title: 'Soak: nothing drifts',
    subtitle: `${subtitle} · per simulated day`,
    dates: weeks.map((w) => w.label),
    panels: [
      { name: 'RSS (MB)', weight: 1, format: (v) => v.toFixed(0), lines: roles.map((r, i) => ({ label: r, values: weeks.map((w) => w.rss[r] ?? null), color: COLORS[i % COLORS.length]!, width: 2 })) },
      { name: 'reply (ms)', weight: 1, format: (v) => v.toFixed(0), lines: [{ label: 'p99', values: weeks.map((w) => w.p99), color: '#e57373', width: 2 }, { label: 'p50', values: weeks.map((w) => w.p50), color: '#29b6f6', width: 2 }] },
      { name: 'health check (ms)', weight: 0.7, format: (v) => v.toFixed(0), lines: [{ label: 'median', values: weeks.map((w) => w.healthMs), color: '#81c784', width: 2 }] },
      { name: 'documents', weight: 0.7, format: (v) => `${Math.round(v / 1000)}k`, lines: [{ label: 'all collections', values: weeks.map((w) => w.docs), color: '#ffb74d', width: 2 }] },
    ],
  }).png;
}

/**
 * What the drift figures compare (pure): the samples of the first and of the last whole calendar week of the run
 * (Monday to Sunday, as the issue asks: "the last week against the first"), so both windows hold five trading days
 * and a weekend; on a run without two whole weeks, its first day against its last. A week is whole when it starts
 * by its Tuesday (a Monday holiday) and, unless a later week follows, reaches its Sunday.
 */
export function comparedWindows<T extends { label: string }>(samples: T[]): { first: T[]; last: T[]; what: string } {
  const weekday = (label: string) => new Date(`${label}T12:00:00Z`).getUTCDay();
  const mondayOf = (label: string) => new Date(new Date(`${label}T12:00:00Z`).getTime() - ((weekday(label) + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
  const groups: Array<[string, T[]]> = [];
  for (const s of samples) {
    const monday = mondayOf(s.label);
    if (groups.at(-1)?.[0] === monday) groups.at(-1)![1].push(s);
    else groups.push([monday, [s]]);
  }
  const whole = groups.filter(([, g], i) => [1, 2].includes(weekday(g[0]!.label)) && (i < groups.length - 1 || weekday(g.at(-1)!.label) === 0));
  if (whole.length >= 2) return { first: whole[0]![1], last: whole.at(-1)![1], what: `the week of ${whole.at(-1)![0]} against the week of ${whole[0]![0]}` };
  return { first: samples.slice(0, 1), last: samples.slice(-1), what: 'the last day against the first (fewer than two whole weeks)' };
}
