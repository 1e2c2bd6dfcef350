import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { startFerretDb, resolveDatabase } from '../../src/db/local-server.js';

function portOf(uri: string): number {
  return Number(/:(\d+)\//.exec(uri)?.[1]);
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** A separate process that joins the folder's shared server and prints what it got. */
function joinInChild(dir: string, extra = ''): { child: ChildProcess; info: Promise<{ pid: number; uri: string; owned: boolean }> } {
  const script = `
    import { startFerretDb } from './src/db/local-server.ts';
    const db = await startFerretDb({ dir: ${JSON.stringify(dir)}, idleGraceMs: 300 });
    process.stdout.write(JSON.stringify({ pid: db.pid, uri: db.uri, owned: db.owned }) + '\\n');
    ${extra}
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = new Promise<{ pid: number; uri: string; owned: boolean }>((res, rej) => {
    child.stdout!.once('data', (d: Buffer) => res(JSON.parse(d.toString()) as { pid: number; uri: string; owned: boolean }));
    child.once('exit', (c) => rej(new Error(`child exited early: ${c}`)));
  });
  return { child, info };
}

async function ping(uri: string): Promise<number> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 }).connect();
  try {
    return (await client.db('admin').command({ ping: 1 })).ok as number;
  } finally {
    await client.close();
  }
}

test('the shared server answers, and stops a short grace after its last client leaves (no process, no port)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-launch-'));
  const db = await startFerretDb({ dir, idleGraceMs: 300 });
  assert.equal(db.kind, 'ferretdb');
  assert.ok(db.pid && alive(db.pid), 'server process is running');
  assert.equal(await ping(db.uri), 1);
  await db.stop();
  assert.equal(await waitFor(() => !alive(db.pid!), 30_000), true, 'the server exits once nobody uses it');
  assert.equal(await portAccepts(portOf(db.uri)), false, 'port is closed');
  rmSync(dir, { recursive: true, force: true });
});

test('a client killed with SIGKILL: the server still stops after the grace (no orphan)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-orphan-'));
  const { child, info } = joinInChild(dir);
  const { pid, uri } = await info;
  assert.ok(alive(pid));
  child.kill('SIGKILL');
  assert.equal(await waitFor(() => !alive(pid), 30_000), true, 'server exits when its only client is killed');
  assert.equal(await portAccepts(portOf(uri)), false);
  rmSync(dir, { recursive: true, force: true });
});

test('the process that started the server leaving does not take it away from the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-reuse-'));
  const first = joinInChild(dir);
  const started = await first.info;
  assert.equal(started.owned, true);
  const second = await startFerretDb({ dir, idleGraceMs: 300 });
  try {
    assert.equal(second.uri, started.uri);
    assert.equal(second.owned, false);
    first.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_500)); // well past the grace
    assert.ok(alive(started.pid), 'server still up for the remaining client');
    assert.equal(await ping(second.uri), 1);
  } finally {
    await second.stop();
  }
  assert.equal(await waitFor(() => !alive(started.pid), 30_000), true);
  rmSync(dir, { recursive: true, force: true });
});

test('five parallel cold starts on one folder start exactly one server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-cold-'));
  const kids = Array.from({ length: 5 }, () => joinInChild(dir));
  try {
    const infos = await Promise.all(kids.map((k) => k.info));
    assert.equal(new Set(infos.map((i) => i.pid)).size, 1, 'one server pid');
    assert.equal(new Set(infos.map((i) => i.uri)).size, 1, 'one address');
    const servers = execFileSync('pgrep', ['-f', '--', `-shared -dir ${dir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    assert.equal(servers.length, 1, `one localdb process for the folder (found ${servers.length})`);
  } finally {
    for (const k of kids) k.child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a server that dies is started again on the same port, and a connected client carries on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-restart-'));
  const db = await startFerretDb({ dir, idleGraceMs: 300 });
  const client = await new MongoClient(db.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    await client.db('x').collection('c').insertOne({ a: 1 });
    const firstPid = db.pid!;
    const firstUri = db.uri;
    process.kill(firstPid, 'SIGKILL');
    assert.equal(await waitFor(() => !alive(firstPid), 30_000), true);
    await db.ensureRunning();
    assert.notEqual(db.pid, firstPid, 'a new server process');
    // Same port: a new client on the address the first server had finds the restarted one.
    assert.equal(portOf(db.uri), portOf(firstUri));
    const fresh = await new MongoClient(firstUri, { serverSelectionTimeoutMS: 5_000 }).connect();
    assert.equal((await fresh.db('x').command({ ping: 1 })).ok, 1);
    await fresh.close();
    // The same driver, untouched, reconnects to the same address and finds the data on disk.
    await client.db('x').collection('c').insertOne({ a: 2 });
    assert.equal(await client.db('x').collection('c').countDocuments(), 2);
  } finally {
    await client.close();
    await db.stop();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('an unusable data folder fails with the path and the reason', async () => {
  // The reason is the system's own (no such folder, or no permission), inside the parentheses.
  await assert.rejects(startFerretDb({ dir: '/proc/1/nope/ferretdb' }), (err: Error) => /cannot use "\/proc\/1\/nope\/ferretdb" for the embedded database \((?=[^)]*(ENOENT|EACCES|ENOTDIR|EPERM|no such file|permission denied))[^)]+\)/i.test(err.message));
});

test('MONGODB_URI wins over every local server', async () => {
  const db = await resolveDatabase({ mongodbUri: 'mongodb://db.example:27017/prod' });
  assert.equal(db.kind, 'external');
  assert.equal(db.uri, 'mongodb://db.example:27017/prod');
  assert.equal(db.owned, false);
});

test('a remembered port held by another program: the server starts on a new port at once, and clients find it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-port-'));
  const first = await startFerretDb({ dir, idleGraceMs: 300 });
  const port = portOf(first.uri);
  await first.stop();
  assert.equal(await waitFor(() => !alive(first.pid!), 30_000), true);
  // As a new user met it: after a reboot a plain HTTP server holds the port the folder remembers.
  const squatter = createHttpServer((_q, r) => r.end('not a database'));
  await new Promise<void>((res) => squatter.listen(port, '127.0.0.1', res));
  const copy = mkdtempSync(join(tmpdir(), 'sd-port-copy-'));
  try {
    // A short start limit: the old helper retried the held port until the limit and failed ("address already in use").
    const again = await startFerretDb({ dir, idleGraceMs: 300, timeoutMs: 10_000 });
    assert.notEqual(portOf(again.uri), port, 'a new port');
    assert.equal(await ping(again.uri), 1);
    // A copied folder used beside its original (the original still serving): the copy gets its own port too.
    cpSync(dir, copy, { recursive: true, filter: (src) => !/server\.(json|lock)$|clients/.test(src) });
    const twin = await startFerretDb({ dir: copy, idleGraceMs: 300, timeoutMs: 10_000 });
    assert.notEqual(portOf(twin.uri), portOf(again.uri));
    assert.equal(await ping(twin.uri), 1);
    await twin.stop();
    await again.stop();
    assert.equal(await waitFor(() => !alive(again.pid!) && !alive(twin.pid!), 30_000), true);
  } finally {
    squatter.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  }
});

test("an _id lookup on the embedded FerretDB searches an index instead of scanning the table (the helper indexes the lookup's own expression)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-idx-'));
  const planOf = async (uri: string): Promise<string> => {
    const client = await new MongoClient(uri).connect();
    try {
      return JSON.stringify(((await client.db('idx_test').collection<{ _id: string }>('things').find({ _id: 'k42' }).explain()) as { queryPlanner?: { Plan?: unknown } }).queryPlanner?.Plan ?? '');
    } finally {
      await client.close();
    }
  };
  try {
    const first = await startFerretDb({ dir, idleGraceMs: 300 });
    const client = await new MongoClient(first.uri).connect();
    await client.db('idx_test').collection<{ _id: string; n: number }>('things').insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: `k${i}`, n: i })));
    await client.close();
    await new Promise((r) => setTimeout(r, 1_500)); // the helper indexes a changed database file within a second
    await first.stop();
    assert.equal(await waitFor(() => !alive(first.pid!), 30_000), true);
    // FerretDB's own _id index is on another expression: without ours every lookup is a SCAN of the table.
    const again = await startFerretDb({ dir, idleGraceMs: 300 });
    assert.match(await planOf(again.uri), /SEARCH .* USING INDEX .*_sd_id/);
    await again.stop();
    await waitFor(() => !alive(again.pid!), 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
