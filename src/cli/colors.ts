/**
 * Colour for a person at a terminal, never for a pipe, a file or a script: on only when the stream is a
 * terminal, NO_COLOR is unset (https://no-color.org: any non-empty value turns colour off) and TERM is not
 * "dumb"; FORCE_COLOR=1 turns it on anyway (for a pager that understands it).
 */
export function colorsFor(env: Record<string, string | undefined>, tty: { out: boolean; err: boolean }): { out: boolean; err: boolean } {
  if (env.NO_COLOR) return { out: false, err: false };
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return { out: true, err: true };
  const term = env.TERM !== 'dumb';
  return { out: tty.out && term, err: tty.err && term };
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39] } as const;

export function paint(on: boolean, style: keyof typeof CODES, text: string): string {
  if (!on || !text) return text;
  const [open, close] = CODES[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}
