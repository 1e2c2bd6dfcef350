import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { IdeaSlot } from '../../src/db/models/ideas.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { providerFor } from '../../src/market-data/providers.js';
import { loadUniverse } from '../../src/market-data/universe.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { clearCollections, testEnv, testUri, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('ideas-procs');
const D = '2020-03-17';

/** A separate process: the scheduled job through runJob, or the slot service directly (no run key in the way). */
function worker(mode: 'job' | 'service', job: string, at: string): Promise<string> {
  const body = mode === 'job'
    ? `const { loadJobs } = await import('./src/scheduler/job-registry.ts');
       const { runJob } = await import('./src/scheduler/run-job.ts');
       const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
       const r = await runJob(jobs.get(${JSON.stringify(job)}), env, { date: ${JSON.stringify(D)}, trigger: 'schedule', now: new Date(${JSON.stringify(at)}) });
       process.stdout.write(r.status + '\\n');`
    : `const { runIdeasSlot } = await import('./src/ideas/idea-slots.ts');
       const { slotPost } = await import('./src/ideas/idea-posts.ts');
       const { enqueuePost } = await import('./src/notify/outbox.ts');
       const slot = await runIdeasSlot(env, ${JSON.stringify(D)}, ${JSON.stringify(job)}, new Date(${JSON.stringify(at)}));
       await enqueuePost(${JSON.stringify(`${job}:${D}`)}, slotPost(slot, true));
       process.stdout.write(JSON.stringify(slot.ideas.map((i) => i.id)) + '\\n');`;
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    const { parseEnvVars } = await import('./src/config/env.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(db.name)}, { maxPoolSize: 10 });
    const env = parseEnvVars(process.env);
    ${body}
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

test('two processes at 09:00: one run, the slot stored once, one post', async () => {
  await clearCollections();
  await fetchMarketData({ date: '2020-03-16', symbols: loadUniverse().map((u) => u.symbol), provider: providerFor(testEnv()) });
  const statuses = await Promise.all([0, 1].map(() => worker('job', 'pre-market-signals', `${D}T09:00:00-04:00`)));
  assert.equal(statuses.filter((s) => s === 'succeeded').length, 1, `one ran: ${statuses.join(', ')}`);
  assert.equal(await IdeaSlot.countDocuments({}), 1);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: `pre-market-signals:${D}` }), 1, 'one post');
});

test('four processes building the 11:00 slot at once: every idea once, the same ideas for all, one post', async () => {
  const lists = await Promise.all([0, 1, 2, 3].map(() => worker('service', 'mid-morning-signals', `${D}T11:00:00-04:00`)));
  assert.equal(new Set(lists).size, 1, `all four saw the same ideas: ${lists.join(' | ')}`);
  const ids = JSON.parse(lists[0]!) as string[];
  assert.ok(ids.length > 0);
  const slots = await IdeaSlot.find({ job: 'mid-morning-signals' }).lean();
  assert.equal(slots.length, 1, 'one slot document');
  assert.deepEqual((JSON.parse(slots[0]!.ideasJson) as Array<{ id: string }>).map((i) => i.id), ids);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: `mid-morning-signals:${D}` }), 1, 'one post');
});
