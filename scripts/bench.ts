// `npm run bench`: scan performance figures, one per line as `name value unit` (never a timed test).
// Seeds N symbols × 260 daily bars into a fresh database (TEST_MONGODB_URI, else the embedded FerretDB in a
// temporary folder), then measures the read, the scan compute, the whole scan, and a plain typed-array floor.
//   npm run bench              500 and 5,000 symbols
//   npm run bench -- --quick   500 symbols only
//   npm run bench -- --commands   only watchlists and the slash commands during a scan (scripts/bench-commands.ts)
//   npm run bench -- --simulate   only /config simulate
//   npm run bench -- --watch      only watchlist evaluation
//   npm run bench -- --scans      only the scans (500 and 5,000 symbols) and their memory
//   npm run bench -- --aged       fresh against year-old database: commands, health-check, idle worker (scripts/bench-aged.ts)
//   npm run bench -- --commands --aged   the commands-during-a-scan bench on a year-old database
//   npm run bench -- --news       a day of 5,000 articles synced from a replayed Polygon: requests, ingest, /news (scripts/bench-news.ts)
//   npm run bench -- --brew       the morning briefs over the universe, prepared as at 04:00 (scripts/bench-brew.ts)
//   npm run bench -- --congress   200 House PTR PDFs synced on the heavy-work threads, commands meanwhile, a quiet resync (scripts/bench-congress.ts)
//   npm run bench -- --ideas      entry ideas: one slot, a year scored, five years backtested (scripts/bench-ideas.ts; --aged adds the reads on an aged store)
//   npm run bench -- --cli        the CLI's answer times: --help, reads warm and cold, on a year-old database (scripts/bench-cli.ts)
//   npm run bench -- --intraday   one 15-minute market-hours slot: snapshot, scan, 10,000 watch rules, 5 portfolios' alerts (scripts/bench-intraday.ts)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mongoose from 'mongoose';
import { SCAN_LOOKBACK_DAYS, SCANS, scanFromStore } from '../src/analysis/scan-service.js';
import { featuresOf, rankFeatures } from '../src/analysis/scanner.js';
import { addDays } from '../src/calendar/dates.js';
import { nextTradingDay, tradingDaysBetween } from '../src/calendar/nyse.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { readBars, upsertBars } from '../src/market-data/bar-store.js';
import { PolygonProvider } from '../src/market-data/providers/polygon.js';
import { ReplayServer } from '../test/helpers/replay-server.js';
import { fetchMarketData } from '../src/market-data/fetch-service.js';
import type { Bar } from '../src/market-data/provider.js';
import { measureCommands, seedCommandBench, syntheticBars } from './bench-commands.js';
import { DemoProvider } from '../src/market-data/demo-provider.js';
import { setConfig } from '../src/strategy/config-service.js';
import { getActiveConfig } from '../src/strategy/config-versions.js';
import { simulateConfig } from '../src/strategy/simulate-service.js';
import { evaluateWatchlists, startWatchEvaluation } from '../src/analysis/watch-service.js';
import { changeWatchlist, newRuleKey } from '../src/analysis/watchlist-store.js';
import { Outbox } from '../src/db/models/outbox.js';
import { loadUniverse } from '../src/market-data/universe.js';

const quick = process.argv.includes('--quick');
const commandsOnly = process.argv.includes('--commands');
const simulateOnly = process.argv.includes('--simulate');
const watchOnly = process.argv.includes('--watch');
const scansOnly = process.argv.includes('--scans');
const DAYS = tradingDaysBetween('2019-01-01', '2020-03-16').slice(-260);
// rss_mb is the peak RSS of the scan's own process (a fresh child per scan), not of the seeding.
const FROM = DAYS[0]!;
const TO = DAYS[DAYS.length - 1]!;
/** The heaviest scan's criteria (next-day-prep runs all five); bench-scan.ts uses the same. */
const CRITERIA = [...SCANS['next-day-prep'].criteria];

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`${name} ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}\n`);
}

/** SMA-20/50, EMA-20, RSI-14 and ATR-14 over typed arrays: the floor the scan's compute is compared to. */
function floorPass(bars: Map<string, Bar[]>): number {
  let sink = 0;
  for (const list of bars.values()) {
    const n = list.length;
    const c = Float64Array.from(list, (b) => b.close);
    const h = Float64Array.from(list, (b) => b.high);
    const l = Float64Array.from(list, (b) => b.low);
    let s20 = 0;
    let s50 = 0;
    let ema = 0;
    let gain = 0;
    let loss = 0;
    let atr = 0;
    for (let i = 0; i < n; i++) {
      s20 += c[i]! - (i >= 20 ? c[i - 20]! : 0);
      s50 += c[i]! - (i >= 50 ? c[i - 50]! : 0);
      ema = i === 0 ? c[0]! : ema + (2 / 21) * (c[i]! - ema);
      if (i > 0) {
        const d = c[i]! - c[i - 1]!;
        gain = (gain * 13 + Math.max(d, 0)) / 14;
        loss = (loss * 13 + Math.max(-d, 0)) / 14;
        const tr = Math.max(h[i]! - l[i]!, Math.abs(h[i]! - c[i - 1]!), Math.abs(l[i]! - c[i - 1]!));
        atr = (atr * 13 + tr) / 14;
      }
    }
    sink += s20 / 20 + s50 / 50 + ema + (loss ? 100 - 100 / (1 + gain / loss) : 100) + atr;
  }
  return sink;
}

async function seed(symbols: string[], offset = 0): Promise<void> {
  for (let i = 0; i < symbols.length; i += 250) {
    await upsertBars(symbols.slice(i, i + 250).flatMap((s, j) => syntheticBars(s, offset + i + j, DAYS)), 'bench');
  }
}

interface ScanFigures {
  totalMs: number;
  readMs: number;
  computeMs: number;
  scanned: number;
  peakRssMb: number;
  baselineRssMb: number;
  heapPeakMb: number;
}

/** One end-to-end scan in a fresh child process (scripts/bench-scan.ts): its RSS is the scan's own. */
function scanInChild(uri: string, dbName: string, count: number): ScanFigures {
  const out = execFileSync(process.execPath, [...process.execArgv, join(dirname(fileURLToPath(import.meta.url)), 'bench-scan.ts'), uri, dbName, String(count), TO], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ScanFigures;
}

let scanPeakRss = 0;

async function measure(uri: string, dbName: string, count: number, prefix: string): Promise<void> {
  const symbols = Array.from({ length: count }, (_, i) => `B${i}`);
  await seed(symbols);
  const run = scanInChild(uri, dbName, count);
  if (run.scanned !== count) throw new Error(`scanned ${run.scanned} of ${count}`);
  scanPeakRss = Math.max(scanPeakRss, run.peakRssMb);
  if (prefix === '500') {
    // The floor: a plain typed-array pass over the same bars, against the indicators and ranking alone.
    const bars = await readBars(symbols, addDays(TO, -SCAN_LOOKBACK_DAYS), TO);
    let f = performance.now();
    const { features, skipped } = featuresOf(bars);
    rankFeatures(features, skipped, CRITERIA, 10);
    const indicatorsMs = performance.now() - f;
    f = performance.now();
    floorPass(bars);
    const floorMs = performance.now() - f;
    line('bars_read_ms', Math.round(run.readMs), 'ms');
    line('scan_compute_ms', Math.round(run.computeMs), 'ms');
    line('scan_indicators_ms', Math.round(indicatorsMs), 'ms');
    line('scan_floor_ms', Math.round(floorMs), 'ms');
    line('scan_floor_ratio', indicatorsMs / Math.max(floorMs, 0.001), 'x');
    line('scan_500_ms', Math.round(run.totalMs), 'ms');
    line('rss_500_mb', Math.round(run.peakRssMb), 'MB');
    line('heap_500_mb', Math.round(run.heapPeakMb), 'MB');
  } else {
    line(`scan_${prefix}_ms`, Math.round(run.totalMs), 'ms');
    line(`bars_read_${prefix}_ms`, Math.round(run.readMs), 'ms');
    line(`scan_compute_${prefix}_ms`, Math.round(run.computeMs), 'ms');
    line(`rss_${prefix}_mb`, Math.round(run.peakRssMb), 'MB');
    line(`heap_${prefix}_mb`, Math.round(run.heapPeakMb), 'MB');
  }
  line(`rss_baseline_mb`, Math.round(run.baselineRssMb), 'MB');
}

/** The next session's update of the 500 seeded symbols through Polygon's grouped endpoint, replayed locally. */
async function dailyUpdateCalls(): Promise<number> {
  const date = nextTradingDay(TO);
  const symbols = Array.from({ length: 500 }, (_, i) => `B${i}`);
  const t = Date.parse(`${date}T20:00:00Z`);
  const results = [...symbols, 'ZVZZT', 'OTHER'].map((T, k) => {
    const b = syntheticBars(T, k, [...DAYS.slice(1), date]).pop()!;
    return { T, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, vw: b.close, t, n: 100 };
  });
  // Yesterday is asked again (late prints settle): served as stored, so it changes nothing.
  const yesterday = [...symbols, 'ZVZZT'].map((T, k) => {
    const b = syntheticBars(T, k, DAYS).pop()!;
    return { T, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, t: Date.parse(`${TO}T20:00:00Z`) };
  });
  const server = new ReplayServer()
    .on('GET', `/v2/aggs/grouped/locale/us/market/stocks/${date}`, {
      json: { queryCount: results.length, resultsCount: results.length, adjusted: true, results, status: 'OK', request_id: 'bench', count: results.length },
    })
    .on('GET', `/v2/aggs/grouped/locale/us/market/stocks/${TO}`, { json: { adjusted: true, results: yesterday, status: 'OK', request_id: 'bench-prev' } });
  const base = await server.start();
  try {
    const provider = new PolygonProvider({ baseUrl: base, apiKey: 'bench-key', timeoutMs: 10_000, limits: { perMinute: 5, perDay: null } });
    const update = await fetchMarketData({ date, symbols, provider });
    if (update.inserted !== 500) throw new Error(`daily update inserted ${update.inserted} bars, expected 500`);
    return server.requests.length;
  } finally {
    await server.close();
  }
}

/**
 * Watchlists: 10,000 rules (400 members × 25) over the universe, evaluated on the day's close the way
 * next-day-prep does it (inside the scan's stream), against the same scan without them; then alone, as a
 * re-run evaluates when the scan is already stored. watch_eval_ms is the evaluation's own time in the scan.
 */
async function measureWatch(): Promise<void> {
  const kinds = ['rsi-below', 'rsi-above', 'cross-above-sma50', 'cross-below-sma50', 'gap-up', 'gap-down', 'new-52w-high', 'move-over', 'volume-over'] as const;
  const values: Record<string, number | null> = { 'rsi-below': 30, 'rsi-above': 70, 'gap-up': 2, 'gap-down': 2, 'move-over': 3, 'volume-over': 1.5 };
  const symbols = loadUniverse().map((e) => e.symbol);
  for (let m = 0; m < 400; m++) {
    const userId = String(100000000000000000n + BigInt(m));
    const rules = Array.from({ length: 25 }, (_, s) => {
      const k = m * 25 + s;
      const kind = kinds[k % kinds.length]!;
      return { key: newRuleKey(), id: s + 1, symbol: symbols[(k * 7) % symbols.length]!, kind, value: values[kind] ?? null, createdAt: new Date().toISOString() };
    });
    await changeWatchlist(userId, () => ({ rules, result: undefined }));
  }
  const date = '2020-03-16';
  const scan = async (withWatch: boolean) => {
    const watch = withWatch ? await startWatchEvaluation(date) : undefined;
    const t = performance.now();
    await scanFromStore(symbols, date, CRITERIA, 10, watch?.visit);
    const w = await watch?.finish();
    return { ms: performance.now() - t, w };
  };
  await scan(false); // warm
  const plain: number[] = [];
  const withWatch: number[] = [];
  let own = 0;
  let last;
  for (let i = 0; i < 3; i++) {
    plain.push((await scan(false)).ms);
    await Outbox.deleteMany({});
    const r = await scan(true);
    withWatch.push(r.ms);
    own = Math.max(own, r.w!.ms);
    last = r.w!;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  line('watch_eval_ms', own, 'ms');
  line(`scan_${symbols.length}_ms`, Math.round(median(plain)), 'ms');
  line(`scan_${symbols.length}_with_watch_ms`, Math.round(median(withWatch)), 'ms');
  await Outbox.deleteMany({});
  const t = performance.now();
  const alone = await evaluateWatchlists(date);
  line('watch_eval_alone_ms', Math.round(performance.now() - t), 'ms');
  process.stdout.write(`# watch: ${last!.rules} rules on ${last!.symbols} symbols (${last!.fromScan} on the scan's bars), ${last!.fired} fired for ${last!.members} members, ${last!.queued} DMs queued; alone: ${alone.queued} DMs\n`);
  process.stdout.write('# watch_eval_ms: the evaluation\'s own time inside the scan (worst of 3); the two scan figures are medians of 3\n');
}

if (process.argv.includes('--news')) {
  // A day of 5,000 articles on the free plan's limits (scripts/bench-news.ts).
  await (await import('./bench-news.js')).benchNews();
  process.exit(0);
}
if (process.argv.includes('--brew')) {
  await (await import('./bench-brew.js')).benchBrew();
  process.exit(0);
}
if (process.argv.includes('--ideas')) {
  await (await import('./bench-ideas.js')).benchIdeas();
  process.exit(0);
}
if (process.argv.includes('--congress')) {
  // Congress disclosures: 200 PDFs parsed on the heavy-work threads while commands are answered (scripts/bench-congress.ts).
  await (await import('./bench-congress.js')).benchCongress();
  process.exit(0);
}
if (process.argv.includes('--cli')) {
  // The CLI as an operator runs it, warm, cold and on a year-old database (scripts/bench-cli.ts).
  await (await import('./bench-cli.js')).benchCli();
  process.exit(0);
}
if (process.argv.includes('--aged') && !process.argv.includes('--commands')) {
  // A year-old database against a fresh one (scripts/bench-aged.ts): its own server and folder.
  await (await import('./bench-aged.js')).benchAged();
  process.exit(0);
}
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-bench-'));
const db = await resolveDatabase({ mongodbUri: process.env.TEST_MONGODB_URI, dataDir: dir, preferEmbedded: true });
if (process.argv.includes('--intraday')) {
  try {
    process.stdout.write(`# database ${db.kind}\n`);
    await (await import('./bench-intraday.js')).benchIntraday(db.uri);
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
try {
  process.stdout.write(`# database ${db.kind}; ${DAYS.length} bars per symbol (${FROM}..${TO}); criteria ${CRITERIA.join(', ')}; each scan runs in a fresh process, streaming one symbol at a time from one sorted query\n`);
  // /config simulate: two backtests (active vs proposed) on one symbol (SPX, demo = the real index) from cached bars.
  if (!scansOnly) {
    await connectDatabase(db.uri, `bench_sim_${Date.now()}`);
    await fetchMarketData({ date: '2020-03-16', symbols: ['SPX'], provider: new DemoProvider(), backfillDays: 2600 });
    await getActiveConfig('main');
    await setConfig('main', ['assets=SPX'], { id: 'bench', name: 'bench', source: 'cli' });
    for (const [months, label] of [[6, '6m'], [60, '5y']] as const) {
      await simulateConfig({ portfolio: 'main', assignments: ['daily_capital=2000', 'allocation_neutral=0.1'], months }); // warm
      const t = performance.now();
      const sim = await simulateConfig({ portfolio: 'main', assignments: ['daily_capital=2000', 'allocation_neutral=0.1'], months });
      line(`simulate_${label}_ms`, Math.round(performance.now() - t), 'ms');
      if (label === '6m') process.stdout.write(`# simulate ${sim.from} → ${sim.to}, SPX: TWR active ${(sim.active.totalReturn * 100).toFixed(2)}% vs proposed ${(sim.proposed.totalReturn * 100).toFixed(2)}%\n`);
    }
    await mongoose.connection.db?.dropDatabase();
    await disconnectDatabase();
  }
  if (!commandsOnly && !simulateOnly && !watchOnly) {
    const dbName = `bench_${Date.now()}`;
    await connectDatabase(db.uri, dbName);
    await measure(db.uri, dbName, 500, '500');
    line('daily_update_provider_calls', await dailyUpdateCalls(), 'calls');
    if (!quick) await measure(db.uri, dbName, 5000, '5000');
    line('rss_mb', Math.round(scanPeakRss), 'MB');
    await mongoose.connection.db?.dropDatabase();
    await disconnectDatabase();
  }
  // Slash commands while a 529-symbol scan runs in the same worker process (bot inside), with 10,000 trades:
  // heavy work on worker threads (the default), then inline for comparison.
  if (!simulateOnly && !scansOnly) {
    await connectDatabase(db.uri, 'signaldesk');
    const universe = await seedCommandBench();
    if (process.argv.includes('--aged')) {
      // The same measurement on a database aged by a year of our own schedule (scripts/age-database.ts).
      const { ageDatabase } = await import('./age-database.js');
      const { loadJobs } = await import('../src/scheduler/job-registry.js');
      const counts = await ageDatabase(await loadJobs('America/New_York'));
      process.stdout.write(`# aged first: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    }
    await measureWatch();
    process.stdout.write(`# ${universe}-symbol next-day-prep run through /rerun (Confirm) while 500 read commands arrive 20 ms apart; 10,000 trades\n`);
    const external = db.kind === 'external' ? db.uri : '';
    // BENCH_MODES=threads or =inline measures one mode only.
    const modes = ([[2, ''], [0, '_inline']] as const).filter(([t]) => !process.env.BENCH_MODES || process.env.BENCH_MODES === (t ? 'threads' : 'inline'));
    for (const [threads, suffix] of watchOnly ? [] : modes) {
      const f = await measureCommands(dir, external, threads);
      line(`ack_p50_ms${suffix}`, Math.round(f.ackP50), 'ms');
      line(`ack_p99_ms${suffix}`, Math.round(f.ackP99), 'ms');
      line(`reply_p50_ms${suffix}`, Math.round(f.replyP50), 'ms');
      line(`reply_p99_ms${suffix}`, Math.round(f.replyP99), 'ms');
      process.stdout.write(`# reply p50/p99 ms by command${suffix}: ${f.perCommand}\n`);
      line(`event_loop_lag_p99_ms${suffix}`, f.lagP99, 'ms');
      process.stdout.write(`scan_running_throughout${suffix} ${f.scanThroughout ? 'yes' : 'no'}\ncommands_answered${suffix} ${f.answered}\n`);
      line(`scan_under_commands_s${suffix}`, Math.round(f.scanSeconds * 10) / 10, 's');
      process.stdout.write(`scan_takeovers${suffix} ${f.scanTakeovers} (${f.scanStatus})\n`);
    }
    await mongoose.connection.db?.dropDatabase();
  }
} finally {
  await disconnectDatabase();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
