import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { addWatch } from '../../src/analysis/watch-service.js';
import { NewsArticle, NewsIndex, NewsUrl } from '../../src/db/models/info.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { RateSlot } from '../../src/db/models/rate-slot.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { clearCollections, testUri, useTestDatabase } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

const db = useTestDatabase('info-procs');
const server = useReplayServer();

/** A separate process of ours on the test database: runs `body` (an async function's text) and prints its JSON result. */
function child(body: string, env: Record<string, string> = {}): Promise<unknown> {
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(db.name)}, { maxPoolSize: 10 });
    const result = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(result) + '\\n');
    await disconnectDatabase();
    process.exit(0);
  `;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}: ${err.slice(-1_500)}`))));
  });
}

describe('the information layer across processes', () => {
  for (const n of [2, 4]) {
    test(`${n} processes take a provider's per-minute places: never more than the limit in any window, every request served`, async () => {
      await clearCollections();
      // A 1-second "minute" and a limit of 3: the same code path as Polygon's 5 a minute, at speed.
      const body = `
        const { takeRateSlot } = await import('./src/market-data/http/rate-gate.ts');
        const got = [];
        for (let i = 0; i < 6; i++) got.push((await takeRateSlot('gate-test', 3, Date.now, (ms) => new Promise((r) => setTimeout(r, ms)), 1000)).minute);
        return got;`;
      const results = (await Promise.all(Array.from({ length: n }, () => child(body)))) as number[][];
      const windows = new Map<number, number>();
      for (const w of results.flat()) windows.set(w, (windows.get(w) ?? 0) + 1);
      assert.equal(results.flat().length, 6 * n, 'every request got a place');
      assert.ok([...windows.values()].every((c) => c <= 3), `at most 3 a window: ${JSON.stringify([...windows])}`);
      assert.ok(windows.size >= Math.ceil((6 * n) / 3), 'the requests past the limit waited for later windows');
      assert.equal(await RateSlot.countDocuments({ provider: 'gate-test' }), 6 * n);
    });

    test(`${n} processes syncing the same news at once: each article stored once, indexed once, each watcher DM'd once`, async () => {
      await clearCollections();
      await addWatch('200000000000000002', 'AAPL', 'volume-over', 2);
      server.on('GET', '/v2/reference/news', { fixture: 'polygon-news-three-insights.json' });
      const env = { NEWS_PROVIDER: 'polygon', POLYGON_API_KEY: 'k-0123456789', POLYGON_BASE_URL: server.url, POLYGON_CALLS_PER_MIN: '600', MONGODB_URI: testUri() };
      const body = `
        const { parseEnvVars } = await import('./src/config/env.ts');
        const { syncNews } = await import('./src/info/news-service.ts');
        const r = await syncNews(parseEnvVars(process.env), new Date('2024-06-25T18:00:00Z'), 'proc-' + process.pid);
        return { stored: r.stored, dms: r.dmsQueued };`;
      const results = (await Promise.all(Array.from({ length: n }, () => child(body, env)))) as Array<{ stored: number; dms: number }>;
      assert.equal(results.reduce((s, r) => s + r.stored, 0), 1, 'one process stored the article');
      assert.equal(await NewsArticle.countDocuments({}), 1);
      assert.equal(await NewsUrl.countDocuments({}), 1);
      assert.equal(((await NewsIndex.findById('AAPL|2024-06').lean())?.entries as unknown[]).length, 1, 'indexed once');
      assert.equal(((await NewsIndex.findById('*|2024-06-25').lean())?.entries as unknown[]).length, 1);
      assert.equal(await Outbox.countDocuments({ idempotencyKey: /^news-dm:200000000000000002:/ }), 1, 'one DM for the member');
      assert.equal(server.requestsTo('/v2/reference/news').length, n, 'each process asked once (a page)');
    });
  }
});
