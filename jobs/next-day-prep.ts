import { scanJob } from '../src/analysis/scan-job.js';

const job = scanJob('next-day-prep');
export const { name, description, schedule, options, handler } = job;
