import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdminServer } from '../../src/health/admin-server.js';
import { toDefinition } from '../../src/scheduler/job-definition.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('admin-server');

test('the admin port: /healthz up, /readyz names what it waits for until there is nothing, /metrics counts job runs by outcome', async () => {
  let waiting = ['catch-up: 3 of 34 runs', 'scheduler: not started'];
  const admin = await startAdminServer({ port: 0, host: '127.0.0.1', waitingFor: () => waiting });
  const base = `http://127.0.0.1:${admin.port}`;
  try {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const notReady = await fetch(`${base}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual((await notReady.text()).trim().split('\n'), ['catch-up: 3 of 34 runs', 'scheduler: not started']);
    waiting = [];
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const def = toDefinition({ name: 'metrics-probe', description: 'probe', handler: async () => ({ summary: {} }) }, 'America/New_York');
    await runJob(def, testEnv(), { date: '2024-03-15', trigger: 'test' });
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /signaldesk_job_runs_total\{job="metrics-probe",outcome="succeeded"\} 1/);
    assert.match(text, /signaldesk_outbox_depth\{status="pending"\} \d+/);
    assert.match(text, /signaldesk_open_alerts \d+/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    await admin.close();
  }
});
