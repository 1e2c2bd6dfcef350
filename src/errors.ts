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

/** Error text for logs: message and code, never the whole object (which may hold secrets). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
