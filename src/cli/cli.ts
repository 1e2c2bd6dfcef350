import { parseArgs } from 'node:util';
import { EnvError, loadEnv, type Env } from '../config/env.js';
import { getHealth } from '../health/health-service.js';
import { describeError, isUserFacingError, UserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { deliverPending } from '../notify/delivery.js';
import { buildPost, type PostInput } from '../notify/post.js';
import { toText } from '../notify/render.js';
import { ConsoleSink } from '../notify/sinks/console-sink.js';
import { healthPost } from '../present/health-view.js';
import { historyPost, jobsPost, runResultPost } from '../present/jobs-view.js';
import { jobHistory, listJobs, requireJob } from '../scheduler/jobs-service.js';
import { runJob } from '../scheduler/run-job.js';
import { openRuntime, type Runtime } from '../runtime/runtime.js';

export const EXIT = { ok: 0, error: 1, usage: 2, jobFailed: 3 } as const;

export const USAGE = `usage: signaldesk <command> [options]

  run <job> [--date YYYY-MM-DD] [--force] [--json]   run a job now for a trading date (default: today, New York)
  jobs [--json]                                      every job: schedule, next run, last run
  jobs history <job> [--json]                        the last runs of one job
  health [--json]                                    database, scheduler, outbox, last run of every job

Without MONGODB_URI the CLI starts (or reuses) the embedded local database under LOCAL_DB_DIR.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Record<string, string | undefined>;
}

type Handler = (rt: Runtime, args: string[], flags: Flags) => Promise<{ data: unknown; post: PostInput; code?: number }>;

interface Flags {
  date?: string | undefined;
  force: boolean;
  json: boolean;
}

const handlers: Record<string, Handler> = {
  async run(rt, args, flags) {
    const name = args[0];
    if (!name) throw new UserFacingError('USAGE', `run needs a job name. Jobs: ${[...rt.jobs.keys()].join(', ')}.`);
    const result = await runJob(requireJob(rt.jobs, name), rt.env, { date: flags.date, force: flags.force, trigger: 'cli' });
    return { data: result, post: runResultPost(result), code: result.status === 'failed' ? EXIT.jobFailed : EXIT.ok };
  },
  async jobs(rt, args) {
    if (args[0] === 'history') {
      const name = args[1];
      if (!name) throw new UserFacingError('USAGE', 'jobs history needs a job name.');
      const runs = await jobHistory(rt.jobs, name);
      return { data: runs, post: historyPost(name, runs) };
    }
    if (args[0] !== undefined && args[0] !== 'list') throw new UserFacingError('USAGE', `unknown jobs subcommand "${args[0]}"; allowed: list, history <job>.`);
    const jobs = await listJobs(rt.jobs);
    return { data: jobs, post: jobsPost(jobs) };
  },
  async health(rt) {
    const report = await getHealth({ jobs: rt.jobs, databaseKind: rt.database.kind, schedulerRunning: false, startedAt: rt.startedAt });
    return { data: report, post: healthPost(report), code: report.ok ? EXIT.ok : EXIT.error };
  },
};

export const CLI_COMMANDS = Object.keys(handlers);

/** Parse, connect, run one command, print text or JSON; returns the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        date: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`${describeError(err)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, ...args] = parsed.positionals;
  if (parsed.values.help || !command) {
    io.out(USAGE);
    return command || parsed.values.help ? EXIT.ok : EXIT.usage;
  }
  const handler = handlers[command];
  if (!handler) {
    io.err(`unknown command "${command}"; allowed: ${CLI_COMMANDS.join(', ')}\n\n${USAGE}`);
    return EXIT.usage;
  }
  let env: Env;
  try {
    env = loadEnv({ source: io.env ?? process.env });
  } catch (err) {
    if (err instanceof EnvError) {
      io.err(err.message);
      return EXIT.usage;
    }
    throw err;
  }
  const flags: Flags = { date: parsed.values.date, force: parsed.values.force ?? false, json: parsed.values.json ?? false };
  let rt: Runtime | undefined;
  try {
    // Posts printed by the console sink go to stderr under --json, so stdout stays one JSON document.
    rt = await openRuntime(env, { logFd: 2, consoleSink: new ConsoleSink(flags.json ? io.err : io.out) });
    const result = await handler(rt, args, flags);
    if (command === 'run') await deliverPending(env);
    io.out(flags.json ? JSON.stringify(result.data, null, 2) : toText(buildPost(result.post)));
    return result.code ?? EXIT.ok;
  } catch (err) {
    if (isUserFacingError(err)) {
      io.err(`error [${err.code}]: ${err.message}`);
      return EXIT.usage;
    }
    log().error({ err, command }, 'command failed');
    io.err(`error: ${command} failed unexpectedly (${describeError(err)}); see the log for details.`);
    return EXIT.error;
  } finally {
    await rt?.close();
  }
}
