// `npm run bench -- --brew`: the morning briefs on the demo over the whole universe, everything prepared the way
// 04:00 prepares it (yesterday's scan of 529 symbols, a day of news, the calendars, the world board and the night).
// Prints, one per line:
//   brew_main_ms    morning-brew-main (median of 5; target ≤ 3,000)
//   brew_early_ms   morning-brew-early (median of 5)
//   brew_requests   provider requests the two briefs made (target ≤ 2: they read what prep made)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { ApiCall } from '../src/db/models/api-usage.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { configureLogging } from '../src/runtime/runtime.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { loadJobs } from '../src/scheduler/job-registry.js';
import { runJob } from '../src/scheduler/run-job.js';
import { morningBrewEarly, morningBrewMain } from '../src/world/brew-service.js';

const line = (name: string, text: string | number) => process.stdout.write(`${name} ${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PREV = '2020-03-16';
const DATE = '2020-03-17';

export async function benchBrew(): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-brew-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  try {
    const uri = `${db.uri.replace(/\/$/, '')}/brew`;
    const env = parseEnvVars({ MONGODB_URI: uri, LOG_LEVEL: 'silent' });
    configureLogging(env);
    await connectDatabase(uri);
    await migrateStorage();
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
    const t0 = performance.now();
    for (const [job, date] of [['next-day-prep', PREV], ['evening-news-sync', PREV], ['international-markets', PREV], ['generate-signal', DATE], ['overnight-sync', DATE], ['pre-market-prep', DATE]] as const) {
      const r = await runJob(jobs.get(job)!, env, { date, trigger: 'cli' });
      if (r.status !== 'succeeded') process.stdout.write(`# ${job} ${date}: ${r.status} ${r.error ?? ''}\n`);
    }
    process.stdout.write(`# prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s: the scan of ${PREV} (529 symbols), its news, the world board, the signal, the night, the 04:00 prep\n`);
    const before = await ApiCall.countDocuments({});
    const main: number[] = [];
    const early: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      await morningBrewMain(env, DATE, new Date(`${DATE}T07:30:00-04:00`));
      main.push(performance.now() - t);
      t = performance.now();
      await morningBrewEarly(env, DATE, new Date(`${DATE}T06:00:00-04:00`));
      early.push(performance.now() - t);
    }
    line('brew_main_ms', `${Math.round(median(main))} (median of 5; target ≤ 3,000)`);
    line('brew_early_ms', `${Math.round(median(early))} (median of 5)`);
    line('brew_requests', `${(await ApiCall.countDocuments({})) - before} (target ≤ 2: the briefs read what 04:00 prepared)`);
  } finally {
    await disconnectDatabase().catch(() => undefined);
    await db.stop();
    if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb'));
    rmSync(dir, { recursive: true, force: true });
  }
}
