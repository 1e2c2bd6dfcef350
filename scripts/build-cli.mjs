// `npm run build` (and `prepare`, so npm ci ends with it): compile src/, commands/ and jobs/ to dist/ and stamp
// the build, so bin/signaldesk.js runs the compiled CLI (the TypeScript source through tsx whenever a source
// file is newer than the stamp). Plain JS on purpose: it runs before anything else is set up. Where the
// compiler is not installed (npm ci --omit=dev) or the sources are absent (a Docker layer with only
// package.json), it says so and leaves the CLI on the source path.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.log('build: TypeScript is not installed here (a production install); the CLI runs the compiled dist/ if present.');
  process.exit(0);
}
if (!existsSync('src/cli/main.ts')) {
  console.log('build: no sources here yet; nothing to compile.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The job manifest: every built job's name, description, schedule and options (src/scheduler/job-registry.ts
// reads it so a compiled process need not import every job module to list the jobs).
const jobsDir = new URL('../dist/jobs/', import.meta.url);
const manifest = [];
for (const file of readdirSync(jobsDir).filter((f) => f.endsWith('.js')).sort()) {
  const mod = await import(new URL(file, jobsDir).href);
  if (typeof mod.name !== 'string' || typeof mod.handler !== 'function') continue;
  manifest.push({ file, name: mod.name, description: mod.description, ...(mod.schedule ? { schedule: mod.schedule } : {}), ...(mod.options ? { options: mod.options } : {}) });
}
writeFileSync('dist/jobs-manifest.json', `${JSON.stringify(manifest, null, 1)}\n`);
writeFileSync('dist/.built', `${new Date().toISOString()}\n`);
