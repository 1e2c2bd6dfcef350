import { userInfo } from 'node:os';
import type { PostInput } from '../notify/post.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Actor } from '../config/actor.js';

export { EXIT } from './command-table.js';

/** A config version number as typed: decimal digits, no leading zero (so "0x1" and "1e0" are refused). */
export const VERSION_NUMBER = /^[1-9]\d{0,5}$/;

export interface Flags {
  json: boolean;
  force: boolean;
  date?: string | undefined;
  name?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  since?: string | undefined;
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
  days?: string | undefined;
  member?: string | undefined;
  ticker?: string | undefined;
  simulate?: boolean;
  ideas?: boolean;
  criterion?: string | undefined;
  into?: string | undefined;
  local?: boolean;
  drop?: boolean;
  /** Where a long command reports its stages (a line on stderr at a terminal); absent elsewhere. */
  progress?: ((stage: string) => void) | undefined;
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
