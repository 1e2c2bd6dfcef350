import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Env } from '../config/env.js';
import { log } from '../log/logger.js';
import type { JobDefinition } from './job-definition.js';
import { runJob } from './run-job.js';

export const AGENDA_COLLECTION = 'agendaJobs';

export interface JobData {
  date?: string;
  force?: boolean;
  trigger?: 'schedule' | 'cli' | 'discord';
}

export interface Scheduler {
  agenda: Agenda;
  /** Queue a run now (used by /rerun); the worker that picks it up claims its run key as usual. */
  enqueueNow(job: string, data: JobData): Promise<void>;
  /**
   * Graceful stop: wait for running jobs up to `graceMs`, then unlock what is left. Agenda 6 keeps a
   * liveness timer (lockLifetime/2) that stop() does not cancel, so a process exits explicitly after it.
   */
  stop(graceMs: number): Promise<{ timedOut: boolean }>;
}

/**
 * Agenda on the same database as mongoose. Each job is defined once per process; recurring jobs
 * are created with every(cron, { timezone }), which upserts one 'single' record per name, so a
 * restart (or a second worker) never duplicates them.
 */
export async function startScheduler(db: Db, jobs: Map<string, JobDefinition>, env: Env, opts: { schedule?: boolean; processEveryMs?: number } = {}): Promise<Scheduler> {
  const logger = log().child({ component: 'scheduler' });
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection: AGENDA_COLLECTION }),
    name: `signaldesk-${process.pid}`,
    // A number: Agenda's human-interval parsing reads '200 milliseconds' as 200 seconds.
    processEvery: opts.processEveryMs ?? 10_000,
    maxConcurrency: env.WORKER_MAX_CONCURRENCY,
  });
  agenda.on('error', (err) => logger.error({ err }, 'agenda error'));

  for (const def of jobs.values()) {
    agenda.define(
      def.name,
      async (job) => {
        const data = (job.attrs.data ?? {}) as JobData;
        const result = await runJob(def, env, { date: data.date, force: data.force, trigger: data.trigger ?? 'schedule' });
        if (result.status === 'failed') throw new Error(result.error ?? 'job failed');
      },
      { concurrency: def.concurrency, lockLifetime: def.lockLifetimeMs },
    );
  }
  await agenda.start();
  if (opts.schedule !== false) {
    for (const def of jobs.values()) {
      if (!def.schedule) continue;
      await agenda.every(def.schedule.cron, def.name, { trigger: 'schedule' } satisfies JobData, { timezone: def.schedule.timezone, skipImmediate: true });
      logger.info({ job: def.name, cron: def.schedule.cron, timezone: def.schedule.timezone }, 'scheduled');
    }
  }
  return {
    agenda,
    async enqueueNow(job, data) {
      await agenda.now(job, data);
    },
    async stop(graceMs) {
      const result = await agenda.drain({ timeout: graceMs, closeConnection: false });
      await agenda.stop(false);
      return { timedOut: result.timedOut };
    },
  };
}
