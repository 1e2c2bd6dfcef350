import type { Env } from '../config/env.js';
import { SECRET_ENV_KEYS } from '../config/env.js';
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
  close(): Promise<void>;
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
}

export function configureLogging(env: Env, fd: 1 | 2 = 1): void {
  registerSecrets(SECRET_ENV_KEYS.map((k) => env[k]));
  setRootLogger(createLogger({ level: env.LOG_LEVEL, pretty: env.NODE_ENV === 'development' && process.stderr.isTTY === true, fd }));
}

export async function openRuntime(env: Env, opts: OpenOptions = {}): Promise<Runtime> {
  if (!opts.keepLogger) configureLogging(env, opts.logFd);
  else registerSecrets(SECRET_ENV_KEYS.map((k) => env[k]));
  const database = await resolveDatabase({ mongodbUri: env.MONGODB_URI, dataDir: env.LOCAL_DB_DIR, memory: opts.memory });
  try {
    await connectDatabase(database.uri, opts.dbName, { maxPoolSize: database.kind === 'ferretdb' ? EMBEDDED_POOL_SIZE : undefined });
  } catch (err) {
    await database.stop();
    throw err;
  }
  log().info({ database: database.kind, owned: database.owned }, 'database connected');
  useSinkRouter(env, opts.consoleSink);
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, (m) => log().warn(m));
  const rt: Runtime = {
    env,
    database,
    jobs,
    startedAt: new Date(),
    scheduler: undefined,
    async close() {
      closeSinks();
      await disconnectDatabase().catch(() => undefined);
      await database.stop();
    },
  };
  return rt;
}
