#!/usr/bin/env node
// The `signaldesk` command: the compiled CLI when built (npm run build), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
