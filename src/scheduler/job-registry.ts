import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toDefinition, type JobDefinition, type JobModule } from './job-definition.js';

/** ../../jobs from this file: the repository's jobs/ under tsx, dist/jobs/ when compiled. */
export const JOBS_DIR = fileURLToPath(new URL('../../jobs/', import.meta.url));

function isJobModule(m: Partial<JobModule>): m is JobModule {
  return typeof m.name === 'string' && typeof m.description === 'string' && typeof m.handler === 'function';
}

/** What the compiled build records of each job (everything but the handler): dist/jobs-manifest.json. */
export interface JobManifestEntry {
  file: string;
  name: string;
  description: string;
  schedule?: JobModule['schedule'];
  options?: JobModule['options'];
}

/**
 * The compiled build's job manifest (written by scripts/build-cli.mjs from the built jobs/ themselves), or
 * undefined under tsx or when it is unreadable. With it a process learns every job's name, schedule and
 * options without importing the job modules; a handler's module loads on its first run.
 */
function readManifest(dir: string): JobManifestEntry[] | undefined {
  if (!dir.includes(`${'/dist/'}`)) return undefined;
  try {
    const list = JSON.parse(readFileSync(join(dir, '..', 'jobs-manifest.json'), 'utf8')) as JobManifestEntry[];
    return Array.isArray(list) && list.every((e) => typeof e.file === 'string' && typeof e.name === 'string') ? list : undefined;
  } catch {
    return undefined;
  }
}

/** Load every module in jobs/ (one file per job), as the command loader does for commands/. */
export async function loadJobs(defaultZone: string, dir = JOBS_DIR, warn: (msg: string) => void = console.warn): Promise<Map<string, JobDefinition>> {
  const manifest = readManifest(dir);
  if (manifest) {
    const jobs = new Map<string, JobDefinition>();
    for (const e of manifest) {
      const href = pathToFileURL(join(dir, e.file)).href;
      const handler: JobModule['handler'] = async (ctx) => ((await import(href)) as JobModule).handler(ctx);
      jobs.set(e.name, toDefinition({ name: e.name, description: e.description, schedule: e.schedule, options: e.options, handler }, defaultZone));
    }
    return jobs;
  }
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
