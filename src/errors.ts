import { scrub } from './log/logger.js';

/**
 * The one error type a user may see. `code` is stable (it survives process boundaries and
 * becomes a CLI exit status or an ephemeral Discord reply); `message` is safe to show.
 * Anything that is not a UserFacingError is logged with context and answered generically.
 */
export class UserFacingError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'UserFacingError';
    this.code = code;
    this.details = details;
  }
}

export function isUserFacingError(err: unknown): err is UserFacingError {
  return err instanceof UserFacingError;
}

/**
 * The one place an error becomes text (logs, job_runs.error, outbox.lastError, ops posts, CLI output):
 * message only, never the whole object, with every registered secret and credential-shaped value masked.
 */
export function describeError(err: unknown): string {
  return scrub(err instanceof Error ? err.message : String(err));
}
