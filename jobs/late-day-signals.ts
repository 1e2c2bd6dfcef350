import { ideaSlotJob } from '../src/ideas/idea-jobs.js';

const job = ideaSlotJob('late-day-signals', '30 14 * * 1-5', '30 12 * * 1-5');
export const { name, description, schedule, options, handler } = job;
