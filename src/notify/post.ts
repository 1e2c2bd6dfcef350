import { z } from 'zod';

/** Alert types; each routes to its own channel and can be on, silent or off. */
export const ALERT_TYPES = ['signals', 'trades', 'scans', 'digests', 'tuning', 'ops', 'congress', 'ideas'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Discord's embed limits, enforced when a post is built rather than when Discord refuses it. */
export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;

export const postSchema = z.object({
  kind: z.enum(ALERT_TYPES),
  title: z.string().min(1).max(EMBED_LIMITS.title),
  description: z.string().max(EMBED_LIMITS.description).optional(),
  fields: z
    .array(
      z.object({
        name: z.string().min(1).max(EMBED_LIMITS.fieldName),
        value: z.string().min(1).max(EMBED_LIMITS.fieldValue),
        inline: z.boolean().optional(),
      }),
    )
    .max(EMBED_LIMITS.fields)
    .default([]),
  footer: z.string().max(EMBED_LIMITS.footer).optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  /** Ops errors bypass quiet hours. */
  urgent: z.boolean().default(false),
  /** Built from demo market data: every rendering says so. */
  demo: z.boolean().default(false),
  timestamp: z.string().optional(),
  /** One PNG shown in the embed (an equity curve): sent as an attachment, printed as a note on the console. */
  image: z.object({ filename: z.string().regex(/^[\w.-]{1,64}\.png$/), base64: z.string().min(1).max(4_000_000) }).optional(),
});

export type Post = z.infer<typeof postSchema>;
export type PostInput = z.input<typeof postSchema>;

export const DEMO_LABEL = 'DEMO DATA: SPX is the real S&P 500 index from 2000-01-03 to 2020-04-17 and a synthetic continuation after; every other symbol is synthetic, derived from it (docs/demo-market.md).';

export const COLORS = { ok: 0x2ecc71, info: 0x3498db, warn: 0xf1c40f, bad: 0xe74c3c } as const;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Validate a post, cutting over-long text to Discord's limits instead of failing delivery later. */
export function buildPost(input: PostInput): Post {
  const fields = (input.fields ?? []).slice(0, EMBED_LIMITS.fields).map((f) => ({
    ...f,
    name: truncate(f.name, EMBED_LIMITS.fieldName),
    value: truncate(f.value || '—', EMBED_LIMITS.fieldValue),
  }));
  const post = postSchema.parse({
    ...input,
    title: truncate(input.title, EMBED_LIMITS.title),
    description: input.description === undefined ? undefined : truncate(input.description, EMBED_LIMITS.description),
    fields,
  });
  // The 6,000-character total: drop trailing fields until it fits.
  while (embedLength(post) > EMBED_LIMITS.total && post.fields.length > 0) post.fields.pop();
  return post;
}

export function embedLength(post: Post): number {
  return (
    post.title.length +
    (post.description?.length ?? 0) +
    (post.footer?.length ?? 0) +
    post.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/**
 * Lines joined within Discord's limit for a text (a description's 4,096, a field's 1,024): whole lines only, never
 * cut mid-line; what does not fit is counted on a last line ("…and 4 more").
 */
export function fitLines(lines: string[], max: number, more = (n: number) => `…and ${n} more`): string {
  const out: string[] = [];
  let used = 0;
  for (const [i, raw] of lines.entries()) {
    const line = raw.length > max ? `${raw.slice(0, Math.max(0, max - 1))}…` : raw;
    const tail = i < lines.length - 1 ? more(lines.length - i - 1).length + 1 : 0;
    if (used + line.length + (out.length ? 1 : 0) + tail > max) {
      out.push(more(lines.length - i));
      return out.join('\n');
    }
    out.push(line);
    used += line.length + (out.length > 1 ? 1 : 0);
  }
  return out.join('\n');
}

