import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { upcomingRuns } from '../../src/scheduler/jobs-service.js';

/** The README's schedule table, row by row: job, cron, trading-days column, missed-run policy. */
function readmeRows(): Map<string, { cron: string; tradingDays: string; policy: string }> {
  const text = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Schedule'), text.indexOf('\n## ', text.indexOf('## Schedule') + 5));
  const rows = new Map<string, { cron: string; tradingDays: string; policy: string }>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z-]+)` \| `([^`]+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|/.exec(line);
    if (m) rows.set(m[1]!, { cron: m[2]!, tradingDays: m[3]!.trim(), policy: m[4]!.trim() });
  }
  return rows;
}

test('the README schedule table is the job registry: every scheduled job, its cron, trading-day rule and missed-run policy', async () => {
  const jobs = await loadJobs('America/New_York');
  const rows = readmeRows();
  const scheduled = [...jobs.values()].filter((d) => d.schedule);
  assert.deepEqual([...rows.keys()].sort(), scheduled.map((d) => d.name).sort(), 'the same jobs');
  for (const d of scheduled) {
    const row = rows.get(d.name)!;
    assert.equal(row.cron, d.schedule!.cron, `${d.name}: cron`);
    assert.equal(row.policy, d.missedRuns, `${d.name}: missed-run policy`);
    assert.equal(row.tradingDays !== 'no', d.marketDaysOnly, `${d.name}: trading days only`);
  }
});

test('/jobs schedule: the next ten runs in New York time, skipping Thanksgiving and the weekend', async () => {
  const jobs = await loadJobs('America/New_York');
  const runs = upcomingRuns(jobs, new Date('2026-11-25T23:00:00Z'), 10);
  assert.equal(runs.length, 10);
  assert.deepEqual(runs.slice(0, 3).map((r) => `${r.newYork} ${r.job}`), ['Wed 2026-11-25 20:00 international-markets', 'Wed 2026-11-25 22:00 maintenance-cleanup', 'Thu 2026-11-26 00:00 overnight-sync']);
  assert.ok(!runs.some((r) => r.date === '2026-11-26' && r.job === 'generate-signal'), 'no market job on Thanksgiving');
  assert.ok(runs.some((r) => r.newYork === 'Fri 2026-11-27 06:00' && r.job === 'generate-signal'));
});
