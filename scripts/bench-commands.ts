// `npm run bench` (part): slash commands while a 529-symbol scan runs in the same `npm start` process.
// Seeds the embedded database (529 universe symbols × 260 bars, 10,000 trades), starts the real worker
// (`src/main.ts worker`, bot included) against a local Discord stand-in, keeps re-running next-day-prep
// through /rerun, and sends 500 read commands meanwhile. Prints, per mode (worker threads, then inline):
//   ack_p50_ms / ack_p99_ms   command sent → Discord got the acknowledgement (defer or reply)
//   reply_p99_ms              command sent → the final answer
//   event_loop_lag_p99_ms     the worker's event-loop delay over the window (its /metrics, 1 ms probe)
//   scan_under_commands_s     from /rerun to the end of the scan; scan_takeovers 0 means its lease held throughout
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { tradingDaysBetween } from '../src/calendar/nyse.js';
import { Trade } from '../src/db/models/trade.js';
import { JobRun } from '../src/db/models/job-run.js';
import { upsertBars } from '../src/market-data/bar-store.js';
import type { Bar } from '../src/market-data/provider.js';
import { loadUniverse } from '../src/market-data/universe.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { freePort } from '../src/db/local-server.js';
import { getActiveConfig } from '../src/strategy/config-versions.js';
import { DiscordStandIn, IDS, type RecordedRequest } from '../test/helpers/discord-stand-in.js';

const DATE = '2020-03-16';
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 500);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 20);
const REPLY_WAIT_MS = 180_000;
const t0 = Date.now();
const note = (m: string) => process.stderr.write(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);

/** A deterministic random walk per symbol (cheap: the bench measures the scan, not the demo generator). */
export function syntheticBars(symbol: string, k: number, days: string[]): Bar[] {
  let state = 1 + k * 7919;
  const rand = () => ((state = (1103515245 * state + 12345) % 2 ** 31) / 2 ** 31);
  let price = 20 + 200 * rand();
  return days.map((date) => {
    const open = price * (1 + (rand() - 0.5) * 0.01);
    price = Math.max(1, price * (1 + (rand() - 0.49) * 0.04));
    const high = Math.max(open, price) * (1 + rand() * 0.01);
    const low = Math.min(open, price) * (1 - rand() * 0.01);
    return { symbol, date, open, high, low, close: price, volume: Math.round(1e6 * (0.5 + rand())), synthetic: true };
  });
}

/** Bars for the universe, 10,000 trades and the main portfolio's config, in the worker's database. */
export async function seedCommandBench(): Promise<number> {
  const symbols = loadUniverse().map((e) => e.symbol);
  const days = tradingDaysBetween('2019-01-01', DATE).slice(-260);
  for (let i = 0; i < symbols.length; i += 100) await upsertBars(symbols.slice(i, i + 100).flatMap((s, j) => syntheticBars(s, i + j, days)), 'bench');
  await getActiveConfig('main');
  // A ledger that adds up: per symbol, trades in date order, each SELL selling what the BUY before it bought.
  const perSymbol = Math.ceil(10_000 / symbols.length);
  const docs = Array.from({ length: 10_000 }, (_, k) => {
    const j = Math.floor(k / symbols.length);
    const price = 10 + (k % 300);
    const quantity = 1 + (Math.floor(j / 2) % 7);
    return {
      portfolio: 'main', signalId: new mongoose.Types.ObjectId(), tradeDate: days[Math.floor((j * days.length) / perSymbol)]!, symbol: symbols[k % symbols.length]!,
      action: j % 2 === 1 ? 'SELL' : 'BUY', quantity, price, amount: price * quantity, createdAt: new Date(),
    };
  });
  for (let i = 0; i < docs.length; i += 1000) await Trade.insertMany(docs.slice(i, i + 1000), { ordered: false });
  return symbols.length;
}


const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

async function metric(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name}\\{quantile="${label}"\\} ([\\d.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export interface CommandFigures {
  ackP50: number;
  ackP99: number;
  replyP50: number;
  replyP99: number;
  lagP99: number;
  scanThroughout: boolean;
  answered: number;
  /** Reply p50/p99 (ms) per command, as text. */
  perCommand: string;
  /** From /rerun to the scan's end, and how often its run was taken over meanwhile (0: its lease held under the load). */
  scanSeconds: number;
  scanTakeovers: number;
  scanStatus: string;
}

/** One mode: start the worker (bot inside) with HEAVY_THREADS=threads, measure, stop it. */
export async function measureCommands(dataDir: string, mongodbUri: string, threads: number): Promise<CommandFigures> {
  const discord = new DiscordStandIn();
  await discord.start();
  const metricsPort = await freePort();
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join('src', 'main.ts'), 'worker'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', process.env.BENCH_WORKER_LOG ? 'inherit' : 'ignore', 'inherit'],
    env: {
      ...process.env, MONGODB_URI: mongodbUri, LOCAL_DB_DIR: dataDir, LOG_LEVEL: process.env.BENCH_WORKER_LOG ?? 'error', NODE_ENV: 'production', WORKER_SCHEDULE: 'off',
      DISCORD_TOKEN: 'bench-token-0123456789', DISCORD_APP_ID: IDS.app, DISCORD_API_URL: discord.api, DISCORD_ADMIN_ROLE_IDS: IDS.adminRole,
      METRICS_PORT: String(metricsPort), HEAVY_THREADS: String(threads), MARKET_DATA_PROVIDER: 'demo',
    },
  });
  try {
    // Ready: the gateway connected and a first command answered.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const id = discord.sendCommand('universe');
      const ok = await discord.waitForRequest((r) => r.path.includes(`tok-${id}`) || r.path.startsWith(`/interactions/${id}/`), 2_000).then(() => true, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the worker did not answer Discord within 120 s');
    }
    note(`worker ready (HEAVY_THREADS=${threads})`);
    // The scan: /rerun next-day-prep through the bot (Confirm pressed), in this same worker process.
    const since = new Date();
    const rerun = discord.sendCommand('rerun', { userId: IDS.admin, roles: [IDS.adminRole], options: [{ name: 'job', type: 3, value: 'next-day-prep' }, { name: 'date', type: 3, value: DATE }] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${rerun}/`), 30_000);
    discord.pressButton(`confirm:${rerun}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const scanRunning = async () => Boolean(await JobRun.exists({ job: 'next-day-prep', status: 'running', startedAt: { $gte: since } }));
    while (!(await scanRunning())) {
      if (Date.now() - since.getTime() > 60_000) throw new Error('the scan did not start within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const firstAttempt = (await JobRun.findOne({ job: 'next-day-prep', status: 'running', startedAt: { $gte: since } }).lean())?.attempt ?? 0;
    note('a scan is running; sending commands');
    await metric(metricsPort, 'signaldesk_event_loop_lag_ms', 'p99'); // resets the window
    const reads: Array<{ name: string; subcommand?: string; options?: unknown[]; admin?: boolean }> = [
      { name: 'portfolio', subcommand: 'show' }, { name: 'trades' }, { name: 'positions' }, { name: 'jobs', subcommand: 'list' },
      { name: 'signal' }, { name: 'performance' }, { name: 'config', subcommand: 'show' }, { name: 'universe' },
      { name: 'pnl', options: [{ name: 'period', type: 3, value: 'daily' }] }, { name: 'health', admin: true },
    ];
    const only = process.env.BENCH_ONLY?.split(',');
    if (only) reads.splice(0, reads.length, ...reads.filter((r) => only.includes(r.name)));
    const acks: number[] = [];
    const replies: number[] = [];
    const byCommand = new Map<string, number[]>();
    const pending: Array<Promise<void>> = [];
    for (let k = 0; k < COMMANDS; k++) {
      const c = reads[k % reads.length]!;
      const sent = Date.now();
      const id = discord.sendCommand(c.name, { userId: c.admin ? IDS.admin : IDS.member, roles: c.admin ? [IDS.adminRole] : [], ...(c.subcommand ? { subcommand: c.subcommand } : {}), options: c.options ?? [] });
      const isAck = (r: RecordedRequest) => r.path.startsWith(`/interactions/${id}/`);
      // The answer: an edit of the deferred reply or a follow-up (webhook paths carry the token), or an
      // immediate reply (callback type 4). The callback path carries the token too, so it is not enough.
      const token = new RegExp(`^/webhooks/\\d+/tok-${id}(/|$)`);
      const isFinal = (r: RecordedRequest) => token.test(r.path) || (isAck(r) && (r.json as { type?: number }).type === 4);
      pending.push((async () => {
        // An answer that never comes counts as infinitely late (and not answered), instead of ending the bench.
        acks.push(await discord.waitForRequest(isAck, 60_000).then((r) => r.at - sent, () => Infinity));
        const reply = await discord.waitForRequest(isFinal, REPLY_WAIT_MS).then((r) => r.at - sent, () => Infinity);
        replies.push(reply);
        byCommand.set(c.name, [...(byCommand.get(c.name) ?? []), reply]);
      })());
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    note('all commands sent');
    await Promise.all(pending);
    note(`all commands answered or given up on (${REPLY_WAIT_MS / 1000} s)`);
    const lagP99 = await metric(metricsPort, 'signaldesk_event_loop_lag_ms', 'p99');
    const stillScanning = await scanRunning();
    note(`commands done; the scan is ${stillScanning ? 'still running' : 'finished'}`);
    // How the scan fared under the load: its whole time from /rerun, and whether its lease held (attempt 1).
    let run = await JobRun.findOne({ job: 'next-day-prep', startedAt: { $gte: since } }).sort({ startedAt: -1 }).lean();
    for (const until = Date.now() + 300_000; run?.status === 'running' && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 250));
      run = await JobRun.findOne({ job: 'next-day-prep', startedAt: { $gte: since } }).sort({ startedAt: -1 }).lean();
    }
    const scanSeconds = run?.finishedAt ? (run.finishedAt.getTime() - since.getTime()) / 1000 : NaN;
    const perCommand = [...byCommand].map(([name, xs]) => `${name} ${Math.round(pct(xs, 50))}/${Math.round(pct(xs, 99))}`).join(', ');
    return { perCommand, ackP50: pct(acks, 50), ackP99: pct(acks, 99), replyP50: pct(replies, 50), replyP99: pct(replies, 99), lagP99, scanThroughout: stillScanning, answered: replies.filter(Number.isFinite).length, scanSeconds, scanTakeovers: (run?.attempt ?? firstAttempt) - firstAttempt, scanStatus: run?.status ?? 'none' };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await discord.stop();
  }
}
