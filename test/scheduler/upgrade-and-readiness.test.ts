import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { ObjectId } from 'mongodb';
import mongoose from 'mongoose';
import { PROJECT_ROOT } from '../../src/paths.js';
import { freePort } from '../../src/db/local-server.js';
import { deliverDue } from '../../src/notify/outbox.js';
import type { Sink } from '../../src/notify/sinks/sink.js';
import { insertRun } from '../../src/scheduler/run-store.js';
import { testUri, useTestDatabase } from '../helpers/db.js';
import { DiscordStandIn, IDS } from '../helpers/discord-stand-in.js';

const db = useTestDatabase('upgrade');
const uriOf = (name: string) => `${testUri().replace(/\/$/, '')}/${name}`;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('upgrade from the earlier layout', () => {
  test('two processes starting at once move every run and post once: runs keyed by job|runKey, summaries, queue', async () => {
    const raw = mongoose.connection.db!;
    // Today's layout before this change: ObjectId runs under a unique (job, runKey) index, posts without queue entries.
    await raw.collection('job_runs').createIndex({ job: 1, runKey: 1 }, { unique: true });
    const day = (d: number) => new Date(Date.UTC(2026, 10, 2 + d, 21, 30));
    const legacy = [...Array(12).keys()].map((d) => ({
      _id: new ObjectId(), job: 'portfolio-digest', runKey: day(d).toISOString().slice(0, 10), status: 'succeeded', tradingDate: day(d).toISOString().slice(0, 10),
      trigger: 'schedule', attempt: 1, worker: 'old:1', startedAt: day(d), leaseUntil: day(d), finishedAt: day(d), durationMs: 40, error: null as string | null, summary: { posted: true }, dueAt: day(d),
    }));
    legacy.push({ ...legacy[0]!, _id: new ObjectId(), job: 'generate-signal', runKey: '2026-11-13', status: 'failed', attempt: 1, error: 'provider down', startedAt: new Date(), finishedAt: new Date() });
    await raw.collection('job_runs').insertMany(legacy);
    const row = (key: string, status: string) => ({ _id: new ObjectId(), idempotencyKey: key, channelKey: 'ops', post: { kind: 'ops', title: key }, status, attempts: 0, nextAttemptAt: new Date(0), leaseUntil: null, lastError: null, createdAt: new Date(), sentAt: null, sink: null, destination: null });
    await raw.collection('outbox').insertMany([row('waiting', 'pending'), row('given-up', 'dead'), row('done', 'sent')]);
    // Bar series under ObjectIds and the unique (symbol, year) index.
    await raw.collection('bar_series').createIndex({ symbol: 1, year: 1 }, { unique: true });
    const { encodeBars } = await import('../../src/market-data/bar-codec.js');
    const series = ['SPX', 'AAPL'].flatMap((symbol) => [2025, 2026].map((year) => ({
      _id: new ObjectId(), symbol, year, data: Buffer.from(encodeBars([{ symbol, date: `${year}-03-02`, open: 1, high: 2, low: 0.5, close: 1.5, volume: 9, synthetic: false }])),
      firstDate: `${year}-03-02`, lastDate: `${year}-03-02`, count: 1, source: 'old', rev: 1, updatedAt: new Date(),
    })));
    await raw.collection('bar_series').insertMany(series);

    const env = { MONGODB_URI: uriOf(db.name) };
    const [a, b] = await Promise.all([cli(['jobs', '--json'], env), cli(['jobs', '--json'], env)]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);

    const runs = await raw.collection('job_runs').find({}).toArray();
    assert.equal(runs.length, legacy.length, 'each run moved once');
    assert.ok(runs.every((r) => typeof r._id === 'string' && r._id === `${String(r.job)}|${String(r.runKey)}`));
    assert.deepEqual((await raw.collection('bar_series').find({}).toArray()).map((d) => String(d._id)).sort(), ['AAPL|2025', 'AAPL|2026', 'SPX|2025', 'SPX|2026'], 'each bar series re-keyed once');
    assert.deepEqual((await raw.collection('migrations').find({}).toArray()).map((m) => String(m._id)).filter((id) => !id.startsWith('indexes:')).sort(), ['2026-12-bar-series-by-key', '2026-12-job-runs-by-key', '2026-12-main-config-seed', '2026-12-outbox-queue', '2026-12-scan-results-by-key', '2026-12-trades-per-fill', '2026-12-watch-rules-by-member']);
    // The main portfolio's version 1 is written by the start, not by a read: once, though two processes started together.
    assert.deepEqual((await raw.collection('trading_configs').find({ portfolio: 'main' }).toArray()).map((c) => c.version), [1]);
    const listed = JSON.parse(a.out) as Array<{ name: string; lastRun: { runKey: string } | null }>;
    assert.equal(listed.find((j) => j.name === 'portfolio-digest')?.lastRun?.runKey, '2026-11-13', 'the last run, from the summary built at upgrade');
    assert.deepEqual((await raw.collection('open_runs').find({}).toArray()).map((o) => o._id), ['generate-signal|2026-11-13'], 'the failed run can still be retried');
    assert.deepEqual((await raw.collection('outbox_dead').find({}).toArray()).map((o) => o._id), ['given-up']);

    // The post that waited before the upgrade goes out once; the sent one is not sent again.
    const sent: string[] = [];
    const sink: Sink = { name: 'console', send: async (d) => (sent.push(d.idempotencyKey), { sink: 'console' }) };
    await deliverDue({ sinkFor: () => sink });
    await deliverDue({ sinkFor: () => sink });
    assert.deepEqual(sent, ['waiting']);
  });
});


describe('a worker back after downtime', () => {
  test('answers /healthz, says "catch-up: n of m" on /readyz, and answers a slash command while it catches up; /health shows the progress', async () => {
    const name = `${db.name}_w`;
    const discord = new DiscordStandIn();
    await discord.start();
    // The last run was days ago: several daily slots are due again. Recorded through the product's own path.
    await insertRunIn(name, new Date(Date.now() - 4 * 86_400_000));

    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env, MONGODB_URI: uriOf(name), METRICS_PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '1000',
        DISCORD_TOKEN: 'readiness-token-0123456789', DISCORD_APP_ID: IDS.app, DISCORD_API_URL: discord.api, DISCORD_ADMIN_ROLE_IDS: IDS.adminRole,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      let during: string | undefined;
      let healthz: number | undefined;
      const answers = new Set<string>(); // every distinct /readyz answer, for the message if the catch-up is never seen
      // Wait for the event itself (an outer limit only catches a hang).
      for (const deadline = Date.now() + 120_000; !during && Date.now() < deadline && child.exitCode === null;) {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch((e: unknown) => (answers.add(`no answer: ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}`), undefined));
        const text = r ? await r.text() : '';
        if (r) answers.add(`${r.status} ${text.trim().slice(0, 120)}`);
        if (r?.status === 503 && /catch-up: \d+ of \d+ runs/.test(text)) {
          during = text;
          healthz = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
        } else await new Promise((res) => setTimeout(res, 50));
      }
      assert.ok(during, `saw /readyz during the catch-up (answers: ${[...answers].slice(0, 12).join(' | ')}; exit ${child.exitCode}; stderr: ${err.slice(0, 500)})`);
      assert.equal(healthz, 200, '/healthz answers while the worker catches up');
      // A member's command is answered while the catch-up still runs (the bot started before it).
      const id = discord.sendCommand('jobs', { subcommand: 'list' });
      const answer = await discord.waitForRequest((r) => r.path.includes(`tok-${id}/messages/@original`) && r.method === 'PATCH', 60_000);
      const still = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(still.status, 503, 'the catch-up was still running when the answer came');
      assert.match(JSON.stringify(answer.json), /Catching up on .*: \d+ of \d+ runs|Jobs \(/);
      const h = await cli(['health', '--json'], { MONGODB_URI: uriOf(name) });
      const report = JSON.parse(h.out) as { catchUps: Array<{ state: string; total: number }> };
      assert.ok(report.catchUps.some((c) => (c.state === 'running' || c.state === 'done') && c.total > 0), `/health shows the catch-up: ${JSON.stringify(report.catchUps)}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await discord.stop();
      await mongoose.connection.getClient().db(name).dropDatabase().catch(() => undefined);
    }
  });
});

describe('a worker on a new database', () => {
  test('is ready once it started: nothing to catch up is a finished catch-up', async () => {
    const name = `${db.name}_new`;
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MONGODB_URI: uriOf(name), METRICS_PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '1000', DISCORD_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      let last = '';
      for (const deadline = Date.now() + 120_000; Date.now() < deadline && child.exitCode === null;) {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        last = r ? `${r.status} ${await r.text()}` : 'no answer';
        if (r?.status === 200) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(last.trim(), '200 ready');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await mongoose.connection.getClient().db(name).dropDatabase().catch(() => undefined);
    }
  });
});

/** A finished run of an every-minute job at `at`, in database `name` (what a worker that stopped then leaves). */
async function insertRunIn(name: string, at: Date): Promise<void> {
  const current = mongoose.connection.name;
  await mongoose.disconnect();
  await mongoose.connect(testUri(), { dbName: name, autoIndex: false });
  try {
    await insertRun({ job: 'deliver-outbox', runKey: at.toISOString().slice(0, 16), status: 'succeeded', tradingDate: null, trigger: 'schedule', attempt: 1, worker: 'w', startedAt: at, leaseUntil: at, finishedAt: at, durationMs: 3, error: null, summary: null, dueAt: at });
  } finally {
    await mongoose.disconnect();
    await mongoose.connect(testUri(), { dbName: current, autoIndex: false });
  }
}
