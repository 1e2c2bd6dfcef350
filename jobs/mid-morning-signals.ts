import { ideaSlotJob } from '../src/ideas/idea-jobs.js';

const job = ideaSlotJob('mid-morning-signals', '0 11 * * 1-5');
export const { name, description, schedule, options, handler } = job;
