// `npm run bench -- --congress`: 200 electronic House PTRs (the real fixture PDFs, rotated) listed by a replayed
// Clerk index and synced. Prints, one per line:
//   congress_parse_inline_ms     pdf.js text + our parser for the 200 PDFs on one thread (target ≤ 10,000)
//   congress_sync_200_ms         congress-sync of the 200 filings on the heavy-work threads: fetch, parse, store, index
//   congress_command_ms          /congress recent answered on the main thread while that sync runs (median · worst)
//   congress_event_loop_p99_ms   the main thread's event-loop delay meanwhile (what a Discord command would wait)
//   congress_resync_requests     a sync that finds nothing new: requests per source (target ≤ 1 each)
// The government sites ask for a second or two between requests (CONGRESS_CALLS_PER_MIN, 30 by default): a
// real first sync of 200 filings takes about 7 minutes of polite fetching; the bench lifts that limit to
// measure the work itself.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { parseHousePtrText } from '../src/congress/house-parsers.js';
import { pdfText } from '../src/congress/pdf-text.js';
import { recentView } from '../src/congress/congress-views.js';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { CongressTrade } from '../src/db/models/congress.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { startHeavyThreads } from '../src/heavy/heavy-work.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { loadJobs } from '../src/scheduler/job-registry.js';
import { runJob } from '../src/scheduler/run-job.js';
import { configureLogging } from '../src/runtime/runtime.js';
import { ReplayServer } from '../test/helpers/replay-server.js';
import { zipOf } from '../test/helpers/zip.js';

const line = (name: string, text: string | number) => process.stdout.write(`${name} ${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PDFS = ['20017980', '20013811', '20016766', '20022132'];
const N = 200;

function indexXml(): Buffer {
  const members = Array.from({ length: N }, (_, i) => `  <Member>\n    <Prefix>Hon.</Prefix>\n    <Last>Bench${i % 60}</Last>\n    <First>Member</First>\n    <Suffix />\n    <FilingType>P</FilingType>\n    <StateDst>TX${String(1 + (i % 38)).padStart(2, '0')}</StateDst>\n    <Year>2021</Year>\n    <FilingDate>1/${4 + (i % 8)}/2021</FilingDate>\n    <DocID>${21000000 + i}</DocID>\n  </Member>`);
  return Buffer.from(`\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<FinancialDisclosure>\n${members.join('\n')}\n</FinancialDisclosure>\n`, 'utf8');
}

export async function benchCongress(): Promise<void> {
  const pdf = PDFS.map((id) => readFileSync(join(PROJECT_ROOT, 'test/fixtures/congress/house', `${id}.pdf`)));
  // 1. The parsing itself, inline.
  let t = performance.now();
  let rows = 0;
  for (let i = 0; i < N; i++) rows += parseHousePtrText((await pdfText(pdf[i % 4]!)).text).rows.length;
  line('congress_parse_inline_ms', `${Math.round(performance.now() - t)} (${N} e-filed PTR PDFs, ${rows} rows; target ≤ 10,000)`);

  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-congress-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  const replay = new ReplayServer();
  await replay.start();
  try {
    replay.on('GET', '/public_disc/financial-pdfs/2021FD.zip', { bytes: zipOf({ '2021FD.xml': indexXml() }), headers: { etag: '"bench"' } }, { status: 304, text: '' });
    for (let k = 0; k < 4; k++) replay.on('GET', new RegExp(`/ptr-pdfs/2021/\\d+$|/ptr-pdfs/2021/\\d*[${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d % 4 === k).join('')}]\\.pdf$`), { bytes: pdf[k]! });
    replay.on('GET', '/senate/search/home/', { status: 403, text: '<H1>Access Denied</H1> Reference #18.bench' });
    const uri = `${db.uri.replace(/\/$/, '')}/congress`;
    await connectDatabase(uri);
    await migrateStorage();
    const env = parseEnvVars({
      MONGODB_URI: uri, LOG_LEVEL: 'silent', CONGRESS_PROVIDER: 'official', HOUSE_DISCLOSURE_URL: replay.url, SENATE_EFD_URL: `${replay.url}/senate`, CONGRESS_CALLS_PER_MIN: '100000', CONGRESS_BACKFILL_DAYS: '30',
    });
    configureLogging(env);
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
    const def = jobs.get('congress-sync')!;
    const heavy = await startHeavyThreads({ env, uri, dbName: mongoose.connection.name, poolSize: 10 }, 2);
    // 2. The job on the heavy-work threads, commands answered on this thread meanwhile.
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const replies: number[] = [];
    let running = true;
    delay.enable();
    const asking = (async () => {
      while (running) {
        const t0 = performance.now();
        await recentView({ days: 30, until: '2021-01-12' });
        replies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    t = performance.now();
    const r = await runJob(def, env, { date: '2021-01-12', trigger: 'cli', now: new Date('2021-01-12T23:00:00Z') });
    const syncMs = performance.now() - t;
    running = false;
    await asking;
    delay.disable();
    const s = r.summary as { newFilings?: number; transactions?: number; ms?: Record<string, number> } | undefined;
    line('congress_sync_200_ms', `${Math.round(syncMs)} (${r.status}: ${s?.newFilings ?? '?'} filings, ${s?.transactions ?? '?'} transactions stored and indexed; 2 heavy-work threads; ${JSON.stringify(s?.ms ?? {})})`);
    line('congress_command_ms', `${Math.round(median(replies))} median · ${Math.round(Math.max(...replies))} worst (/congress recent, ${replies.length} asked during the sync)`);
    line('congress_event_loop_p99_ms', `${(delay.percentile(99) / 1e6).toFixed(1)} (max ${(delay.max / 1e6).toFixed(1)})`);
    line('congress_transactions_stored', await CongressTrade.countDocuments({}));
    // 3. Nothing new: one request per source.
    const before = replay.requests.length;
    const again = await runJob(def, env, { date: '2021-01-12', trigger: 'cli', force: true, now: new Date('2021-01-13T01:00:00Z') });
    const asked = replay.requests.slice(before);
    const house = asked.filter((q) => q.path.startsWith('/public_disc')).length;
    const senate = asked.filter((q) => q.path.startsWith('/senate')).length;
    line('congress_resync_requests', `house ${house} · senate ${senate} (${again.status}; target ≤ 1 each: the index answered 304, the Senate's gate 403)`);
    await heavy.close();
  } finally {
    await disconnectDatabase().catch(() => undefined);
    await replay.close();
    await db.stop();
    if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb'));
    rmSync(dir, { recursive: true, force: true });
  }
}
