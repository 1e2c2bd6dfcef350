import { ideaSlotJob } from '../src/ideas/idea-jobs.js';

const job = ideaSlotJob('pre-market-signals', '0 9 * * 1-5');
export const { name, description, schedule, options, handler } = job;
