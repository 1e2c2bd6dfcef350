// `npm run bench -- --brew`: the morning briefs on the demo over the whole universe, everything prepared the way
// 04:00 prepares it (yesterday's scan of 529 symbols, a day of news, the calendars, the world board and the night).
// Prints, one per line:
//   brew_main_ms    morning-brew-main (median of 5; target ≤ 3,000)
//   brew_early_ms   morning-brew-early (median of 5)
//   brew_requests   provider requests the two briefs made (target ≤ 2: they read what prep made)
//   with --aged: brew_main_aged_ms, brew_early_aged_ms — the same on a database aged by a year (≤ fresh × 1.25 + 100)
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

/** Prepare a day as 04:00 does, then time the two briefs (medians of 5) and count the provider requests they made. */
async function measure(env: ReturnType<typeof parseEnvVars>, label: string): Promise<{ main: number; early: number; requests: number }> {
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
  const t0 = performance.now();
  for (const [job, date] of [['next-day-prep', PREV], ['evening-news-sync', PREV], ['international-markets', PREV], ['generate-signal', DATE], ['overnight-sync', DATE], ['pre-market-prep', DATE]] as const) {
    const r = await runJob(jobs.get(job)!, env, { date, trigger: 'cli', force: true });
    if (r.status !== 'succeeded') process.stdout.write(`# ${label} ${job} ${date}: ${r.status} ${r.error ?? ''}\n`);
  }
  process.stdout.write(`# ${label}: prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s (the scan of ${PREV}, its news, the world board, the signal, the night, the 04:00 prep)\n`);
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
  return { main: median(main), early: median(early), requests: (await ApiCall.countDocuments({})) - before };
}

export async function benchBrew(): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-brew-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  try {
    const uri = `${db.uri.replace(/\/$/, '')}/brew`;
    const env = parseEnvVars({ MONGODB_URI: uri, LOG_LEVEL: 'silent' });
    configureLogging(env);
    await connectDatabase(uri);
    await migrateStorage();
    const fresh = await measure(env, 'fresh');
    line('brew_main_ms', `${Math.round(fresh.main)} (median of 5; target ≤ 3,000)`);
    line('brew_early_ms', `${Math.round(fresh.early)} (median of 5)`);
    line('brew_requests', `${fresh.requests} (target ≤ 2: the briefs read what 04:00 prepared)`);
    if (process.argv.includes('--aged')) {
      await disconnectDatabase();
      const agedUri = `${db.uri.replace(/\/$/, '')}/brew_aged`;
      const { writeAgedDatabase } = await import('./age-database.js');
      const { env: agedEnv } = await writeAgedDatabase(agedUri);
      const aged = await measure(agedEnv, 'aged');
      const target = fresh.main * 1.25 + 100;
      line('brew_main_aged_ms', `${Math.round(fresh.main)} · ${Math.round(aged.main)} · ${(aged.main / fresh.main).toFixed(2)} · ${aged.main <= target ? 'met' : 'MISSED'} (fresh · aged · ratio · aged ≤ fresh × 1.25 + 100 ms)`);
      line('brew_early_aged_ms', `${Math.round(fresh.early)} · ${Math.round(aged.early)} · ${(aged.early / fresh.early).toFixed(2)} · ${aged.early <= fresh.early * 1.25 + 100 ? 'met' : 'MISSED'}`);
    }
  } finally {
    await disconnectDatabase().catch(() => undefined);
    await db.stop();
    if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb'));
    rmSync(dir, { recursive: true, force: true });
  }
}
