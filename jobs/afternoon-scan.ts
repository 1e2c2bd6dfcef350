import { scanJob } from '../src/analysis/scan-job.js';

const job = scanJob('afternoon-scan');
export const { name, description, schedule, options, handler } = job;
