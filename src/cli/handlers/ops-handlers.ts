import { slotInstant } from '../../market-data/snapshot-store.js';
import { todayIn } from '../../calendar/dates.js';
import { MARKET_ZONE } from '../../calendar/nyse.js';
import { latestSlot } from '../../scheduler/slots.js';
import { UserFacingError } from '../../errors.js';
import { getHealth } from '../../health/health-service.js';
import { loadPolicy } from '../../notify/alert-policy.js';
import { channelIdFor } from '../../notify/router.js';
import { alertsPost, healthPost } from '../../present/health-view.js';
import { historyPost, jobsPost, runResultPost, schedulePost } from '../../present/jobs-view.js';
import { jobHistory, listJobs, requireJob, upcomingRuns } from '../../scheduler/jobs-service.js';
import { runJob, type RunResult } from '../../scheduler/run-job.js';
import { catchUpsInView } from '../../scheduler/catch-up.js';
import { EXIT, type Handler } from '../handler.js';

/**
 * A run's exit status: 3 when it failed, or when it finished but its provider stopped early (a plan that does
 * not include the data, a daily cap: the summary's `stopped`), so a script notices; 4 when another worker holds it.
 */
export function runExitCode(result: RunResult): number {
  if (result.status === 'failed') return EXIT.jobFailed;
  if (result.status === 'busy' || result.status === 'lost') return EXIT.busy;
  const stopped = result.summary?.stopped;
  return typeof stopped === 'string' && stopped !== '' ? EXIT.provider : EXIT.ok;
}

export const opsHandlers: Record<string, Handler> = {
  async run(rt, args, flags) {
    const name = args[0];
    if (!name) throw new UserFacingError('USAGE', `run needs a job name. Jobs: ${[...rt.jobs.keys()].join(', ')}.`);
    const def = requireJob(rt.jobs, name);
    let now: Date | undefined;
    if (flags.at !== undefined) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(flags.at)) throw new UserFacingError('BAD_TIME', `--at "${flags.at}" is not a time: give HH:MM, New York (e.g. 13:00).`);
      if (!flags.date) throw new UserFacingError('USAGE', '--at needs --date (the day the time is on).');
      now = slotInstant(flags.date, flags.at);
    } else if (flags.date && def.runKeyEvery !== 'tradingDate' && flags.date !== todayIn(MARKET_ZONE)) {
      // A slot job run for another day without --at: that day's last slot (a run belongs to the slot it stands for).
      const last = latestSlot(def, slotInstant(flags.date, '23:59'));
      if (last && last.date === flags.date) now = last.dueAt;
    }
    flags.progress?.(`running ${def.name}${flags.date ? ` for ${flags.date}` : ''}${flags.at ? ` at ${flags.at}` : ''}`);
    const result = await runJob(def, rt.env, { date: flags.date, force: flags.force, trigger: 'cli', ...(now ? { now } : {}) });
    return { data: result, post: runResultPost(result), code: runExitCode(result) };
  },
  async jobs(rt, args) {
    if (args[0] === 'history') {
      const name = args[1];
      if (!name) throw new UserFacingError('USAGE', 'jobs history needs a job name.');
      const runs = await jobHistory(rt.jobs, name);
      return { data: runs, post: historyPost(name, runs) };
    }
    if (args[0] === 'schedule') {
      const runs = upcomingRuns(rt.jobs);
      return { data: runs, post: schedulePost(runs) };
    }
    if (args[0] !== undefined && args[0] !== 'list') throw new UserFacingError('USAGE', `unknown jobs subcommand "${args[0]}"; allowed: list, schedule, history <job>.`);
    const [jobs, catchUps] = await Promise.all([listJobs(rt.jobs), catchUpsInView()]);
    return { data: jobs, post: jobsPost(jobs, catchUps) };
  },
  async alerts(rt) {
    const policy = await loadPolicy(0);
    return { data: policy, post: alertsPost(policy, (k) => channelIdFor(rt.env, k)) };
  },
  async health(rt) {
    const report = await getHealth({ jobs: rt.jobs, databaseKind: rt.database.kind, schedulerRunning: false, startedAt: rt.startedAt,
    providers: { primary: rt.env.MARKET_DATA_PROVIDER, secondary: rt.env.MARKET_DATA_SECONDARY } });
    return { data: report, post: healthPost(report), code: report.ok ? EXIT.ok : EXIT.error };
  },
};
