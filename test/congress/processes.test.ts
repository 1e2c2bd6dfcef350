import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { syncCongress } from '../../src/congress/congress-service.js';
import { followCongress } from '../../src/congress/congress-views.js';
import { CongressFiling, CongressIndex, CongressTrade } from '../../src/db/models/congress.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { clearCollections, testEnv, testUri, useTestDatabase } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';
import { zipOf } from '../helpers/zip.js';

const db = useTestDatabase('congress-procs');
const server = useReplayServer();
const fx = (p: string) => readFileSync(new URL(`../fixtures/congress/${p}`, import.meta.url));
const NEW = ['20017980', '20022132'];
const indexWithout = (...ids: string[]) => {
  let xml = fx('house/2021FD.xml').toString('utf8');
  for (const id of ids) xml = xml.replace(new RegExp(`<Member>(?:(?!</Member>)[\\s\\S])*?<DocID>${id}</DocID>\\s*</Member>`), '');
  return zipOf({ '2021FD.xml': Buffer.from(xml, 'utf8') });
};

function childSync(env: Record<string, string>, at: string): { proc: ChildProcess; done: Promise<unknown> } {
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    const { parseEnvVars } = await import('./src/config/env.ts');
    const { syncCongress } = await import('./src/congress/congress-service.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(db.name)}, { maxPoolSize: 10 });
    const r = await syncCongress(parseEnvVars(process.env), new Date(${JSON.stringify(at)}));
    process.stdout.write(JSON.stringify({ newFilings: r.newFilings, transactions: r.transactions }) + '\\n');
    await disconnectDatabase();
    process.exit(0);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise((resolve, reject) => proc.on('exit', (code, signal) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : signal ? resolve({ killed: signal }) : reject(new Error(`child exited ${code}: ${err.slice(-1500)}`)))));
  return { proc, done };
}

/** Seed: a first sync that knows neither Lee's nor Aderholt's filing, and three members' rules. */
async function seed(vars: Record<string, string>): Promise<void> {
  await clearCollections();
  server.on('GET', '/public_disc/financial-pdfs/2021FD.zip', { bytes: indexWithout('20017980', '20022132'), headers: { etag: '"a"' } }, { bytes: indexWithout(), headers: { etag: '"b"' } });
  server.on('GET', '/senate/search/home/', { status: 403, fixture: '../congress/senate/access-denied.html' });
  for (const id of ['20013811', '20016766', '8217326']) server.on('GET', `/public_disc/ptr-pdfs/2021/${id}.pdf`, { bytes: fx(`house/${id}.pdf`) });
  await syncCongress(testEnv(vars), new Date('2021-01-12T15:00:00Z'));
  await followCongress('300000000000000001', 'ticker', 'TSLA');
  await followCongress('300000000000000002', 'amount', '1000');
  await followCongress('300000000000000003', 'member', 'Alan Lowenthal');
}

async function assertOnce(): Promise<void> {
  assert.equal(await CongressFiling.countDocuments({}), 5);
  assert.equal(await CongressTrade.countDocuments({}), 62, 'each transaction once');
  const day = ((await CongressIndex.findById('d|2021-01-11').lean())?.entries ?? []) as Array<{ id: string }>;
  assert.equal(day.length, 58, 'Lee 57 + Aderholt 1 indexed once each');
  assert.equal(new Set(day.map((e) => e.id)).size, 58);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:filing:/ }), 2, 'one channel post per new filing');
  assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000001:/ }), 1, 'TSLA follower: Aderholt only');
  assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000002:/ }), 2, 'amount follower: both');
  assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000003:/ }), 0, 'Lowenthal filed nothing new');
}

describe('congress-sync across processes', () => {
  for (const n of [2, 4]) {
    test(`${n} processes syncing the same new filings at once: each transaction stored once, each post and DM once`, async () => {
      const vars = { CONGRESS_PROVIDER: 'official', HOUSE_DISCLOSURE_URL: server.url, SENATE_EFD_URL: `${server.url}/senate`, CONGRESS_CALLS_PER_MIN: '6000', MONGODB_URI: testUri() };
      await seed(vars);
      for (const id of NEW) server.on('GET', `/public_disc/ptr-pdfs/2021/${id}.pdf`, { bytes: fx(`house/${id}.pdf`) });
      const results = await Promise.all(Array.from({ length: n }, () => childSync(vars, '2021-01-12T17:00:00Z').done)) as Array<{ newFilings: number }>;
      assert.equal(results.reduce((s, r) => s + r.newFilings, 0), 2, 'two new filings, stored by whichever process got there first');
      await assertOnce();
    });
  }

  test('kill -9 mid-sync: nothing half-stored or half-posted; the next sync completes it once', async () => {
    const vars = { CONGRESS_PROVIDER: 'official', HOUSE_DISCLOSURE_URL: server.url, SENATE_EFD_URL: `${server.url}/senate`, CONGRESS_CALLS_PER_MIN: '6000', MONGODB_URI: testUri() };
    await seed(vars);
    // Lee's PDF answers slowly: the child is killed while it reads the new filings.
    server.on('GET', '/public_disc/ptr-pdfs/2021/20017980.pdf', { bytes: fx('house/20017980.pdf') });
    server.on('GET', '/public_disc/ptr-pdfs/2021/20022132.pdf', { bytes: fx('house/20022132.pdf'), delayMs: 8_000 }, { bytes: fx('house/20022132.pdf') });
    const c = childSync(vars, '2021-01-12T17:00:00Z');
    for (let i = 0; i < 200 && server.requestsTo('/public_disc/ptr-pdfs/2021/20022132.pdf').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    c.proc.kill('SIGKILL');
    assert.deepEqual(await c.done, { killed: 'SIGKILL' });
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:/ }), 0, 'nothing posted by the killed sync');
    await syncCongress(testEnv(vars), new Date('2021-01-12T19:00:00Z'));
    await assertOnce();
  });
});
