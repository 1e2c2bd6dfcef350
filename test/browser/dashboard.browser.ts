// `npm run test:browser`: the job dashboard in a real headless Chromium (Debian's `chromium` package,
// driven by playwright-core). Not part of `npm test`: it needs the browser installed (see README).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { connectDatabase, disconnectDatabase, nativeDb } from '../../src/db/connection.js';
import { startAdminServer } from '../../src/health/admin-server.js';
import { dashboardHandler } from '../../src/health/dashboard.js';
import { startFerretDb } from '../../src/db/local-server.js';
import { parseEnvVars } from '../../src/config/env.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { startScheduler } from '../../src/scheduler/worker.js';

const BROWSER = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'browser-test-admin-token-42';

test('the dashboard in headless Chromium: 401 without the token, execute-trades listed with it', { skip: !existsSync(BROWSER) && `no browser at ${BROWSER} (apt-get install chromium)` }, async () => {
  const db = await startFerretDb({ dir: join(mkdtempSync(join(tmpdir(), 'sd-browser-')), 'ferretdb') });
  await connectDatabase(db.uri, 'signaldesk');
  const env = parseEnvVars({ MONGODB_URI: db.uri, LOG_LEVEL: 'silent' });
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
  for (const d of jobs.values()) d.lockLifetimeMs = 2_000;
  const scheduler = await startScheduler(nativeDb(), jobs, env, { processEveryMs: 60_000 });
  const admin = await startAdminServer({ port: 0, host: '127.0.0.1', waitingFor: () => [], dashboard: () => dashboardHandler(scheduler.agenda, { token: TOKEN, write: false }) });
  const browser = await chromium.launch({ executablePath: BROWSER, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const denied = await page.goto(`http://127.0.0.1:${admin.port}/dash/`);
    assert.equal(denied?.status(), 401);
    const ok = await page.goto(`http://127.0.0.1:${admin.port}/dash/?token=${TOKEN}`);
    assert.equal(ok?.status(), 200);
    await page.getByText('execute-trades').first().waitFor({ timeout: 20_000 });
    const shot = join(PROJECT_ROOT, 'docs', 'dashboard.png');
    await page.screenshot({ path: shot });
    process.stdout.write(`dashboard screenshot: ${shot}\n`);
  } finally {
    await browser.close();
    await admin.close();
    await scheduler.stop(2_000);
    await disconnectDatabase();
    await db.stop();
  }
});
