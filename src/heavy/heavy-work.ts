import type { Env } from '../config/env.js';
import type { Chart, ChartStyle, Indicator, Range } from '../charts/chart-service.js';
import type { Theme } from '../charts/panel-chart.js';
import { UserFacingError } from '../errors.js';
import type { JobOutcome } from '../scheduler/job-definition.js';
import type { HandlerRun } from '../scheduler/run-job.js';
import type { BacktestOptions, BacktestSummary } from '../strategy/backtest-service.js';
import type { Simulation, SimulationRequest } from '../strategy/simulate-service.js';
import { ThreadPool, ThreadTaskError } from './thread-pool.js';

/** A backtest request as it crosses to a thread: everything but the provider (built there from env) and callbacks. */
export type BacktestRequest = Omit<BacktestOptions, 'provider' | 'onProgress'>;
export interface ChartRequest { symbol: string; range: Range; indicators: Indicator[]; date?: string | undefined; style?: ChartStyle; trades?: string | undefined }
export interface EquityChartRequest { portfolio: string; range: Range | 'all'; benchmark?: string | undefined; theme?: Theme }

/** What runs in a heavy-work thread. */
export type HeavyTask =
  | { kind: 'job'; run: Omit<HandlerRun, 'signal'> }
  | { kind: 'backtest'; request: BacktestRequest }
  | { kind: 'chart'; request: ChartRequest }
  | { kind: 'equity'; request: EquityChartRequest }
  | { kind: 'simulate'; request: SimulationRequest };

export interface BacktestResult { summary: BacktestSummary; chart: Chart }
export interface SimulationResult { simulation: Simulation; chart: { png: Buffer; filename: string } }

/**
 * CPU-heavy work a command or a job asks for: job handlers (scans, tuning, reports), backtests and
 * chart rendering. Inline in processes without a bot; on a pool of worker threads where a Discord
 * gateway shares the process, so commands are acknowledged within milliseconds while a scan runs.
 */
export interface HeavyWork {
  readonly mode: 'inline' | 'threads';
  backtest(request: BacktestRequest, onProgress?: (stage: string) => void): Promise<BacktestResult>;
  priceChart(request: ChartRequest): Promise<Chart>;
  equityChart(request: EquityChartRequest): Promise<Chart>;
  /** /config simulate: both backtests and the chart of both curves. */
  simulate(request: SimulationRequest, onProgress?: (stage: string) => void): Promise<SimulationResult>;
  load(): { threads: number; running: number; queued: number };
  /** The last tasks that ended and the thread that ran each (0: this process's main thread, inline). */
  recent(): Array<{ kind: string; threadId: number; ok: boolean }>;
  /** The pool's thread ids (none inline). */
  threadIds(): number[];
  close(): Promise<void>;
}

/** The work itself (charts, backtests, providers), loaded on the first task: a process that never draws never loads it. */
const tasks = () => import('./heavy-tasks.js');

export function inlineHeavyWork(env: Env): HeavyWork {
  return {
    mode: 'inline',
    backtest: async (request, onProgress) => (await tasks()).runBacktestWithChart(env, request, onProgress),
    priceChart: async (r) => (await tasks()).drawPriceChart(env, r),
    equityChart: async (r) => (await tasks()).drawEquityChart(r),
    simulate: async (request, onProgress) => (await tasks()).runSimulationWithChart(env, request, onProgress),
    load: () => ({ threads: 0, running: 0, queued: 0 }),
    recent: () => [],
    threadIds: () => [],
    close: async () => undefined,
  };
}

/** Data a heavy-work thread starts from. */
export interface ThreadData {
  env: Env;
  uri: string;
  dbName: string;
  poolSize: number | undefined;
}

// A Buffer crosses a thread boundary as a plain Uint8Array.
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const chartBack = <C extends { png: Buffer }>(c: C): C => ({ ...c, png: asBuffer(c.png) });

function rethrow(err: unknown): never {
  if (err instanceof ThreadTaskError && err.userFacing) throw new UserFacingError(err.code ?? 'REFUSED', err.message);
  throw err;
}

/**
 * Start `size` threads (each connects to the database itself) and route job handlers through them
 * from now on. Leases, run records and retries stay on this side; only the handler's work moves.
 */
export async function startHeavyThreads(data: ThreadData, size: number): Promise<HeavyWork> {
  const file = new URL(import.meta.url.endsWith('.ts') ? './heavy-thread.ts' : './heavy-thread.js', import.meta.url);
  const pool = new ThreadPool(file, size, data);
  await pool.start();
  const { setHandlerRunner } = await import('../scheduler/run-job.js');
  setHandlerRunner(async (run) => {
    const { signal, ...rest } = run;
    return pool.run<JobOutcome>({ kind: 'job', run: rest } satisfies HeavyTask, { signal }).catch(rethrow);
  });
  return {
    mode: 'threads',
    backtest: async (request, onProgress) => {
      const r = await pool.run<BacktestResult>({ kind: 'backtest', request } satisfies HeavyTask, { onProgress }).catch(rethrow);
      return { summary: r.summary, chart: chartBack(r.chart) };
    },
    priceChart: async (request) => chartBack(await pool.run<Chart>({ kind: 'chart', request } satisfies HeavyTask).catch(rethrow)),
    equityChart: async (request) => chartBack(await pool.run<Chart>({ kind: 'equity', request } satisfies HeavyTask).catch(rethrow)),
    simulate: async (request, onProgress) => {
      const r = await pool.run<SimulationResult>({ kind: 'simulate', request } satisfies HeavyTask, { onProgress }).catch(rethrow);
      return { simulation: r.simulation, chart: chartBack(r.chart) };
    },
    load: () => pool.load,
    recent: () => [...pool.finished],
    threadIds: () => pool.threadIds,
    async close() {
      setHandlerRunner(undefined);
      await pool.close();
    },
  };
}
