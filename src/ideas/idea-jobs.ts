import type { JobContext, JobModule, JobOutcome } from '../scheduler/job-definition.js';
import { IDEA_SLOTS, type IdeaSlotJob } from './criteria.js';
import { slotPost } from './idea-posts.js';
import { runIdeasSlot } from './idea-slots.js';

/** The job module of one idea slot (jobs/<slot>.ts re-exports it): store the slot's ideas once, post them once. */
export function ideaSlotJob(job: IdeaSlotJob, cron: string, earlyClose?: string): JobModule {
  const s = IDEA_SLOTS[job];
  return {
    name: job,
    description: `${s.time} on trading days${s.earlyTime ? ` (${s.earlyTime} on early-close days)` : ''}: ${s.title.toLowerCase()} (${job === 'pre-market-signals' ? 'the previous close and the pre-market where a provider serves it' : 'the previous close and the day so far'}), each with its entry, stop and horizon; stored once, posted once, scored after the close.`,
    schedule: { cron, ...(earlyClose ? { earlyClose } : {}) },
    // A slot missed while no worker ran is skipped: an entry idea posted hours late is not one.
    options: { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'skip', maxAttempts: 2 },
    async handler(ctx: JobContext): Promise<JobOutcome> {
      const slot = await runIdeasSlot(ctx.env, ctx.date, job, new Date(ctx.now));
      await ctx.publish(`${job}:${ctx.date}`, slotPost(slot, ctx.env.MARKET_DATA_PROVIDER === 'demo'));
      return { summary: { at: slot.at, basis: slot.basis.kind, considered: slot.considered, ideas: slot.ideas.map((i) => `${i.symbol} ${i.side} ${i.criterion}`), stored: slot.created ? 'now' : 'earlier' } };
    },
  };
}
