#!/usr/bin/env node
// The `signaldesk` command. It runs on Node 24: an older `node` hands the call to the runtime `npm ci`
// installed (node_modules/.bin/node), or stops with one line saying what to install. It runs the compiled
// CLI when that build is newer than every source file (npm ci builds it; so does npm run build), else the
// TypeScript source through tsx. Node's compile cache keeps V8's compiled code between runs.
import module from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MIN_MAJOR = 24;
const root = fileURLToPath(new URL('..', import.meta.url));

if (Number(process.versions.node.split('.')[0]) < MIN_MAJOR) {
  const pinned = `${root}node_modules/.bin/node`;
  if (existsSync(pinned)) {
    const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    if (r.signal) process.kill(process.pid, r.signal);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`signaldesk needs Node.js ${MIN_MAJOR} or newer (this is ${process.version}): run npm ci in ${root} (it brings Node ${MIN_MAJOR}), or install Node ${MIN_MAJOR} LTS.\n`);
  process.exit(2);
}
module.enableCompileCache?.();

/** The build's stamp is newer than every .ts file under src/, commands/ and jobs/ (absent folders: a built image). */
function builtAndFresh() {
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of ['src', 'commands', 'jobs']) {
    let names;
    try {
      names = readdirSync(`${root}${dir}`, { recursive: true });
    } catch {
      continue;
    }
    for (const name of names) {
      if (String(name).endsWith('.ts') && statSync(`${root}${dir}/${name}`).mtimeMs > built) return false;
    }
  }
  return true;
}

if (builtAndFresh()) {
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
