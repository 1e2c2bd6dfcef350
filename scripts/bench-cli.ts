// `npm run bench -- --cli`: how quickly the CLI answers, as an operator runs it (`signaldesk …`, i.e.
// `node bin/signaldesk.js …`), medians of --repeat runs (default 10). Prints, one per line:
//   node_version             the runtime the CLI ran on
//   cli_help_ms              `signaldesk --help`                                    (target ≤ 150)
//   cli_read_warm_ms         the slowest read's median, the embedded server already up (target ≤ 500)
//   cli_read_cold_ms         the same when the CLI starts the embedded server itself (target ≤ 1,200)
//   cli_<command>_{warm,cold}_ms  per read command
//   cli_aged_<command>_ms    fresh · aged · ratio · target (aged ≤ fresh × 1.25 + 100 ms), on a database aged by a year
// The database: a fresh folder seeded with the demo day (fetch, signal, trades, a scan) through the CLI itself.
// BENCH_CLI_ROOT=/path/to/another/checkout measures that checkout's CLI on the same data (before/after).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disconnectDatabase } from '../src/db/connection.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { writeAgedDatabase } from './age-database.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const REPEAT = arg('--repeat', 10);
const ROOT = process.env.BENCH_CLI_ROOT ?? PROJECT_ROOT;
const AGED = !process.argv.includes('--no-aged');

/** The reads the issue names, each as an operator types it. */
export const CLI_READS: string[][] = [['portfolio'], ['jobs'], ['health'], ['trades'], ['scan'], ['signal', 'show']];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (name: string, text: string | number) => process.stdout.write(`${name} ${text}\n`);

function cli(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const t = performance.now();
    let out = '';
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'signaldesk.js'), ...args], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ ms: performance.now() - t, code, out }));
  });
}

async function must(args: string[], env: Record<string, string>): Promise<void> {
  const r = await cli(args, env);
  if (r.code !== 0) throw new Error(`signaldesk ${args.join(' ')} exited ${r.code}: ${r.out.slice(-2_000)}`);
}

export async function benchCli(): Promise<void> {
  const version = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  line('node_version', `${version} (${process.execPath})`);
  const dir = mkdtempSync(join(tmpdir(), 'signaldesk-cli-'));
  const local = { LOCAL_DB_DIR: dir, MONGODB_URI: '' };
  try {
    // The demo day, made through the CLI (the first run also starts the server and fills the compile cache).
    for (const a of [
      ['run', 'fetch-market-data', '--date', '2020-03-16'], ['run', 'next-day-prep', '--date', '2020-03-16'],
      ['run', 'generate-signal', '--date', '2020-03-17'], ['run', 'execute-trades', '--date', '2020-03-17'],
    ]) await must(a, local);

    const help: number[] = [];
    for (let i = 0; i < REPEAT; i++) help.push((await cli(['--help'], local)).ms);
    line('cli_help_ms', `${Math.round(median(help))} (target ≤ 150)`);

    // Warm: this process is a client of the folder's server, so it stays up between the CLI runs. The server
    // started after the seeding: the helper's _id-lookup indexes serve from a server's next start (every
    // deployment's state after its first restart; tools/localdb/idindex.go).
    await waitForServerExit(join(dir, 'ferretdb'), 30_000);
    const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true });
    const warm = new Map<string, number>();
    for (const c of CLI_READS) {
      const xs: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const r = await cli([...c, '--json'], local);
        if (r.code !== 0) throw new Error(`signaldesk ${c.join(' ')} exited ${r.code}: ${r.out.slice(-1_000)}`);
        xs.push(r.ms);
      }
      warm.set(c.join('_'), median(xs));
      line(`cli_${c.join('_')}_warm_ms`, Math.round(median(xs)));
    }
    const worstWarm = Math.max(...warm.values());
    line('cli_read_warm_ms', `${Math.round(worstWarm)} (the slowest read's median of ${REPEAT}; target ≤ 500)`);

    let aged: { uri: string; fresh: string } | undefined;
    if (AGED) {
      const uriFor = (name: string) => `${db.uri.replace(/\/$/, '')}/${name}`;
      await writeAgedDatabase(uriFor('aged'));
      await disconnectDatabase();
      // The fresh twin of the aged database: the demo day again, on the same server, by URI like the aged one.
      for (const a of [
        ['run', 'fetch-market-data', '--date', '2020-03-16'], ['run', 'next-day-prep', '--date', '2020-03-16'],
        ['run', 'generate-signal', '--date', '2020-03-17'], ['run', 'execute-trades', '--date', '2020-03-17'],
      ]) {
        await must(a, { MONGODB_URI: uriFor('fresh') });
        await must(a, { MONGODB_URI: uriFor('aged') });
      }
      aged = { uri: uriFor('aged'), fresh: uriFor('fresh') };
      let met = 0;
      for (const c of CLI_READS) {
        const f: number[] = [];
        const a: number[] = [];
        for (let i = 0; i < REPEAT; i++) {
          f.push((await cli([...c, '--json'], { MONGODB_URI: aged.fresh })).ms);
          a.push((await cli([...c, '--json'], { MONGODB_URI: aged.uri })).ms);
        }
        const fm = median(f);
        const am = median(a);
        const ok = am <= fm * 1.25 + 100;
        met += ok ? 1 : 0;
        line(`cli_aged_${c.join('_')}_ms`, `${Math.round(fm)} · ${Math.round(am)} · ${(am / fm).toFixed(2)} · ${ok ? 'met' : 'MISSED'} (fresh · aged · ratio · aged ≤ fresh × 1.25 + 100 ms)`);
      }
      line('cli_aged_targets_met', `${met} of ${CLI_READS.length}`);
    }

    // Cold: nobody holds the server; each CLI run starts it and leaves it to stop after its idle grace.
    await db.stop();
    const server = join(dir, 'ferretdb');
    const cold = new Map<string, number>();
    for (const c of CLI_READS) {
      const xs: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        if (!(await waitForServerExit(server, 30_000))) throw new Error('the embedded server did not stop between cold runs');
        const r = await cli([...c, '--json'], local);
        if (r.code !== 0) throw new Error(`signaldesk ${c.join(' ')} exited ${r.code}: ${r.out.slice(-1_000)}`);
        xs.push(r.ms);
      }
      cold.set(c.join('_'), median(xs));
      line(`cli_${c.join('_')}_cold_ms`, Math.round(median(xs)));
    }
    line('cli_read_cold_ms', `${Math.round(Math.max(...cold.values()))} (the slowest read's median of ${REPEAT}; target ≤ 1,200)`);
    await waitForServerExit(server, 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
