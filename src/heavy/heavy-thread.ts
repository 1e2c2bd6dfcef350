// The entry of a heavy-work thread (see heavy-work.ts): connect, load the jobs, run tasks as they come.
import { parentPort, workerData } from 'node:worker_threads';
import { connectDatabase } from '../db/connection.js';
import { describeError, isUserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { useSinkRouter } from '../notify/delivery.js';
import { configureLogging } from '../runtime/runtime.js';
import { loadJobs } from '../scheduler/job-registry.js';
import type { FromThread, ToThread } from './thread-pool.js';
import type { HeavyTask, ThreadData } from './heavy-work.js';
import { drawEquityChart, drawPriceChart, runBacktestWithChart, runSimulationWithChart } from './heavy-tasks.js';

const port = parentPort;
if (!port) throw new Error('heavy-thread.ts runs only as a worker thread');
const data = workerData as ThreadData;
configureLogging(data.env);
const logger = log().child({ component: 'heavy-thread' });
await connectDatabase(data.uri, data.dbName, { maxPoolSize: data.poolSize });
useSinkRouter(data.env); // posts queued here get their destination as anywhere else
const jobs = await loadJobs(data.env.SCHEDULE_TIMEZONE, undefined, (m) => logger.warn(m));
const aborts = new Map<number, AbortController>();
const send = (m: FromThread) => port.postMessage(m);

async function perform(id: number, task: HeavyTask, signal: AbortSignal): Promise<unknown> {
  if (task.kind === 'job') {
    const def = jobs.get(task.run.job);
    if (!def) throw new Error(`no job "${task.run.job}" in this thread`);
    return def.handler({
      ...task.run, env: data.env, signal, log: logger.child({ job: task.run.job, runKey: task.run.runKey }),
      publish: async (key, post) => {
        await enqueuePost(key, post);
      },
    });
  }
  const progress = (stage: string) => send({ type: 'progress', id, stage });
  if (task.kind === 'backtest') return runBacktestWithChart(data.env, task.request, progress);
  if (task.kind === 'simulate') return runSimulationWithChart(data.env, task.request, progress);
  if (task.kind === 'equity') return drawEquityChart(task.request);
  return drawPriceChart(data.env, task.request);
}

port.on('message', (m: ToThread) => {
  if (m.type === 'abort') return void aborts.get(m.id)?.abort();
  const abort = new AbortController();
  aborts.set(m.id, abort);
  perform(m.id, m.task as HeavyTask, abort.signal)
    .then((result) => send({ type: 'done', id: m.id, result }))
    .catch((err: unknown) => {
      const userFacing = isUserFacingError(err);
      if (!userFacing) logger.debug({ err: describeError(err) }, 'heavy task failed');
      send({ type: 'failed', id: m.id, error: { message: userFacing ? err.message : describeError(err), code: userFacing ? err.code : undefined, userFacing } });
    })
    .finally(() => aborts.delete(m.id));
});
send({ type: 'ready' });
