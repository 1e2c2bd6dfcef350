import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/paths.js';
import { testUri } from './db.js';

/**
 * Run `body` (module code with `env` in scope) in a separate Node process connected to the test database `dbName`:
 * concurrency is tested with processes. Resolves with the last line the script wrote to stdout.
 */
export function inChildProcess(dbName: string, body: string): Promise<string> {
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    const { parseEnvVars } = await import('./src/config/env.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(dbName)}, { maxPoolSize: 10 });
    const env = parseEnvVars(process.env);
    ${body}
    await disconnectDatabase();
    process.exit(0);
  `;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`child process exited ${code}: ${err.slice(-1200)}`))));
  });
}

/** A job run through the scheduler's runJob in a child process, as a scheduled firing at `at`; its status. */
export function jobInChildProcess(dbName: string, job: string, date: string, at: string): Promise<string> {
  return inChildProcess(dbName, `
    const { loadJobs } = await import('./src/scheduler/job-registry.ts');
    const { runJob } = await import('./src/scheduler/run-job.ts');
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
    const r = await runJob(jobs.get(${JSON.stringify(job)}), env, { date: ${JSON.stringify(date)}, trigger: 'schedule', now: new Date(${JSON.stringify(at)}) });
    process.stdout.write(r.status + '\\n');
  `);
}
