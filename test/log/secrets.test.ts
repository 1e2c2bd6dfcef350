import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import { SECRET_ENV_KEYS } from '../../src/config/env.js';
import { createLogger, log, scrub, setRootLogger } from '../../src/log/logger.js';
import { configureLogging } from '../../src/runtime/runtime.js';
import { buildPost, type PostInput } from '../../src/notify/post.js';
import { toText } from '../../src/notify/render.js';
import { getHealth } from '../../src/health/health-service.js';
import { healthPost } from '../../src/present/health-view.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('secrets');

const SECRETS = {
  POLYGON_API_KEY: 'pk_live_SECRETpolygon1234567890',
  ALPACA_KEY_ID: 'AKSECRETALPACAKEYID0001',
  ALPACA_SECRET_KEY: 'sk_SECRETalpacaSecretKey987654321',
  ALPHAVANTAGE_API_KEY: 'AVSECRETKEY00042',
  DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAx.SECRET.discordBotTokenValue',
  DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/api/webhooks/123456789012345678/SECRETwebhookTokenValue',
};

/** A provider that answers 401 then 500, each body echoing the request: URL, query and headers. */
let server: Server;
let base = '';
let n = 0;
before(async () => {
  server = createServer((req, res) => {
    n++;
    // Besides the credential-shaped echoes, every query value and header value bare, in free text: only
    // the processes' own registration of their secrets can mask those (no pattern knows them).
    const bare = [...new URL(req.url ?? '/', 'http://x').searchParams.values(), ...Object.values(req.headers).flat().map(String)].join(' ');
    const echo = { status: 'ERROR', request_url: req.url, headers: req.headers, message: `bad request ${req.url} Authorization: ${req.headers.authorization ?? ''}; you sent ${bare}` };
    res.writeHead(n % 2 ? 401 : 500, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('providers echoing the request in 401/500 bodies: no secret reaches the log, job_runs, provider_status, posts or /health (secrets_leaked 0)', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const previous = log();
  setRootLogger(createLogger({ level: 'trace', pretty: false }, sink));
  try {
    for (const provider of ['polygon', 'alphavantage', 'alpaca'] as const) {
      const env = testEnv({
        ...SECRETS, DISCORD_APP_ID: '100000000000000001', MARKET_DATA_PROVIDER: provider, MARKET_UNIVERSE: 'AAPL',
        POLYGON_BASE_URL: base, ALPACA_DATA_URL: base, ALPHAVANTAGE_BASE_URL: base, PROVIDER_RETRIES: '1', LOG_LEVEL: 'trace',
      });
      // Production's own path (every process configures its logging from its env this way); the test's
      // sink replaces only the destination afterwards, so nothing here registers a secret by hand.
      configureLogging(env);
      setRootLogger(createLogger({ level: 'trace', pretty: false }, sink));
      // Registered: each secret is masked even bare in free text, where no credential pattern can see it.
      for (const [k, v] of Object.entries(SECRETS)) assert.equal(scrub(`free text ${v} more`).includes(v), false, `${k} is registered by configureLogging`);
      const def = (await loadJobs(env.SCHEDULE_TIMEZONE)).get('fetch-market-data')!;
      const r = await runJob(def, env, { date: '2024-03-15', trigger: 'test' });
      assert.equal(r.status, 'failed', `${provider}: the run fails on the provider's error`);
      assert.ok(!Object.values(SECRETS).some((s) => (r.error ?? '').includes(s)), `${provider}: the CLI's error text is clean`);
    }
    const health = await getHealth({ jobs: new Map(), databaseKind: 'ferretdb', schedulerRunning: false, startedAt: new Date(), providers: { primary: 'polygon' } });
    const stored: string[] = [];
    for (const c of await mongoose.connection.db!.collections()) stored.push(JSON.stringify(await c.find({}).toArray()));
    const posts = JSON.parse(stored.find((s) => s.includes('idempotencyKey')) ?? '[]') as Array<{ post: PostInput }>;
    const texts = [...lines, ...stored, ...posts.map((p) => toText(buildPost(p.post))), toText(buildPost(healthPost(health))), JSON.stringify(health)];
    assert.ok(lines.length >= 6, `trace logging wrote lines (${lines.length})`);
    assert.ok(n >= 3, 'the providers were called');
    const leaked = Object.entries(SECRETS).flatMap(([k, v]) => {
      const probe = k === 'DISCORD_WEBHOOK_URL' ? 'SECRETwebhookTokenValue' : v;
      return texts.filter((t) => t.includes(probe)).map((t) => `${k} in: ${t.slice(0, 160)}`);
    });
    process.stdout.write(`secrets_leaked ${leaked.length}\n`);
    assert.deepEqual(leaked, []);
  } finally {
    setRootLogger(previous);
  }
});

test('credential-shaped values are masked even when never registered', () => {
  assert.equal(scrub('GET /v2/aggs?apiKey=abc123xyz&limit=5'), 'GET /v2/aggs?apiKey=[REDACTED]&limit=5');
  assert.equal(scrub('function=TIME_SERIES_DAILY&apikey=DEMOKEY99'), 'function=TIME_SERIES_DAILY&apikey=[REDACTED]');
  assert.equal(scrub('{"authorization":"Bearer abcdef123456"}'), '{"authorization":"[REDACTED]"}');
  assert.equal(scrub('Authorization: Bot abc.def.ghi'), 'Authorization: [REDACTED]');
  assert.equal(scrub('"apca-api-secret-key":"s3cr3tvalue"'), '"apca-api-secret-key":"[REDACTED]"');
  assert.equal(scrub('https://discord.com/api/webhooks/123/tok-EN_1'), 'https://discord.com/api/webhooks/123/[REDACTED]');
  assert.equal(scrub('mongodb://user:pa55@db:27017/x'), 'mongodb://user:***@db:27017/x');
  assert.equal(scrub('runKey=2024-03-15 next_page_token'), 'runKey=2024-03-15 next_page_token', 'ordinary words are left alone');
});
