import { scanJob } from '../src/analysis/scan-job.js';

const job = scanJob('opening-scan');
export const { name, description, schedule, options, handler } = job;
