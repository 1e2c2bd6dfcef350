import { DEMO_LABEL, type Post } from './post.js';

/** A Discord embed object (API shape), built from a post. */
export interface EmbedJson {
  title: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
  timestamp?: string;
  image?: { url: string };
}

export function toEmbed(post: Post): EmbedJson {
  const description = [post.demo ? `⚠️ ${DEMO_LABEL}` : undefined, post.description].filter(Boolean).join('\n\n');
  const footer = [post.footer, post.demo ? 'demo data' : undefined].filter(Boolean).join(' · ');
  return {
    title: post.title,
    ...(description ? { description: description.slice(0, 4096) } : {}),
    ...(post.color !== undefined ? { color: post.color } : {}),
    ...(post.fields.length ? { fields: post.fields } : {}),
    ...(footer ? { footer: { text: footer } } : {}),
    ...(post.timestamp ? { timestamp: post.timestamp } : {}),
    ...(post.image ? { image: { url: `attachment://${post.image.filename}` } } : {}),
  };
}

/** The post's image as a file to upload beside the embed. */
export function imageFile(post: Post): { name: string; data: Buffer } | undefined {
  return post.image ? { name: post.image.filename, data: Buffer.from(post.image.base64, 'base64') } : undefined;
}

/** The post as a person would read it in a terminal. */
export function toText(post: Post): string {
  const lines: string[] = [];
  const head = `[${post.kind}] ${post.title}`;
  lines.push(`┌─ ${head}`);
  if (post.demo) lines.push(`│ ⚠ ${DEMO_LABEL}`);
  if (post.description) for (const l of post.description.split('\n')) lines.push(`│ ${l}`);
  for (const f of post.fields) {
    const value = f.value.split('\n');
    if (value.length === 1) lines.push(`│ ${f.name}: ${value[0]}`);
    else {
      lines.push(`│ ${f.name}:`);
      for (const v of value) lines.push(`│   ${v}`);
    }
  }
  if (post.image) lines.push(`│ [image ${post.image.filename}, ${Math.round((post.image.base64.length * 3) / 4 / 1024)} KB]`);
  const footer = [post.footer, post.demo ? 'demo data' : undefined].filter(Boolean).join(' · ');
  lines.push(`└─ ${footer || post.timestamp || ''}`.trimEnd());
  return lines.join('\n');
}
