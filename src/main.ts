import './runtime/node-check.js';
import { parseArgs } from 'node:util';
import { EnvError, loadEnv, type Env } from './config/env.js';
import { startBot, type Bot } from './discord/bot.js';
import { describeError, isUserFacingError } from './errors.js';
import { log } from './log/logger.js';
import { nativeDb } from './db/connection.js';
import { Outbox } from './db/models/outbox.js';
import { deliverPending } from './notify/delivery.js';
import { buildPost, type PostInput } from './notify/post.js';
import { toText } from './notify/render.js';
import { DEMO_LAST_REAL_DATE } from './market-data/demo-provider.js';
import { requireJob } from './scheduler/jobs-service.js';
import { runJob } from './scheduler/run-job.js';
import { runStalledSlots, startScheduler } from './scheduler/worker.js';
import { recoverRuns } from './scheduler/recovery.js';
import { catchUp, localCatchUp } from './scheduler/catch-up.js';
import { startAdminServer } from './health/admin-server.js';
import { dashboardHandler } from './health/dashboard.js';
import { sweepUnfinishedBacktests } from './strategy/backtest-service.js';
import { monitorDatabase, throttleErrors } from './db/db-monitor.js';
import { configureLogging, openRuntime, startHeavyWork, type Runtime } from './runtime/runtime.js';

/**
 * signaldesk's processes:
 *   worker (default) — Agenda scheduler + outbox delivery, and the Discord bot when DISCORD_TOKEN is set;
 *   bot              — only the Discord bot (scale it apart from the workers);
 *   demo             — run the main job once on the embedded default and print its post.
 */
const USAGE = 'usage: tsx src/main.ts [worker|bot|demo] [--date YYYY-MM-DD] [--no-bot]';
const DEMO_DATE = '2020-03-16';

async function runDemo(rt: Runtime, date: string): Promise<number> {
  process.stdout.write(
    `signaldesk demo: database=${rt.database.kind}${rt.database.owned ? ' (started here)' : ' (already running)'}, ` +
      `provider=${rt.env.MARKET_DATA_PROVIDER}, posts go to ${rt.env.DISCORD_TOKEN ? 'Discord' : 'this console'}.\n\n`,
  );
  const result = await runJob(requireJob(rt.jobs, 'fetch-market-data'), rt.env, { date, trigger: 'cli' });
  await deliverPending(rt.env);
  if (result.status === 'duplicate') {
    const earlier = await Outbox.findOne({ idempotencyKey: `fetch-market-data:${date}` }).lean();
    process.stdout.write(`fetch-market-data for ${date} had already run: nothing changed and nothing was posted twice. The post it made then:\n\n`);
    if (earlier) process.stdout.write(`${toText(buildPost(earlier.post as PostInput))}\n`);
  }
  process.stdout.write(
    `\nNext: npm run cli -- chart SPX --indicators sma20,sma50,rsi,macd   (candlesticks, volume, RSI, MACD → spx-6m.png)\n` +
      `      npm run cli -- run afternoon-scan --date ${date}   (the 13:00 scan on the day so far)\n` +
      '      npm run cli -- backtest --from 2015-01-02 --to 2019-12-31 --symbols SPX   (against the market)\n' +
      `      npm run cli -- run fetch-market-data --date <YYYY-MM-DD>   (demo SPX is real until ${DEMO_LAST_REAL_DATE})\n` +
      `      npm run cli -- run economic-calendar-sync --date ${date}   (the 08:30 calendar: the emergency rate cut of the 15th)\n` +
      `      npm run cli -- run evening-news-sync --date ${date} && npm run cli -- news AAPL --date ${date}   (the day's news, synthetic on the demo)\n` +
      `      npm run cli -- run congress-sync --date ${date} && npm run cli -- congress recent --days 30 --date ${date}   (Congress trade disclosures; made-up members on the demo)\n` +
      '      npm run cli -- jobs | health   (add --json for machine-readable output)\n',
  );
  return result.status === 'failed' ? 3 : 0;
}

/** What a worker process still waits for before it is ready (for /readyz). */
interface WorkerState {
  rt?: Runtime;
  schedulerStarted: boolean;
}

function waitingFor(state: WorkerState): string[] {
  const out: string[] = [];
  if (!state.rt) return ['database: connecting (the embedded server may be starting)'];
  const c = localCatchUp();
  if (!c) out.push('catch-up: not started');
  else if (c.state === 'planning') out.push('catch-up: looking for missed slots');
  else if (c.state === 'running') out.push(`catch-up: ${c.done} of ${c.total} runs${c.current ? ` (now ${c.current})` : ''}`);
  if (!state.schedulerStarted) out.push('scheduler: not started');
  return out;
}

/** The admin port, before anything else: /healthz answers while the database starts and the catch-up runs. */
async function startAdmin(env: Env, state: WorkerState): Promise<Awaited<ReturnType<typeof startAdminServer>> | undefined> {
  if (!env.METRICS_PORT) return undefined;
  let dashboard: ReturnType<typeof dashboardHandler> | undefined;
  const admin = await startAdminServer({
    port: env.METRICS_PORT, host: env.METRICS_HOST, waitingFor: () => waitingFor(state),
    dashboard: () => {
      if (!dashboard && env.ADMIN_TOKEN && state.rt?.scheduler) dashboard = dashboardHandler(state.rt.scheduler.agenda, { token: env.ADMIN_TOKEN, write: env.DASHBOARD_WRITE === 'on' });
      return dashboard;
    },
  });
  log().info({ host: env.METRICS_HOST, port: admin.port }, 'admin port: /metrics, /healthz, /readyz');
  return admin;
}

async function runWorker(rt: Runtime, withBot: boolean, state: WorkerState, admin: Awaited<ReturnType<typeof startAdmin>>): Promise<void> {
  const logger = log();
  // Serve first: the scheduler, the bot and delivery start now; the catch-up of slots that passed while
  // no worker ran goes on in the background (the run claims keep it and the scheduler from running a
  // slot twice), with its progress on /readyz, /jobs and /health.
  rt.scheduler = await startScheduler(nativeDb(), rt.jobs, rt.env, { schedule: rt.env.WORKER_SCHEDULE === 'on', processEveryMs: rt.env.WORKER_POLL_MS });
  state.schedulerStarted = true;
  let bot: Bot | undefined;
  if (withBot && rt.env.DISCORD_TOKEN) {
    // The gateway shares this process: job handlers, backtests and charts run on worker threads.
    await startHeavyWork(rt);
    bot = await startBot(rt);
  }
  const caughtUp = catchUp(rt.jobs, rt.env).catch((err: unknown) => logger.error({ err: describeError(err) }, 'catch-up failed; the recovery sweep and the next slots go on'));
  // Deliver posts within seconds of being queued; the deliver-outbox job is the backstop. Every
  // 5 s, re-run runs whose lease ran out (a dead worker) and failed runs with attempts left.
  const deliveryFailed = throttleErrors(logger, 'delivery round failed');
  const recoveryFailed = throttleErrors(logger, 'recovery sweep failed');
  const every = (ms: number, fn: () => Promise<unknown>, onError: (err: unknown) => void): (() => void) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || !monitor.up) return;
      busy = true;
      fn().catch(onError).finally(() => {
        busy = false;
      });
    }, ms);
    return () => clearInterval(timer);
  };
  const monitor = monitorDatabase({
    logger,
    onDown: async () => {
      const before = rt.database.uri;
      await rt.database.ensureRunning();
      if (rt.database.uri === before) return;
      // The embedded server came back on a new port (its old one was taken by another program meanwhile):
      // this process's connections point at the old one. Stop cleanly; the next start finds the new port.
      logger.error('the embedded database restarted on a new port (its old one is held by another program); stopping this worker: start it again');
      exitCode = 75;
      void shutdown('database moved');
    },
    onBack: () => void caughtUp.then(() => catchUp(rt.jobs, rt.env)).then(() => recoverRuns(rt.jobs, rt.env)).catch(recoveryFailed),
  });
  const stopDelivery = every(5_000, () => deliverPending(rt.env), deliveryFailed);
  const stopRecovery = every(5_000, () => recoverRuns(rt.jobs, rt.env), recoveryFailed);
  // A standby (WORKER_SCHEDULE=off) runs no schedule, stalled or not.
  const stopStalled = rt.env.WORKER_SCHEDULE === 'on' ? every(30_000, () => caughtUp.then(() => runStalledSlots(rt.jobs, rt.env)), recoveryFailed) : () => undefined;
  void sweepUnfinishedBacktests().catch(recoveryFailed);
  logger.info({ jobs: [...rt.jobs.keys()], bot: Boolean(bot), database: rt.database.kind }, 'worker running (Ctrl-C to stop)');

  let stopping = false;
  let exitCode = 0;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: rt.env.SHUTDOWN_GRACE_MS }, 'stopping: draining running jobs');
    // Whatever hangs (a database that stopped answering), the process is gone shortly after the grace:
    // its runs' leases expire and another worker takes them over.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, rt.env.SHUTDOWN_GRACE_MS + 15_000).unref();
    stopDelivery();
    stopRecovery();
    stopStalled();
    await admin?.close().catch(() => undefined);
    monitor.stop();
    await bot?.stop().catch(() => undefined);
    const drained = await rt.scheduler!.stop(rt.env.SHUTDOWN_GRACE_MS).catch((err: unknown) => {
      logger.error({ err }, 'scheduler stop failed');
      return { timedOut: true };
    });
    if (drained.timedOut) logger.warn('some jobs were still running at the deadline; another worker takes them over when their lease runs out');
    await deliverPending(rt.env).catch(() => undefined);
    await rt.close();
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGHUP', () => void shutdown('SIGHUP'));
  exitWithParent((why) => void shutdown(why));
}

/**
 * `npm start` is npm → sh → tsx → node: killing a wrapper does not signal the worker. The worker
 * notices that its parent is gone (it is re-parented) and stops as if it had been sent SIGTERM, so no
 * worker outlives the command that started it. Production runs `node dist/src/main.js` or
 * `bin/signaldesk.js` directly, where signals reach the worker itself.
 */
function exitWithParent(stop: (reason: string) => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, 1_000);
  timer.unref();
}

async function runBotOnly(rt: Runtime): Promise<void> {
  if (!rt.env.DISCORD_TOKEN) throw new EnvError(['DISCORD_TOKEN is required for the bot process (not set)']);
  await startHeavyWork(rt);
  const bot = await startBot(rt);
  const shutdown = async (): Promise<void> => {
    await bot.stop().catch(() => undefined);
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  exitWithParent(() => void shutdown());
}

async function main(): Promise<number | undefined> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { date: { type: 'string' }, 'no-bot': { type: 'boolean', default: false } },
  });
  const mode = positionals[0] ?? 'worker';
  if (!['worker', 'bot', 'demo'].includes(mode)) {
    process.stderr.write(`unknown mode "${mode}"\n${USAGE}\n`);
    return 2;
  }
  let env: Env;
  try {
    // The demo is read by a person: only warnings and errors in the log, unless LOG_LEVEL says otherwise.
    env = loadEnv({ defaults: mode === 'demo' ? { LOG_LEVEL: 'warn' } : {} });
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const state: WorkerState = { schedulerStarted: false };
  if (mode === 'worker') configureLogging(env, 1);
  const admin = mode === 'worker' ? await startAdmin(env, state) : undefined;
  const rt = await openRuntime(env, { logFd: mode === 'demo' ? 2 : 1, logFormat: mode === 'demo' ? 'line' : 'json', keepLogger: mode === 'worker' }).catch(async (err: unknown) => {
    await admin?.close().catch(() => undefined); // a process that cannot start must not stay up for its admin port
    throw err;
  });
  state.rt = rt;
  if (mode === 'demo') {
    try {
      return await runDemo(rt, values.date ?? DEMO_DATE);
    } finally {
      await rt.close();
    }
  }
  if (mode === 'bot') await runBotOnly(rt);
  else await runWorker(rt, !values['no-bot'], state, admin);
  return undefined;
}

main()
  .then((code) => {
    if (code !== undefined) process.exitCode = code;
  })
  .catch((err: unknown) => {
    if (err instanceof EnvError || isUserFacingError(err)) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`signaldesk failed to start: ${describeError(err)}\n`);
    process.exitCode = 1;
  });
