import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { clearCollections, testUri, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('brew-procs');

function worker(job: string, date: string, at: string): Promise<string> {
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    const { parseEnvVars } = await import('./src/config/env.ts');
    const { loadJobs } = await import('./src/scheduler/job-registry.ts');
    const { runJob } = await import('./src/scheduler/run-job.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(db.name)}, { maxPoolSize: 10 });
    const env = parseEnvVars(process.env);
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
    const r = await runJob(jobs.get(${JSON.stringify(job)}), env, { date: ${JSON.stringify(date)}, trigger: 'schedule', now: new Date(${JSON.stringify(at)}) });
    process.stdout.write(r.status + '\\n');
    await disconnectDatabase();
    process.exit(0);
  `;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`worker exited ${code}: ${err.slice(-1200)}`))));
  });
}

test('two processes at 06:00: one brief posted, one run, the other a duplicate', async () => {
  await clearCollections();
  const statuses = await Promise.all([worker('morning-brew-early', '2020-03-17', '2020-03-17T06:00:00-04:00'), worker('morning-brew-early', '2020-03-17', '2020-03-17T06:00:00-04:00')]);
  assert.equal(statuses.filter((s) => s === 'succeeded').length, 1, `one ran: ${statuses.join(', ')}`);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: 'morning-brew-early:2020-03-17' }), 1, 'one post');
});
