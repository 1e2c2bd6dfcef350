// The faults `npm run test:mutate` plants (scripts/mutate.ts), as data: each one a small edit to the product
// that the named suites must catch. test/architecture/mutation-anchors.test.ts (in npm test) checks that each
// anchor is still in its file exactly once and each suite exists, so this list cannot rot unnoticed.
export interface Fault {
  name: string;
  file: string;
  find: string;
  replace: string;
  suites: string[];
}

export const FAULTS: Fault[] = [
  {
    name: 'claim without the unique insert (a taken generation is overwritten, not refused)',
    file: 'src/db/lease.ts',
    find: 'await Lease.create({ _id: idOf(scope, key, gen), scope, key, gen, holder, until, released: false, createdAt: now });',
    replace: 'await Lease.replaceOne({ _id: idOf(scope, key, gen) }, { scope, key, gen, holder, until, released: false, createdAt: now }, { upsert: true });',
    suites: ['test/scheduler/run-job.test.ts', 'test/notify/outbox.test.ts'],
  },
  {
    name: 'a post delivered twice',
    file: 'src/notify/outbox.ts',
    find: 'const receipt = await sink.send({ idempotencyKey: fresh.idempotencyKey, channelKey: fresh.channelKey, post, silent: verdict.silent, channelId });',
    replace: 'await sink.send({ idempotencyKey: fresh.idempotencyKey, channelKey: fresh.channelKey, post, silent: verdict.silent, channelId }); const receipt = await sink.send({ idempotencyKey: fresh.idempotencyKey, channelKey: fresh.channelKey, post, silent: verdict.silent, channelId });',
    suites: ['test/notify/outbox.test.ts', 'test/discord/bot-e2e.test.ts'],
  },
  {
    name: 'secrets not registered by the processes',
    file: 'src/runtime/runtime.ts',
    find: '  registerSecrets(SECRET_ENV_KEYS.map((k) => env[k]));\n  const chosen = env.LOG_FORMAT ?? format;',
    replace: '  const chosen = env.LOG_FORMAT ?? format;',
    suites: ['test/log/secrets.test.ts'],
  },
  {
    name: 'the deliverer sleeps on its claim through a Retry-After',
    file: 'src/notify/outbox.ts',
    find: 'const wait = err instanceof SinkError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs(attempt);',
    replace: 'const wait = err instanceof SinkError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs(attempt); if (err instanceof SinkError && err.retryAfterMs) await new Promise((r) => setTimeout(r, err.retryAfterMs));',
    suites: ['test/notify/outbox.test.ts'],
  },
  {
    name: "the catch-up runs a missed slot under today's key",
    file: 'src/scheduler/catch-up.ts',
    find: "const r = await runJob(def, env, { date: slot.date, runKey: slot.runKey, dueAt: slot.dueAt, trigger: 'catch-up', now });",
    replace: "const r = await runJob(def, env, { dueAt: slot.dueAt, trigger: 'catch-up', now });",
    suites: ['test/scheduler/catch-up.test.ts'],
  },
  {
    name: 'a bad date accepted',
    file: 'src/scheduler/run-job.ts',
    find: '  if (!isCalendarDate(date)) {',
    replace: '  if (!isCalendarDate(date) && date.length < 0) {',
    suites: ['test/scheduler/run-job.test.ts', 'test/cli/cli.test.ts'],
  },
  {
    name: 'a CLI read loads Agenda at start (the health service takes the collection name from the scheduler)',
    file: 'src/health/health-service.ts',
    find: "import { AGENDA_COLLECTION } from '../scheduler/job-definition.js';",
    replace: "import { AGENDA_COLLECTION } from '../scheduler/worker.js';",
    suites: ['test/cli/cli-surface.test.ts'],
  },
  {
    name: "the embedded server insists on a remembered port another program holds",
    file: 'tools/localdb/main.go',
    find: 'if l, err := net.Listen("tcp", remembered); err == nil {',
    replace: 'if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {',
    suites: ['test/db/local-server.test.ts'],
  },
  {
    name: "the embedded server's _id lookups scan their tables again (no index on the lookup's expression)",
    file: 'tools/localdb/idindex.go',
    find: "CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')",
    replace: "CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$.n')",
    suites: ['test/db/local-server.test.ts'],
  },
];
