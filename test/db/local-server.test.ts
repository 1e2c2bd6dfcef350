import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

test('the launcher starts a real server that answers ping, and stop leaves no port and no process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-launch-'));
  const db = await startFerretDb({ dir });
  try {
    assert.equal(db.kind, 'ferretdb');
    assert.equal(db.owned, true);
    assert.ok(db.pid && alive(db.pid), 'server process is running');
    const client = await new MongoClient(db.uri).connect();
    const pong = await client.db('admin').command({ ping: 1 });
    assert.equal(pong.ok, 1);
    await client.db('x').collection('c').insertOne({ a: 1 });
    assert.equal(await client.db('x').collection('c').countDocuments(), 1);
    await client.close();
  } finally {
    await db.stop();
  }
  assert.equal(await portAccepts(portOf(db.uri)), false, 'port is closed after stop');
  assert.equal(await waitFor(() => !alive(db.pid!), 3000), true, 'no child process remains');
  rmSync(dir, { recursive: true, force: true });
});

test('killing the parent with SIGKILL stops the server it started (no orphan)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-orphan-'));
  const script = `
    import { startFerretDb } from './src/db/local-server.ts';
    const db = await startFerretDb({ dir: ${JSON.stringify(dir)}, });
    process.stdout.write(JSON.stringify({ pid: db.pid, uri: db.uri }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<{ pid: number; uri: string }>((res, rej) => {
    parent.stdout.once('data', (d: Buffer) => res(JSON.parse(d.toString()) as { pid: number; uri: string }));
    parent.once('exit', (c) => rej(new Error(`parent exited early: ${c}`)));
  });
  assert.ok(alive(info.pid), 'server started by the parent is alive');
  parent.kill('SIGKILL');
  assert.equal(await waitFor(() => !alive(info.pid), 5000), true, 'server exits when its parent is killed');
  assert.equal(await portAccepts(portOf(info.uri)), false);
  rmSync(dir, { recursive: true, force: true });
});

test('a second launcher on the same data folder reuses the running server instead of starting another', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-reuse-'));
  const first = await startFerretDb({ dir });
  try {
    const second = await startFerretDb({ dir });
    assert.equal(second.uri, first.uri);
    assert.equal(second.owned, false);
    await second.stop(); // not the owner: must not stop the server
    const client = await new MongoClient(first.uri).connect();
    assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
    await client.close();
  } finally {
    await first.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MONGODB_URI wins over every local server', async () => {
  const db = await resolveDatabase({ mongodbUri: 'mongodb://db.example:27017/prod' });
  assert.equal(db.kind, 'external');
  assert.equal(db.uri, 'mongodb://db.example:27017/prod');
  assert.equal(db.owned, false);
});
