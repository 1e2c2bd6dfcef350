import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { AGENDA_COLLECTION } from '../../src/scheduler/worker.js';
import { runCli } from '../../src/cli/cli.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { testUri } from '../helpers/db.js';

const dbName = `t_cli_${randomBytes(3).toString('hex')}`;
const uri = `${testUri().replace(/\/$/, '')}/${dbName}`;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: { MONGODB_URI: uri, LOG_LEVEL: 'silent' } });
  return { code, out, err };
}

describe('CLI', () => {
  after(async () => {
    const c = await new MongoClient(testUri()).connect();
    await c.db(dbName).dropDatabase();
    await c.close();
  });

  test('run --json prints one JSON document; the post goes to stderr', async () => {
    const r = await cli(['run', 'fetch-market-data', '--date', '2020-03-16', '--json']);
    assert.equal(r.code, 0, r.err);
    const data = JSON.parse(r.out) as { status: string; date: string; summary: { inserted: number } };
    assert.equal(data.status, 'succeeded');
    assert.equal(data.date, '2020-03-16');
    assert.ok(data.summary.inserted > 0);
    assert.match(r.err, /\[ops\] Market data · 2020-03-16/);
  });

  test('jobs --json and health --json share the services the slash commands use', async () => {
    const jobs = await cli(['jobs', '--json']);
    assert.equal(jobs.code, 0);
    const list = JSON.parse(jobs.out) as Array<{ name: string; cron: string | null; lastRun: { status: string } | null }>;
    const fetch = list.find((j) => j.name === 'fetch-market-data');
    assert.equal(fetch?.cron, '35 16 * * 1-5');
    assert.equal(fetch?.lastRun?.status, 'succeeded');
    const health = await cli(['health', '--json']);
    const report = JSON.parse(health.out) as { database: { ok: boolean; kind: string } };
    assert.equal(report.database.ok, true);
  });

  test('why: explains a stored signal in sentences (--json: the same data); no signal on a closed day says why', async () => {
    const gen = await cli(['run', 'generate-signal', '--date', '2020-03-16']);
    assert.equal(gen.code, 0, gen.err);
    const w = await cli(['why', '--date', '2020-03-16', '--json']);
    assert.equal(w.code, 0, w.err);
    const data = JSON.parse(w.out) as { action: string; tradeDate: string; sentences: string[]; terms: Array<{ label: string }> };
    assert.equal(data.tradeDate, '2020-03-16');
    assert.match(data.sentences[0]!, new RegExp(`^${data.action} on 2020-03-16, decided by config v\\d+`));
    assert.deepEqual(data.terms.map((t) => t.label), ['momentum × 0.5', 'SMA-20 × 0.3', 'SMA-50 × 0.2']);
    const closed = await cli(['why', '--date', '2020-03-15']);
    assert.equal(closed.code, 2);
    assert.match(closed.err, /the market is closed \(weekend\)/);
    const bad = await cli(['why', '--trade', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /"nope" is not a trade id/);
  });

  test('bad input: unknown command, unknown job, bad date — clear message, exit 2, nothing run', async () => {
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"; allowed: /);
    for (const c of ['run', 'jobs', 'health', 'portfolio', 'trades', 'pnl', 'signal', 'config', 'backtest']) assert.match(unknown.err, new RegExp(`allowed: .*\\b${c}\\b`));
    const job = await cli(['run', 'fetch-everything']);
    assert.equal(job.code, 2);
    assert.match(job.err, /There is no job "fetch-everything". Jobs: .*fetch-market-data/);
    const date = await cli(['run', 'fetch-market-data', '--date', '16/03/2020']);
    assert.equal(date.code, 2);
    assert.match(date.err, /YYYY-MM-DD/);
    const history = await cli(['jobs', 'history', 'fetch-market-data', '--json']);
    assert.equal((JSON.parse(history.out) as unknown[]).length, 1, 'only the one real run is on record');
  });
});

describe('worker process', () => {
  test('SIGTERM with a run in flight: the worker finishes the run, records it, and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URI: uri, LOG_LEVEL: 'info', NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '120000', WORKER_SCHEDULE: 'off', WORKER_POLL_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const client = await new MongoClient(uri).connect();
    try {
      while (!out.includes('worker running') && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /worker running/);
      // A scan of the whole universe, queued for the worker the way /rerun queues it.
      const agenda = new Agenda({ backend: new MongoBackend({ mongo: client.db(dbName), collection: AGENDA_COLLECTION }) });
      await agenda.now('next-day-prep', { date: '2020-03-13', trigger: 'cli', requestId: randomBytes(8).toString('hex') });
      const runs = client.db(dbName).collection<{ _id: string; status: string }>('job_runs');
      while ((await runs.findOne({ _id: 'next-day-prep|2020-03-13' }))?.status !== 'running') {
        assert.equal(child.exitCode, null, 'the worker is still up');
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /stopping: draining running jobs/);
      assert.equal((await runs.findOne({ _id: 'next-day-prep|2020-03-13' }))?.status, 'succeeded', 'the run in flight was finished and recorded before the exit');
      assert.match(out, /"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await client.close();
    }
  });

  test('killing the wrapper that started it (npm, tsx, a shell) stops the worker too', async () => {
    // A wrapper that does not forward signals, killed outright: what killing `npm start` does.
    const wrapper = spawn('sh', ['-c', `"${process.execPath}" --import tsx src/main.ts worker & wait`], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URI: uri, LOG_LEVEL: 'info', NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    wrapper.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('worker running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const workerPid = Number(/"pid":(\d+)/.exec(out)?.[1]);
    assert.ok(workerPid > 0 && workerPid !== wrapper.pid, 'the worker is a process of its own');
    wrapper.kill('SIGKILL');
    const alive = () => { try { process.kill(workerPid, 0); return true; } catch { return false; } };
    const until = Date.now() + 15_000;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(alive(), false, 'the worker exited after its parent was killed');
  });
});
