// `npm run soak -- --days N --seed S [--speed X] [--faults all|none|kill,db,discord,provider,weekend,burst,calendar] [--start YYYY-MM-DD] [--provider polygon|demo]`
//
// Weeks of the real schedule on a controlled clock (scripts/soak-clock.mjs): two worker processes and one bot
// process (against the Discord stand-in) run every scheduled job on the demo market, served over Polygon's HTTP API
// by scripts/soak-provider.ts (so the real client, its rate gate, retries and breaker are in the run; `--provider
// demo` reads the demo market in-process instead). The driver jumps the clock
// from one due slot to the next — idle hours cost nothing — and lets time run at 1× while the slot's runs work,
// so every time budget the product measures (run and outbox leases, Agenda's lock lifetime, the database-latency
// rule) keeps its real length: "--speed" is how many simulated seconds pass per real second inside a step (1,
// the only speed at which those budgets hold; the jumps are what makes 20 trading days fit in minutes).
// Faults are drawn from the seed at step boundaries and mid-step; the calendar's own (a holiday weekend, a month
// boundary, a DST change) get theirs where they fall: the default start (2020-02-10) puts Presidents' Day, the end
// of February and the March DST change inside 20 trading days. Invariants and the drift are printed at the
// end, one figure a line (names in README "Soak"), and a PNG of the weekly series is written beside the logs.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, todayIn, toUtcDate, type IsoDate } from '../src/calendar/dates.js';
import { isTradingDay, nextTradingDay, tradingDaysBetween } from '../src/calendar/nyse.js';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase, EMBEDDED_POOL_SIZE, nativeDb } from '../src/db/connection.js';
import { startFerretDb, type DatabaseHandle } from '../src/db/local-server.js';
import { AlertState } from '../src/db/models/alert-state.js';
import { JobRun } from '../src/db/models/job-run.js';
import { Outbox } from '../src/db/models/outbox.js';
import { loadJobs } from '../src/scheduler/job-registry.js';
import { slotsBetween } from '../src/scheduler/slots.js';
import { prng } from '../src/market-data/demo-market.js';
import { slotInstant } from '../src/market-data/snapshot-store.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { DiscordStandIn, IDS } from '../test/helpers/discord-stand-in.js';
import { leasesOfTheDead } from './soak-checks.js';
import { DemoPolygon } from './soak-provider.js';
import { alive, startProc, type Proc } from '../test/reliability/procs.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const DAYS = Number(arg('days', '20'));
const SEED = Number(arg('seed', '1'));
const SPEED = Number(arg('speed', '1'));
const START = arg('start', '2020-02-10') as IsoDate;
const FAULTS = new Set(arg('faults', 'all') === 'all' ? ['kill', 'db', 'discord', 'provider', 'weekend', 'burst', 'calendar'] : arg('faults', '').split(',').filter((f) => f && f !== 'none'));
const PROVIDER = arg('provider', 'polygon');
if (PROVIDER !== 'polygon' && PROVIDER !== 'demo') throw new Error(`--provider must be polygon or demo (got ${PROVIDER})`);
if (FAULTS.has('provider') && PROVIDER !== 'polygon') FAULTS.delete('provider');
if (!Number.isInteger(DAYS) || DAYS < 1 || DAYS > 260) throw new Error(`--days must be 1–260 (got ${arg('days', '')})`);
if (!(SPEED >= 1 && SPEED <= 60)) throw new Error(`--speed must be 1–60 (got ${arg('speed', '')})`);
if (SPEED !== 1) process.stdout.write(`# --speed ${SPEED}: inside a step the clock runs ${SPEED}× real time, so leases and lock lifetimes last 1/${SPEED} of their length in real time\n`);

// The faults and their moments from the seed alone (the demo market's seeded PRNG).
const random = prng(SEED);
const line = (name: string, value: string | number) => process.stdout.write(`${name} ${value}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = mkdtempSync(join(tmpdir(), 'sd-soak-'));
const dataDir = join(root, 'data');
const logs = join(root, 'logs');
mkdirSync(logs, { recursive: true });
const clockFile = join(root, 'clock');
const faultLog = join(logs, 'faults.log');
let logN = 0;
const logFile = (what: string) => join(logs, `${String(++logN).padStart(3, '0')}-${what}.log`);

// ── the clock ───────────────────────────────────────────────────────────────────────────────────
let anchor = { sim: Date.now(), real: Date.now() };
/** Simulated now (the same formula as the preload's). */
const simNow = () => anchor.sim + (Date.now() - anchor.real) * SPEED;
function setSim(at: number): void {
  anchor = { sim: at, real: Date.now() };
  writeFileSync(clockFile, `${anchor.sim} ${anchor.real} ${SPEED}`);
}

// ── the processes ───────────────────────────────────────────────────────────────────────────────
const standIn = new DiscordStandIn();
const polygon = new DemoPolygon(() => simNow());
const faults: Record<string, number> = {};
/** When Discord's last outage ended (real ms), and how long the outbox took to drain after each. */
let outageEnded: number | undefined;
const drains: number[] = [];
function fault(kind: string, detail: string): void {
  faults[kind] = (faults[kind] ?? 0) + 1;
  appendFileSync(faultLog, `${new Date(simNow()).toISOString()} ${kind} ${detail}\n`);
}

function procEnv(): Record<string, string> {
  return {
    LOCAL_DB_DIR: dataDir, MARKET_DATA_PROVIDER: 'demo', WORKER_POLL_MS: '1000', WORKER_SCHEDULE: 'on', SOAK_CLOCK_FILE: clockFile,
    DISCORD_TOKEN: 'soak-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', DISCORD_APP_ID: IDS.app, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: standIn.api,
    DISCORD_CHANNEL_OPS: IDS.channel, DISCORD_ADMIN_ROLE_IDS: IDS.adminRole, LOG_LEVEL: 'info', HEAVY_THREADS: '1',
    // A paid plan's rate (the free plan's 5 a minute would make the first backfill take an hour of real time).
    ...(PROVIDER === 'polygon' ? { MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: polygon.apiKey, POLYGON_BASE_URL: polygon.url, POLYGON_INDICES: 'true', POLYGON_CALLS_PER_MIN: '600', BENCHMARK_SYMBOL: 'SPX', ALPACA_DATA_URL: polygon.url } : {}),
  };
}
const clock = join(PROJECT_ROOT, 'scripts', 'soak-clock.mjs');
const roles: Record<string, Proc> = {};
/** Restarts (after a kill or a weekend stop): a process's memory is compared only within one life. */
const restarts: Array<{ role: string; sample: number }> = [];
/** What the run saw that no invariant counts but someone should look at. */
const findings: string[] = [];
/** Every process the run started (a lease's holder is "<host>:<pid>"), to find the leases of the dead. */
const everStarted: number[] = [];
const deadHolders = () => new Set(everStarted.filter((pid) => !alive(pid)).map((pid) => `${hostname()}:${pid}`));
async function start(role: 'worker-a' | 'worker-b' | 'bot', retry = true): Promise<Proc> {
  const file = logFile(role);
  const p = startProc(['--import', clock, join('src', 'main.ts'), role === 'bot' ? 'bot' : 'worker', ...(role === 'bot' ? [] : ['--no-bot'])], procEnv(), file);
  if (roles[role]) restarts.push({ role, sample: weeks.length });
  roles[role] = p;
  everStarted.push(p.pid);
  try {
    await p.waitFor(role === 'bot' ? /discord bot ready/ : /worker running/, 120_000);
  } catch (err) {
    // A start that hangs is a finding to chase (its log is named), then killed and started once more. (The one seen
    // so far was the soak's own: a kill timed for the previous process landing on its replacement mid-start.)
    findings.push(`${role} did not start within 120 s after a restart (${file})`);
    p.child.kill('SIGKILL');
    await p.exited;
    if (!retry) throw err;
    return start(role, false);
  }
  return p;
}

// ── what is due ─────────────────────────────────────────────────────────────────────────────────
const env = parseEnvVars({ MONGODB_URI: 'mongodb://unused', LOG_LEVEL: 'silent' });
const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
const days = tradingDaysBetween(START, addDays(START, DAYS * 2 + 10)).slice(0, DAYS);
const simStart = slotInstant(days[0]!, '00:30').getTime();
const simEnd = slotInstant(days[days.length - 1]!, '23:59').getTime();
interface Due { at: number; job: string; runKey: string; date: string }
const due: Due[] = [];
for (const def of jobs.values()) {
  if (!def.schedule || def.runKeyEvery !== 'tradingDate') continue; // minute jobs run when a step lands on their slot
  for (const s of slotsBetween(def, new Date(simStart), new Date(simEnd), 100_000)) due.push({ at: s.dueAt.getTime(), job: def.name, runKey: s.runKey, date: s.date });
}
const steps = [...new Set(due.map((d) => d.at))].sort((a, b) => a - b);
/** The jobs that ask the market-data provider (daily bars or the day so far). */
const PROVIDER_JOBS = new Set(['fetch-market-data', 'opening-scan', 'afternoon-scan', 'closing-scan', 'mid-morning-signals', 'late-day-signals', 'intraday-watch']);
const nyDay = (at: number) => todayIn('America/New_York', new Date(at));
/** Hours New York is behind UTC on the day of `at` (5 in winter, 4 in summer). */
const nyBehind = (at: number) => 12 - slotInstant(nyDay(at), '12:00').getUTCHours();
/** What the clock crosses between step k and the next: a month boundary, a DST change, a long weekend. */
function crossing(k: number): { month: boolean; dst: boolean; longWeekend: boolean } {
  const [a, b] = [steps[k]!, steps[k + 1]];
  if (b === undefined) return { month: false, dst: false, longWeekend: false };
  // A long weekend: the last step of a trading day whose next trading day is four or more days later (a Monday or
  // Friday holiday beside a weekend).
  const [da, db_] = [nyDay(a), nyDay(b)];
  const longWeekend = da !== db_ && isTradingDay(da) && toUtcDate(nextTradingDay(da)).getTime() - toUtcDate(da).getTime() >= 4 * 86_400_000;
  return { month: da.slice(0, 7) !== db_.slice(0, 7), dst: nyBehind(a) !== nyBehind(b), longWeekend };
}

// ── measurements ────────────────────────────────────────────────────────────────────────────────
const rss = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};
/** One simulated day's sample. */
interface Week { label: string; rss: Record<string, number>; replies: number[]; restReplies: number[]; burst: number[]; healthMs: number[]; collections: Record<string, number> }
const weeks: Week[] = [];
const newWeek = (label: string): Week => ({ label, rss: {}, replies: [], restReplies: [], burst: [], healthMs: [], collections: {} });
let week = newWeek(days[0]!);
/** Close a day's sample: each live process's RSS (a stopped one is a gap, not 0) and the documents per collection. */
async function sampleProcessesAndCollections(w: Week): Promise<void> {
  for (const [role, p] of Object.entries(roles)) {
    const mb = rss(p.pid);
    if (mb > 0) w.rss[role] = mb;
  }
  for (const c of await nativeDb().listCollections().toArray()) w.collections[c.name] = await nativeDb().collection(c.name).estimatedDocumentCount();
}
/** Nearest rank: p99 of three replies is the slowest of them. */
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * p) - 1)]! : 0);
/** Each daily command's reply times, by simulated day, to say which command moved when the figure does. */
const perCommand = new Map<string, Array<{ day: string; ms: number }>>();

/** A slash command through the stand-in, timed from the interaction to its final reply (edit or reply). */
/** The commands timed after every step and at each day's end. */
const SAMPLED_COMMANDS = [['portfolio', 'show'], ['ideas', 'list'], ['jobs', 'list']] as const;

async function command(name: string, options: unknown[] = [], subcommand?: string): Promise<number> {
  const t = Date.now();
  const id = standIn.sendCommand(name, { roles: [IDS.adminRole], options, ...(subcommand ? { subcommand } : {}) });
  // The answer: the edit of a deferred reply, or an immediate reply (callback type 4).
  await standIn.waitForRequest((r) => r.path.includes(`tok-${id}`) && (r.method === 'PATCH' || (r.method === 'POST' && (r.json as { type?: number } | undefined)?.type === 4)), 60_000).catch(() => undefined);
  return Date.now() - t;
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────
let db: DatabaseHandle | undefined;
/** A random database fault in progress (stopped, not yet back): a calendar outage waits for it. */
let dbFault: Promise<void> = Promise.resolve();
/** The database server is down for a random fault right now. */
let dbDown = false;
/** The database is down across the clock's jump to the next step (a month boundary or a DST change). */
let outageAcross: string | undefined;
/** Leases left unreleased by killed processes (the most seen at once), and any whose work nobody took over. */
let leasesLeft = 0;
const leasesStuck = new Set<string>();
async function checkLeases(): Promise<void> {
  // A run lease lasts 30 s and an outbox claim less; a taker moves in at the next poll after that. Two minutes
  // past a dead holder's expiry, its work must have been taken over or be done.
  const { left, stuck } = await leasesOfTheDead(deadHolders(), simNow(), 120_000);
  leasesLeft = Math.max(leasesLeft, left);
  for (const x of stuck) leasesStuck.add(x);
}
const started = Date.now();
process.stdout.write(`# soak: ${DAYS} trading days from ${days[0]} (seed ${SEED}, faults: ${[...FAULTS].join(',') || 'none'}); ${steps.length} steps, ${due.length} due runs; logs ${logs}\n`);
try {
  await standIn.start();
  if (PROVIDER === 'polygon') await polygon.start();
  setSim(simStart);
  db = await startFerretDb({ dir: join(dataDir, 'ferretdb') });
  await connectDatabase(db.uri, 'signaldesk', { maxPoolSize: EMBEDDED_POOL_SIZE });
  await Promise.all([start('worker-a'), start('worker-b'), start('bot')]);
  let dead: { role: 'worker-a' | 'worker-b'; until: number } | undefined;
  let lastDay = '';
  for (const [k, at] of steps.entries()) {
    const day = new Date(at).toISOString().slice(0, 10);
    // The database, down across the jump, comes back a few seconds after this step's slot fell due in the new month
    // or under the new DST offset: the workers' firings meet a database that is not there.
    if (outageAcross) {
      setSim(at + 500);
      await sleep(4_000);
      db = await startFerretDb({ dir: join(dataDir, 'ferretdb') });
      fault(outageAcross, `database down from ${new Date(steps[k - 1]!).toISOString()} until ${new Date(simNow()).toISOString()}`);
      outageAcross = undefined;
    }
    // A stopped worker comes back (after a weekend or a holiday: its catch-up runs).
    if (dead && at >= dead.until) {
      // A kill still pending (its step ended before the delay ran out) is carried out now, before the restart.
      const old = roles[dead.role]!;
      if (alive(old.pid)) {
        old.child.kill('SIGKILL');
        fault('kill9_worker', `${dead.role} (its kill came due at the restart)`);
        await old.exited;
      }
      await start(dead.role);
      dead = undefined;
    }
    if (simNow() < at + 500) setSim(at + 500); // (never backwards: an outage above may have started the step)
    const group = due.filter((d) => d.at === at);
    // Faults at this step, from the seed.
    const r = random();
    if (!dead && FAULTS.has('kill') && r < 0.035) {
      const role = random() < 0.5 ? 'worker-a' : 'worker-b';
      // The process running now: by the time the timer fires the driver may have moved on and even restarted the
      // role (a step can end within the delay), and a kill must not land on the new process mid-start.
      const target = roles[role]!;
      setTimeout(() => {
        if (alive(target.pid) && roles[role] === target) {
          target.child.kill('SIGKILL');
          fault('kill9_worker', `${role} at ${group.map((g) => g.job).join(',')}`);
        }
      }, Math.floor(random() * 4000));
      dead = { role, until: steps[Math.min(steps.length - 1, k + 2)]! };
    } else if (FAULTS.has('discord') && r < 0.06) {
      let n = 0;
      standIn.respond = (req) => {
        if (req.method !== 'POST' || !req.path.startsWith('/channels/')) return undefined;
        n++;
        if (n <= 6) return { status: 503 };
        if (n <= 10) return { status: 429, headers: { 'retry-after': '2' }, payload: { message: 'You are being rate limited.', retry_after: 2, global: false } };
        standIn.respond = undefined;
        outageEnded = Date.now();
        return undefined;
      };
      fault('discord_503_429', `${group.map((g) => g.job).join(',')}`);
    } else if (FAULTS.has('db') && r < 0.075 && db) {
      // The database server killed mid-step and started again a few seconds later (the workers wait, then go on).
      const down = 2_000 + Math.floor(random() * 6_000);
      const delay = Math.floor(random() * 2_000);
      dbFault = (async () => {
        await sleep(delay);
        fault('database_killed', `${down} ms down at ${group.map((g) => g.job).join(',')}`);
        dbDown = true;
        await db!.stop().catch(() => undefined);
        await sleep(down);
        db = await startFerretDb({ dir: join(dataDir, 'ferretdb') });
        dbDown = false;
      })();
    } else if (!dead && FAULTS.has('weekend') && day !== lastDay && new Date(at).getUTCDay() === 5 && r < 0.2) {
      const role = 'worker-b';
      roles[role]!.child.kill('SIGTERM');
      await roles[role]!.exited;
      const monday = steps.find((s) => s > at + 2.5 * 86_400_000) ?? steps[steps.length - 1]!;
      dead = { role, until: monday };
      fault('worker_stopped_over_weekend', `${role} from ${day}`);
    }
    // The market-data provider answers 503, then 429 with Retry-After, for a stretch, where a step asks it.
    if (FAULTS.has('provider') && group.some((g) => PROVIDER_JOBS.has(g.job)) && random() < 0.3) {
      polygon.fault = { n503: 3 + Math.floor(random() * 4), n429: 2 + Math.floor(random() * 3) };
      fault('provider_503_429', `${polygon.fault.n503}×503 then ${polygon.fault.n429}×429 at ${group.map((g) => g.job).join(',')}`);
    }
    if (FAULTS.has('burst') && group.some((g) => g.job === 'execute-trades') && random() < 0.5) {
      fault('command_burst', `20 commands at ${day} 09:30`);
      const burst: Array<[string, string | undefined]> = [['portfolio', 'show'], ['jobs', 'list'], ['ideas', 'list'], ['health', undefined]];
      week.burst.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => command(burst[i % 4]![0], [], burst[i % 4]![1])))));
    }
    if (outageEnded !== undefined && (await Outbox.countDocuments({ status: 'pending' })) === 0) {
      drains.push((Date.now() - outageEnded) / 1000);
      outageEnded = undefined;
    }
    // Wait for every due run of the step to finish (taken over within a lease if its worker died).
    const deadline = Date.now() + 240_000;
    for (;;) {
      const runs = await Promise.all(group.map((g) => JobRun.findById(`${g.job}|${g.runKey}`, { status: 1, attempt: 1, finishedAt: 1 }).lean()));
      // A failed run with attempts left is retried by the recovery sweep after its back-off (5 s, then 10 s …): in
      // real time that happens before the next slot, so the clock does not jump past it.
      const retrying = (x: (typeof runs)[number], i: number) =>
        x?.status === 'failed' && x.attempt < (jobs.get(group[i]!.job)?.maxAttempts ?? 1) && simNow() - (x.finishedAt?.getTime() ?? 0) < 60_000;
      if (runs.every((x, i) => x && x.status !== 'running' && !retrying(x, i))) break;
      if (Date.now() > deadline) {
        process.stdout.write(`# step ${new Date(at).toISOString()}: ${group.filter((_, i) => !runs[i] || runs[i]!.status === 'running').map((g) => g.job).join(', ')} not finished after 240 s\n`);
        break;
      }
      await sleep(250);
    }
    if (day !== lastDay) {
      await checkLeases();
      // Each simulated day is a sample (RSS, replies, health checks, documents): the previous one closes here, and
      // the new day's three commands go into the new one.
      if (lastDay) {
        // The same three commands at rest, at the day's end: once the outbox is empty and no run is working (at
        // most 30 s), three rounds. Beside the replies timed right after each step (the database still busy with
        // the step's posts and work), these tell what the days' data cost from what the workers' load costs.
        if (!dbDown) {
          const quietBy = Date.now() + 30_000;
          while (Date.now() < quietBy && ((await Outbox.countDocuments({ status: 'pending' })) > 0 || (await JobRun.countDocuments({ status: 'running' })) > 0)) await sleep(500);
          await sleep(1_000);
          for (let round = 0; round < 3; round++) {
            for (const [name, sub] of SAMPLED_COMMANDS) week.restReplies.push(await command(name, [], sub));
          }
        }
        const h = await JobRun.find({ job: 'health-check', startedAt: { $gte: new Date(at - 86_400_000) } }, { durationMs: 1 }).lean();
        week.healthMs.push(...h.map((x) => x.durationMs ?? 0));
        await sampleProcessesAndCollections(week);
        weeks.push(week);
        week = newWeek(day);
        if (days.indexOf(day) % 5 === 0) process.stdout.write(`# ${day}: ${Math.round((Date.now() - started) / 1000)} s so far\n`);
      }
      lastDay = day;
    }
    // Three commands after every step's runs (~29 steps a day): a few hundred replies a week, so the p99 compared
    // is a percentile, not the slowest of a handful. Not while a database fault has the server down (an outage's
    // replies are the outage's, not drift).
    if (!dbDown) {
      for (const [name, sub] of SAMPLED_COMMANDS) {
        const ms = await command(name, [], sub);
        week.replies.push(ms);
        perCommand.set(`/${name} ${sub}`, [...(perCommand.get(`/${name} ${sub}`) ?? []), { day, ms }]);
      }
    }
    // The calendar's faults, where the calendar puts them: across a long (holiday) weekend a worker is stopped and
    // comes back to its catch-up; across a month boundary or a DST change the database is down while the clock jumps.
    const next = FAULTS.has('calendar') ? crossing(k) : undefined;
    if (next?.longWeekend && !dead) {
      roles['worker-b']!.child.kill('SIGTERM');
      await roles['worker-b']!.exited;
      const back = nextTradingDay(nyDay(at));
      dead = { role: 'worker-b', until: steps.find((x) => nyDay(x) >= back) ?? steps[steps.length - 1]! };
      fault('worker_stopped_over_holiday_weekend', `worker-b from ${nyDay(at)} to ${back}`);
    }
    if (next && (next.month || next.dst)) {
      await dbFault;
      await db!.stop().catch(() => undefined);
      outageAcross = next.dst ? 'database_down_across_dst_change' : 'database_down_across_month_boundary';
      if (next.dst && next.month) outageAcross = 'database_down_across_month_boundary_and_dst_change';
    }
  }
  // The last (partial) week, then let the outbox drain.
  await dbFault;
  await sampleProcessesAndCollections(week);
  weeks.push(week);
  if (dead) await start(dead.role);
  const drainBy = Date.now() + 120_000;
  while (Date.now() < drainBy && (await Outbox.countDocuments({ status: 'pending' })) > 0) await sleep(1000);

  await checkLeases();
  // ── invariants ──
  const runs = await JobRun.find({}, { job: 1, runKey: 1, status: 1, tradingDate: 1, error: 1 }).lean();
  const byId = new Map(runs.map((x) => [x._id, x]));
  const lost = due.filter((d) => !byId.has(`${d.job}|${d.runKey}`) || byId.get(`${d.job}|${d.runKey}`)!.status === 'running');
  const perSlot = new Map<string, number>();
  // A job keyed by trading date runs once a day: two succeeded runs of one job for one date (under any keys) is a double.
  const daily = new Set([...jobs.values()].filter((d) => d.runKeyEvery === 'tradingDate').map((d) => d.name));
  for (const x of runs) if (x.status === 'succeeded' && x.tradingDate && daily.has(x.job)) perSlot.set(`${x.job}|${x.tradingDate}`, (perSlot.get(`${x.job}|${x.tradingDate}`) ?? 0) + 1);
  const twice = [...perSlot.values()].filter((n) => n > 1).length;
  const ok = standIn.requests.filter((x) => x.method === 'POST' && x.path.startsWith('/channels/') && x.status === 200);
  const nonces = ok.map((x) => (x.json as { nonce?: string }).nonce ?? '');
  const distinct = new Set(nonces);
  const sent = await Outbox.countDocuments({ status: 'sent' });
  const pending = await Outbox.countDocuments({ status: 'pending' });
  const { ledgerMismatches } = await import('./soak-checks.js');
  const ledger = await ledgerMismatches();
  // The first whole simulated week against the last (the first and last day on a run shorter than two weeks).
  const { comparedWindows } = await import('./soak-checks.js');
  const windows = comparedWindows(weeks);
  const merge = (ws: Week[]): Week => ({ label: ws[0]!.label, burst: [], rss: Object.fromEntries(Object.keys(ws[ws.length - 1]!.rss).map((r) => [r, Math.max(...ws.map((w) => w.rss[r] ?? 0))])), replies: ws.flatMap((w) => w.replies), restReplies: ws.flatMap((w) => w.restReplies), healthMs: ws.flatMap((w) => w.healthMs), collections: ws[ws.length - 1]!.collections });
  const first = merge(windows.first);
  const last = merge(windows.last);
  // Memory: each process over its last life (since its last restart). A fresh process grows for its first days as
  // its caches fill (bars, views, the universe), so the drift is the last sample against the one WARM_SAMPLES days
  // into the life, on lives long enough to have a week after that; the cold start is printed beside it.
  const WARM_SAMPLES = 4;
  const lives = Object.keys(roles).map((role) => {
    const since = Math.max(0, ...restarts.filter((r) => r.role === role).map((r) => r.sample));
    const seg = weeks.slice(since).map((w) => w.rss[role] ?? 0).filter((v) => v > 0);
    return { role, cold: seg[0] ?? 0, first: seg[Math.min(WARM_SAMPLES, seg.length - 1)] ?? 0, last: seg[seg.length - 1] ?? 0, samples: seg.length };
  });
  const judged = lives.filter((l) => l.samples >= WARM_SAMPLES + 5);
  const rssDrift = judged.length ? Math.max(...judged.map((l) => l.last / l.first)) : 1;
  const p99 = (w: Week) => pct(w.replies, 0.99);
  const replyDrift = p99(first) ? p99(last) / p99(first) : 1;

  line('soak_days', DAYS);
  line('soak_speed', `${SPEED} (inside a step; idle time between due slots skipped)`);
  line('soak_wall_s', Math.round((Date.now() - started) / 1000));
  line('soak_faults_injected', `${Object.values(faults).reduce((a, b) => a + b, 0)} (${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; ${faultLog})`);
  line('soak_due_runs', due.length);
  line('soak_slots_run_twice', twice);
  if (PROVIDER === 'polygon') line('soak_provider_requests', `${polygon.served.ok + polygon.served.s503 + polygon.served.s429} (${polygon.served.s503} answered 503, ${polygon.served.s429} answered 429)`);
  line('soak_slots_lost', `${lost.length}${lost.length ? ` (${lost.slice(0, 5).map((d) => `${d.job} ${d.runKey}`).join(', ')})` : ''}`);
  line('soak_runs_missed_with_reason', runs.filter((x) => x.status === 'missed').length);
  line('soak_runs_failed', `${runs.filter((x) => x.status === 'failed').length}${runs.some((x) => x.status === 'failed') ? ` (${runs.filter((x) => x.status === 'failed').slice(0, 3).map((x) => `${x.job}: ${(x.error ?? '').slice(0, 80)}`).join(' | ')})` : ''}`);
  line('soak_outbox_drain_s', drains.length ? `${Math.max(...drains).toFixed(1)} (the longest of ${drains.length} Discord outage(s): from its end to an empty outbox, seen at the next step)` : 'n/a (no Discord outage)');
  const openAlerts = await AlertState.find({ open: true }, { detail: 1 }).lean();
  line('soak_open_alerts_at_end', `${openAlerts.length}${openAlerts.length ? ` (${openAlerts.map((a) => `${a._id}: ${String(a.detail).slice(0, 80)}`).join(' | ')})` : ''}`);
  line('soak_posts_doubled', nonces.length - distinct.size);
  line('soak_posts_lost', `${Math.max(0, sent - distinct.size) + pending} (${sent} sent rows, ${distinct.size} posts at the stand-in, ${pending} still pending)`);
  line('soak_leases_of_dead_stuck', `${leasesStuck.size} (${leasesLeft} lease(s) left unreleased by killed processes at most at once; each taken over or its work done within 2 min of expiry${leasesStuck.size ? `; stuck: ${[...leasesStuck].slice(0, 3).join(', ')}` : ''})`);
  line('soak_ledger_mismatches', ledger.count + (ledger.detail ? ` (${ledger.detail})` : ''));
  line('soak_rss_drift', `${rssDrift.toFixed(2)} (each process's last sample over the one ${WARM_SAMPLES} days into its last life, lives of ${WARM_SAMPLES + 5}+ days: ${lives.map((l) => `${l.role} ${Math.round(l.cold)} cold, ${Math.round(l.first)}→${Math.round(l.last)} MB over ${l.samples} day(s)${l.samples >= WARM_SAMPLES + 5 ? '' : ' (too short to judge)'}`).join(', ')}; restarts ${restarts.length})`);
  line('soak_reply_p99_drift', `${replyDrift.toFixed(2)} (${windows.what}: p99 ${p99(first)} → ${p99(last)} ms; p50 ${pct(first.replies, 0.5)} → ${pct(last.replies, 0.5)} ms; ${first.replies.length} and ${last.replies.length} replies)`);
  // A day's at-rest replies and health checks are sampled when it closes, at the next day's first step: on a short
  // run the last day has none, and its figure is the last day that has them.
  const lastWith = (pick: (w: Week) => number[]): number[] => (pick(last).length ? pick(last) : pick(weeks.findLast((w) => pick(w).length) ?? newWeek('')));
  const restFirst = first.restReplies;
  const restLast = lastWith((w) => w.restReplies);
  const restDrift = pct(restFirst, 0.99) && restLast.length ? (pct(restLast, 0.99) / pct(restFirst, 0.99)).toFixed(2) : 'n/a';
  line('soak_reply_rest_p99_drift', `${restDrift} (the same commands at rest, at each day's end with the outbox empty and no run working, ${windows.what}: p99 ${pct(restFirst, 0.99)} → ${pct(restLast, 0.99)} ms; p50 ${pct(restFirst, 0.5)} → ${pct(restLast, 0.5)} ms; ${restFirst.length} and ${restLast.length} replies)`);
  // The health check's runs in the same windows.
  const hFirst = first.healthMs;
  const hLast = lastWith((w) => w.healthMs);
  const healthDrift = pct(hFirst, 0.5) ? pct(hLast, 0.5) / pct(hFirst, 0.5) : 1;
  line('soak_health_check_drift', `${healthDrift.toFixed(2)} (the health check's duration, ${windows.what}: p50 ${pct(hFirst, 0.5)} → ${pct(hLast, 0.5)} ms, p99 ${pct(hFirst, 0.99)} → ${pct(hLast, 0.99)} ms; ${hFirst.length} and ${hLast.length} runs)`);
  line('soak_findings', `${findings.length}${findings.length ? ` (${findings.join(' | ')})` : ''}`);
  const firstDays = new Set(windows.first.map((w) => w.label));
  const lastDays = new Set(windows.last.map((w) => w.label));
  for (const [name, xs] of perCommand) {
    const a = xs.filter((x) => firstDays.has(x.day)).map((x) => x.ms);
    const b = xs.filter((x) => lastDays.has(x.day)).map((x) => x.ms);
    process.stdout.write(`# ${name}: first window p50 ${pct(a, 0.5)} / p99 ${pct(a, 0.99)} / max ${pct(a, 1)} ms, last p50 ${pct(b, 0.5)} / p99 ${pct(b, 0.99)} / max ${pct(b, 1)} ms (${a.length} and ${b.length} replies); slowest ${[...xs].sort((x, y) => y.ms - x.ms).slice(0, 3).map((x) => `${x.ms} ms on ${x.day}`).join(', ')}\n`);
  }
  const bursts = weeks.flatMap((w) => w.burst);
  if (bursts.length) process.stdout.write(`# command bursts (20 at once in the 09:30 slot): ${bursts.length} replies, p50 ${pct(bursts, 0.5)} ms, p99 ${pct(bursts, 0.99)} ms\n`);
  const grown = Object.keys(last.collections).filter((c) => (weeks[0]!.collections[c] ?? 0) > 0).map((c) => `${c} ${weeks[0]!.collections[c]}→${last.collections[c]}`);
  process.stdout.write(`# collections, first day → last: ${grown.join(', ')}\n`);
  const { soakChart } = await import('./soak-checks.js');
  const png = soakChart(weeks.map((w) => ({ label: w.label, rss: w.rss, p50: pct(w.replies, 0.5), p99: pct(w.replies, 0.99), healthMs: pct(w.healthMs, 0.5), docs: Object.values(w.collections).reduce((a, b) => a + b, 0) })), `${DAYS} trading days from ${days[0]} · seed ${SEED}`);
  writeFileSync(join(root, 'soak.png'), png);
  process.stdout.write(`# drift chart: ${join(root, 'soak.png')}\n`);
} finally {
  for (const p of Object.values(roles)) if (alive(p.pid)) p.child.kill('SIGTERM');
  await Promise.all(Object.values(roles).map((p) => Promise.race([p.exited, sleep(20_000)])));
  for (const p of Object.values(roles)) if (alive(p.pid)) p.child.kill('SIGKILL');
  await disconnectDatabase().catch(() => undefined);
  await db?.stop().catch(() => undefined);
  await standIn.stop().catch(() => undefined);
  await polygon.stop().catch(() => undefined);
}
process.exit(0);
