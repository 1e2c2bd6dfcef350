import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/** Where the Go source of the embedded FerretDB helper lives, and where its binary goes. */
export const LOCALDB_SOURCE = join(PROJECT_ROOT, 'tools', 'localdb');
export const LOCALDB_BINARY = join(PROJECT_ROOT, '.data', 'bin', 'localdb');
const STAMP = `${LOCALDB_BINARY}.sha256`;

function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(LOCALDB_SOURCE).filter((n) => /\.(go|mod|sum)$/.test(n)).sort()) {
    h.update(f).update(readFileSync(join(LOCALDB_SOURCE, f)));
  }
  return h.digest('hex');
}

export class LocalDbBuildError extends Error {}

/**
 * Build the helper when it is missing or its source changed (a stamp file holds the source hash).
 * Build flags per FerretDB's own advice: no cgo, the local toolchain only (no download).
 */
export function ensureLocalDbBinary(opts: { quiet?: boolean } = {}): string {
  const hash = sourceHash();
  if (existsSync(LOCALDB_BINARY) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash) {
    return LOCALDB_BINARY;
  }
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new LocalDbBuildError(
      'No MONGODB_URI is set, no mongod is on PATH, and Go is not installed to build the embedded FerretDB ' +
        'helper (tools/localdb). Install Go >= 1.24, or set MONGODB_URI to a MongoDB >= 6 server.',
    );
  }
  mkdirSync(join(PROJECT_ROOT, '.data', 'bin'), { recursive: true });
  if (!opts.quiet) process.stderr.write('Building the embedded FerretDB helper (first run only, about a minute)…\n');
  const build = spawnSync('go', ['build', '-trimpath', '-o', LOCALDB_BINARY, '.'], {
    cwd: LOCALDB_SOURCE,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
  });
  if (build.status !== 0) {
    throw new LocalDbBuildError(`Building tools/localdb failed:\n${build.stderr || build.stdout}`);
  }
  writeFileSync(STAMP, `${hash}\n`);
  return LOCALDB_BINARY;
}
