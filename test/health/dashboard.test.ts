import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeDb } from '../../src/db/connection.js';
import { startAdminServer } from '../../src/health/admin-server.js';
import { dashboardHandler, sameSecret } from '../../src/health/dashboard.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { startScheduler } from '../../src/scheduler/worker.js';
import { testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('dashboard');
const TOKEN = 'dashboard-test-token-0123456789';

test('Agendash on the admin port: 401 without the token, the jobs with it, read-only by default', async () => {
  const env = testEnv();
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
  for (const d of jobs.values()) d.lockLifetimeMs = 2_000; // Agenda's liveness timer outlives stop(); keep it short here
  const scheduler = await startScheduler(nativeDb(), jobs, env, { processEveryMs: 60_000 });
  const admin = await startAdminServer({ port: 0, host: '127.0.0.1', waitingFor: () => [], dashboard: () => dashboardHandler(scheduler.agenda, { token: TOKEN, write: false }) });
  const base = `http://127.0.0.1:${admin.port}`;
  try {
    assert.equal((await fetch(`${base}/dash/`)).status, 401);
    assert.equal((await fetch(`${base}/dash/`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    const page = await fetch(`${base}/dash/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const withQuery = await fetch(`${base}/dash/?token=${TOKEN}`);
    assert.equal(withQuery.status, 200);
    const cookie = withQuery.headers.get('set-cookie') ?? '';
    assert.match(cookie, /signaldesk_admin=.*HttpOnly/i, 'the token becomes an HttpOnly cookie');
    const api = await fetch(`${base}/dash/api?limit=100`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(api.status, 200);
    assert.match(await api.text(), /execute-trades/);
    const del = await fetch(`${base}/dash/api/jobs/delete`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ jobIds: [] }) });
    assert.equal(del.status, 403, 'read-only unless DASHBOARD_WRITE=on');
  } finally {
    await admin.close();
    await scheduler.stop(2_000);
  }
  assert.equal(sameSecret('a', 'a'), true);
  assert.equal(sameSecret('a', 'ab'), false);
});
