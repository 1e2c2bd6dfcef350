import { userInfo } from 'node:os';
import type { PostInput } from '../notify/post.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Actor } from '../config/actor.js';

/**
 * CLI exit statuses: 0 ok, 1 unexpected error (or unhealthy), 2 bad input, 3 the job ran and failed,
 * 4 busy: another worker holds the run right now (nothing was done here; try again later).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, jobFailed: 3, busy: 4 } as const;

/** A config version number as typed: decimal digits, no leading zero (so "0x1" and "1e0" are refused). */
export const VERSION_NUMBER = /^[1-9]\d{0,5}$/;

export interface Flags {
  json: boolean;
  force: boolean;
  date?: string | undefined;
  name?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  symbol?: string | undefined;
  symbols?: string | undefined;
  period?: string | undefined;
  version?: string | undefined;
  notes?: string | undefined;
  indicators?: string | undefined;
  range?: string | undefined;
  out?: string | undefined;
  trade?: string | undefined;
  trades?: string | undefined;
  at?: string | undefined;
  type?: string | undefined;
  scale?: string | undefined;
  theme?: string | undefined;
  months?: string | undefined;
  user?: string | undefined;
  simulate?: boolean;
  into?: string | undefined;
  local?: boolean;
  drop?: boolean;
}

export interface HandlerResult {
  data: unknown;
  post: PostInput;
  code?: number;
}

/** One CLI command: positional args and flags in, plain data and its post out. */
export type Handler = (rt: Runtime, args: string[], flags: Flags) => Promise<HandlerResult>;

export function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): stay anonymous.
  }
  return { id: `cli:${name}`, name, source: 'cli' };
}
