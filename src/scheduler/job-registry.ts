import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toDefinition, type JobDefinition, type JobModule } from './job-definition.js';

/** ../../jobs from this file: the repository's jobs/ under tsx, dist/jobs/ when compiled. */
export const JOBS_DIR = fileURLToPath(new URL('../../jobs/', import.meta.url));

function isJobModule(m: Partial<JobModule>): m is JobModule {
  return typeof m.name === 'string' && typeof m.description === 'string' && typeof m.handler === 'function';
}

/** Load every module in jobs/ (one file per job), as the command loader does for commands/. */
export async function loadJobs(defaultZone: string, dir = JOBS_DIR, warn: (msg: string) => void = console.warn): Promise<Map<string, JobDefinition>> {
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const jobs = new Map<string, JobDefinition>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<JobModule>;
    if (!isJobModule(mod)) {
      warn(`jobs/${file} is not a job: it must export name, description and handler`);
      continue;
    }
    if (jobs.has(mod.name)) throw new Error(`two job files are named ${mod.name}`);
    jobs.set(mod.name, toDefinition(mod, defaultZone));
  }
  return jobs;
}
