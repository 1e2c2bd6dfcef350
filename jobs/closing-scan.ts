import { scanJob } from '../src/analysis/scan-job.js';

const job = scanJob('closing-scan');
export const { name, description, schedule, options, handler } = job;
