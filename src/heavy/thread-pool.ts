import { Worker } from 'node:worker_threads';
import { log } from '../log/logger.js';

/** A message from a pool thread: ready, a task's progress, its result, or its error (already text). */
export type FromThread =
  | { type: 'ready' }
  | { type: 'progress'; id: number; stage: string }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; error: { message: string; code?: string; userFacing: boolean } };

export type ToThread = { type: 'task'; id: number; task: unknown } | { type: 'abort'; id: number };

interface Pending {
  id: number;
  task: unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: ((stage: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: Pending | undefined;
}

/** The error a task failed with in a thread, rebuilt on this side (a user-facing one keeps its code). */
export class ThreadTaskError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly userFacing: boolean) {
    super(message);
  }
}

/**
 * A fixed set of long-lived worker threads, each connected to the database on its own, that run
 * CPU-heavy tasks (job handlers, backtests, charts) off the event loop that answers Discord. Tasks
 * queue when every thread is busy; a thread that dies fails its task and is replaced.
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly file: URL, private readonly size: number, private readonly workerData: unknown) {}

  async start(timeoutMs = 60_000): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.size }, () => this.spawn(timeoutMs)));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private spawn(timeoutMs: number): Promise<void> {
    // Under tsx (development, tests) a thread does not inherit the TypeScript loader: register it first.
    const worker = this.file.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(this.file.href)}); });`, { eval: true, workerData: this.workerData })
      : new Worker(this.file, { workerData: this.workerData });
    const slot: Slot = { worker, ready: false, busy: undefined };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a heavy-work thread did not start within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      worker.on('message', (m: FromThread) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          slot.ready = true;
          resolve();
          this.pump();
          return;
        }
        const p = slot.busy;
        if (!p || m.id !== p.id) return;
        if (m.type === 'progress') return p.onProgress?.(m.stage);
        slot.busy = undefined;
        // What ran where (the last few tasks): /health and tests see that heavy work left the main thread.
        this.finished.push({ kind: String((p.task as { kind?: unknown }).kind ?? 'task'), threadId: worker.threadId, ok: m.type === 'done' });
        if (this.finished.length > 50) this.finished.shift();
        if (m.type === 'done') p.resolve(m.result);
        else p.reject(new ThreadTaskError(m.error.message, m.error.code, m.error.userFacing));
        this.pump();
      });
      let failure: Error | undefined;
      worker.on('error', (err) => {
        failure = err;
        log().error({ err }, 'heavy-work thread crashed');
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        this.slots.splice(this.slots.indexOf(slot), 1);
        slot.busy?.reject(new Error(`the heavy-work thread exited (code ${code}) during the task`));
        if (!slot.ready) {
          // A thread that cannot start (a bad database address, a module that fails to load) is not retried in a loop.
          reject(new Error(`a heavy-work thread exited while starting (code ${code})${failure ? `: ${failure.message}` : ''}`));
          return;
        }
        if (!this.closed) void this.spawn(timeoutMs).catch((err: unknown) => log().error({ err }, 'could not replace a heavy-work thread'));
      });
    });
  }

  run<T>(task: unknown, opts: { onProgress?: (stage: string) => void; signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the heavy-work pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, task, resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, signal: opts.signal };
      opts.signal?.addEventListener('abort', () => {
        const slot = this.slots.find((s) => s.busy === p);
        if (slot) slot.worker.postMessage({ type: 'abort', id: p.id } satisfies ToThread);
        else if (this.queue.includes(p)) {
          this.queue.splice(this.queue.indexOf(p), 1);
          reject(new Error('aborted before it started'));
        }
      }, { once: true });
      this.queue.push(p);
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.busy) continue;
      const p = this.queue.shift();
      if (!p) return;
      slot.busy = p;
      slot.worker.postMessage({ type: 'task', id: p.id, task: p.task } satisfies ToThread);
    }
  }

  /** The last tasks that ended, by kind and the id of the thread that ran them. */
  readonly finished: Array<{ kind: string; threadId: number; ok: boolean }> = [];

  /** The threads' ids (never the main thread's 0). */
  get threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  /** Queued and running tasks (for /health and metrics). */
  get load(): { threads: number; running: number; queued: number } {
    return { threads: this.slots.length, running: this.slots.filter((s) => s.busy).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the heavy-work pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
