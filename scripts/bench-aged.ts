// `npm run bench -- --aged`: the same commands on a fresh database and on one aged by a year of our own
// schedule (scripts/age-database.ts), on the embedded default. Prints, one per line:
//   aged_cli_<command>_ms  fresh · aged · ratio · target (aged ≤ fresh × 1.25 + 100 ms), each CLI process's wall time
//   aged_slash_<command>_ms the same through the Discord stand-in (a worker with its bot; command sent → answer)
//   aged_health_check_ms   one health-check run on the aged database (target ≤ 500)
//   aged_idle_cpu_pct      an idle worker plus the database server over --idle-seconds (default 300; target ≤ 3)
// Options: --idle-seconds N, --repeat N (CLI runs per command and database, median; default 3).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disconnectDatabase } from '../src/db/connection.js';
import { freePort, resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { runJob } from '../src/scheduler/run-job.js';
import { writeAgedDatabase } from './age-database.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const IDLE_S = arg('--idle-seconds', 300);
const REPEAT = arg('--repeat', 3);

/** Read commands, as an operator types them (each with --json). */
const COMMANDS: string[][] = [
  ['jobs'], ['jobs', 'history', 'fetch-market-data'], ['jobs', 'schedule'], ['health'], ['alerts'], ['universe'], ['scan'],
  ['portfolio'], ['trades'], ['watch', 'list', '--user', '200000000000000007'], ['news', 'AAPL'], ['earnings'], ['calendar'],
  ['congress', 'recent', '--days', '7'], ['congress', 'recent', '--ticker', 'AAPL', '--days', '30'],
];

function cliMs(uri: string, args: string[]): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--json'], {
      cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('exit', (code) => resolve({ ms: performance.now() - t, code }));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14 and 15)
}


/** A worker on `uri` until it is ready (catch-up done), then its and the server's CPU over `seconds`. */
export async function idleCpu(uri: string, serverPid: number | undefined, seconds: number): Promise<{ pct: number; workerPct: number; serverPct: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: uri, METRICS_PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', DISCORD_TOKEN: '' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (r?.status === 200) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    await new Promise((res) => setTimeout(res, 5_000)); // past the start-up's own work
    const w0 = cpuTicks(child.pid!);
    const s0 = serverPid ? cpuTicks(serverPid) : 0;
    const t0 = performance.now();
    await new Promise((res) => setTimeout(res, seconds * 1_000));
    const elapsed = (performance.now() - t0) / 1_000;
    const hz = 100; // USER_HZ on Linux
    const workerPct = (100 * (cpuTicks(child.pid!) - w0)) / hz / elapsed;
    const serverPct = serverPid ? (100 * (cpuTicks(serverPid) - s0)) / hz / elapsed : 0;
    return { pct: workerPct + serverPct, workerPct, serverPct };
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
}

const line = (name: string, text: string) => process.stdout.write(`${name} ${text}\n`);

/** Slash commands an operator or member sends (admin ones from an admin), through the Discord stand-in. */
const SLASH: Array<{ name: string; subcommand?: string; options?: unknown[]; admin?: boolean }> = [
  { name: 'jobs', subcommand: 'list' }, { name: 'jobs', subcommand: 'history', options: [{ name: 'job', type: 3, value: 'fetch-market-data' }] },
  { name: 'health', admin: true }, { name: 'universe' }, { name: 'scan', options: [{ name: 'name', type: 3, value: 'next-day-prep' }] },
  { name: 'portfolio', subcommand: 'show' }, { name: 'trades' }, { name: 'signal' }, { name: 'config', subcommand: 'show' },
  { name: 'news', options: [{ name: 'symbol', type: 3, value: 'AAPL' }] }, { name: 'earnings' },
  { name: 'congress', subcommand: 'recent', options: [{ name: 'days', type: 4, value: 7 }] },
];

/** A worker with its bot on `uri` (schedule off), each slash command `repeat` times in turn: reply times by command. */
async function slashReplies(uri: string, repeat: number): Promise<Map<string, number[]>> {
  const { DiscordStandIn, IDS } = await import('../test/helpers/discord-stand-in.js');
  const discord = new DiscordStandIn();
  await discord.start();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'error', NODE_ENV: 'production', WORKER_SCHEDULE: 'off', MARKET_DATA_PROVIDER: 'demo',
      DISCORD_TOKEN: 'bench-token-0123456789', DISCORD_APP_ID: IDS.app, DISCORD_API_URL: discord.api, DISCORD_ADMIN_ROLE_IDS: IDS.adminRole,
    },
  });
  const out = new Map<string, number[]>();
  try {
    const answer = async (c: (typeof SLASH)[number]): Promise<number> => {
      const sent = Date.now();
      const id = discord.sendCommand(c.name, { userId: c.admin ? IDS.admin : IDS.member, roles: c.admin ? [IDS.adminRole] : [], ...(c.subcommand ? { subcommand: c.subcommand } : {}), options: c.options ?? [] });
      const token = new RegExp(`^/webhooks/\\d+/tok-${id}(/|$)`);
      const r = await discord.waitForRequest((x) => token.test(x.path) || (x.path.startsWith(`/interactions/${id}/`) && (x.json as { type?: number }).type === 4), 60_000);
      return r.at - sent;
    };
    for (const deadline = Date.now() + 180_000; ;) {
      if (await answer({ name: 'universe' }).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error('the worker did not answer Discord within 180 s');
    }
    for (let i = 0; i < repeat; i++) {
      for (const c of SLASH) {
        const k = `${c.name}${c.subcommand ? `_${c.subcommand}` : ''}`;
        out.set(k, [...(out.get(k) ?? []), await answer(c).catch(() => Infinity)]);
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    await discord.stop();
  }
  return out;
}

export async function benchAged(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'signaldesk-aged-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  const uriFor = (name: string) => `${db.uri.replace(/\/$/, '')}/${name}`;
  try {
    const { env, jobs } = await writeAgedDatabase(uriFor('aged'));

    const hc = jobs.get('health-check')!;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runJob(hc, env, { trigger: 'cli', now: new Date(Date.now() + i * 5 * 60_000) });
      times.push(r.durationMs);
    }
    const deliver = jobs.get('deliver-outbox')!;
    const dTimes: number[] = [];
    for (let i = 0; i < 3; i++) dTimes.push((await runJob(deliver, env, { trigger: 'cli', now: new Date(Date.now() + (i + 20) * 60_000) })).durationMs);
    await disconnectDatabase();
    line('aged_health_check_ms', `${median(times)} (runs ${times.join(', ')}; target ≤ 500)`);
    line('aged_deliver_outbox_ms', `${median(dTimes)} (runs ${dTimes.join(', ')})`);

    // Warm both databases through the CLI once (indexes, migrations), then alternate.
    await cliMs(uriFor('fresh'), ['jobs']);
    await cliMs(uriFor('aged'), ['jobs']);
    let met = 0;
    for (const c of COMMANDS) {
      const fresh: number[] = [];
      const aged: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        fresh.push((await cliMs(uriFor('fresh'), c)).ms);
        aged.push((await cliMs(uriFor('aged'), c)).ms);
      }
      const f = median(fresh);
      const a = median(aged);
      const ok = a <= f * 1.25 + 100;
      met += ok ? 1 : 0;
      line(`aged_cli_${c.join('_').replace(/[^a-z_]/g, '').replace(/_+$/, '')}_ms`, `${Math.round(f)} · ${Math.round(a)} · ${(a / f).toFixed(2)} · ${ok ? 'met' : 'MISSED'} (fresh · aged · ratio · aged ≤ fresh × 1.25 + 100 ms)`);
    }
    line('aged_cli_targets_met', `${met} of ${COMMANDS.length}`);

    const slashFresh = await slashReplies(uriFor('fresh'), REPEAT + 2);
    const slashAged = await slashReplies(uriFor('aged'), REPEAT + 2);
    let slashMet = 0;
    for (const [k, xs] of slashFresh) {
      const f = median(xs);
      const a = median(slashAged.get(k) ?? [Infinity]);
      const ok = a <= f * 1.25 + 100;
      slashMet += ok ? 1 : 0;
      line(`aged_slash_${k}_ms`, `${Math.round(f)} · ${Math.round(a)} · ${(a / f).toFixed(2)} · ${ok ? 'met' : 'MISSED'} (fresh · aged · ratio · aged ≤ fresh × 1.25 + 100 ms)`);
    }
    line('aged_slash_targets_met', `${slashMet} of ${slashFresh.size}`);

    if (IDLE_S > 0) {
      const idle = await idleCpu(uriFor('aged'), db.pid, IDLE_S);
      line('aged_idle_cpu_pct', `${idle.pct.toFixed(2)} (worker ${idle.workerPct.toFixed(2)} + database server ${idle.serverPct.toFixed(2)}, over ${IDLE_S} s; target ≤ 3)`);
    }
  } finally {
    await db.stop();
    if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb')).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
