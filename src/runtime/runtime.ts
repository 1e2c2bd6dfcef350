import type { Env } from '../config/env.js';
import mongoose from 'mongoose';
import { inlineHeavyWork, startHeavyThreads, type HeavyWork } from '../heavy/heavy-work.js';
import { SECRET_ENV_KEYS } from '../config/env.js';
import { migrateStorage } from './migrations.js';
import { connectDatabase, disconnectDatabase, EMBEDDED_POOL_SIZE } from '../db/connection.js';
import { resolveDatabase, type DatabaseHandle } from '../db/local-server.js';
import { createLogger, log, registerSecrets, setRootLogger } from '../log/logger.js';
import { closeSinks, useSinkRouter } from '../notify/delivery.js';
import type { Sink } from '../notify/sinks/sink.js';
import type { JobDefinition } from '../scheduler/job-definition.js';
import { loadJobs } from '../scheduler/job-registry.js';
import type { Scheduler } from '../scheduler/worker.js';

/** Everything a process (worker, bot, CLI, test) shares once it is connected. */
export interface Runtime {
  env: Env;
  database: DatabaseHandle;
  jobs: Map<string, JobDefinition>;
  startedAt: Date;
  scheduler: Scheduler | undefined;
  /** Where CPU-heavy work runs: inline, or worker threads once startHeavyWork has run (processes with a bot). */
  heavy: HeavyWork;
  close(): Promise<void>;
}

/** Connections a heavy-work thread may open to the embedded FerretDB (see EMBEDDED_POOL_SIZE). */
const THREAD_POOL_SIZE = 4;

/**
 * Move CPU-heavy work off this process's event loop (HEAVY_THREADS threads; 0 keeps it inline): job
 * handlers, backtests and charts. Called by processes that answer Discord.
 */
export async function startHeavyWork(rt: Runtime): Promise<void> {
  if (rt.env.HEAVY_THREADS === 0 || rt.heavy.mode === 'threads') return;
  rt.heavy = await startHeavyThreads(
    { env: rt.env, uri: rt.database.uri, dbName: mongoose.connection.name, poolSize: rt.database.kind === 'ferretdb' ? THREAD_POOL_SIZE : undefined },
    rt.env.HEAVY_THREADS,
  );
  log().info({ threads: rt.env.HEAVY_THREADS }, 'heavy work runs on worker threads');
}

export interface OpenOptions {
  dbName?: string;
  /** Embedded FerretDB in memory (tests). */
  memory?: boolean;
  consoleSink?: Sink;
  /** Where logs go: stdout for servers, stderr for the CLI. */
  logFd?: 1 | 2;
  /** Keep the current root logger (tests install a quiet one). */
  keepLogger?: boolean;
  /** The log format unless LOG_FORMAT says otherwise: json for servers, line for a person (CLI, demo). */
  logFormat?: 'json' | 'line';
  /**
   * Load the job definitions (every file in jobs/ and what it imports). Default true; a CLI read that
   * never touches a job passes false and gets an empty map (a quick start: no scheduler, no analysis code).
   */
  jobs?: boolean;
}

export function configureLogging(env: Env, fd: 1 | 2 = 1, format: 'json' | 'line' = 'json'): void {
  registerSecrets(SECRET_ENV_KEYS.map((k) => env[k]));
  const chosen = env.LOG_FORMAT ?? format;
  setRootLogger(createLogger({ level: env.LOG_LEVEL, pretty: chosen === 'json' && env.NODE_ENV === 'development' && process.stderr.isTTY === true, fd, format: chosen }));
}

export async function openRuntime(env: Env, opts: OpenOptions = {}): Promise<Runtime> {
  if (!opts.keepLogger) configureLogging(env, opts.logFd, opts.logFormat);
  else registerSecrets(SECRET_ENV_KEYS.map((k) => env[k]));
  const database = await resolveDatabase({ mongodbUri: env.MONGODB_URI, dataDir: env.LOCAL_DB_DIR, memory: opts.memory });
  try {
    await connectDatabase(database.uri, opts.dbName, { maxPoolSize: database.kind === 'ferretdb' ? EMBEDDED_POOL_SIZE : undefined });
  } catch (err) {
    await database.stop();
    throw err;
  }
  log().info({ database: database.kind, owned: database.owned }, 'database connected');
  await migrateStorage();
  useSinkRouter(env, opts.consoleSink);
  const jobs = opts.jobs === false ? new Map<string, JobDefinition>() : await loadJobs(env.SCHEDULE_TIMEZONE, undefined, (m) => log().warn(m));
  const rt: Runtime = {
    env,
    database,
    jobs,
    startedAt: new Date(),
    scheduler: undefined,
    heavy: inlineHeavyWork(env),
    async close() {
      await rt.heavy.close().catch(() => undefined);
      closeSinks();
      await disconnectDatabase().catch(() => undefined);
      await database.stop();
    },
  };
  return rt;
}
