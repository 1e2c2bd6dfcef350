import { digestHandler } from '../src/trading/digest-job.js';

export const name = 'portfolio-digest';
export const description = 'Post each portfolio: equity, day P&L, positions.';
/** 16:30 New York, after the close (the seed's daily-portfolio-digest slot). */
export const schedule = { cron: '30 16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'catch-up' as const };
export const handler = digestHandler(name, 'Daily digest');
