import { digestHandler } from '../src/trading/digest-job.js';

export const name = 'midday-portfolio-digest';
export const description = "Midday: each portfolio after the morning's fills, valued at the last stored close.";
/** 12:00 New York (the seed's midday digest), trading days. */
export const schedule = { cron: '0 12 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const };
export const handler = digestHandler(name, 'Midday digest');
