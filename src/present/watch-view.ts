import type { PostInput } from '../notify/post.js';
import type { WatchView } from '../analysis/watch-service.js';

export function watchListPost(w: { rules: WatchView[]; mutedUntil: string | null }): PostInput {
  return {
    kind: 'scans',
    title: `Your watchlist (${w.rules.length})${w.mutedUntil ? ` · muted until ${w.mutedUntil.slice(0, 16).replace('T', ' ')} UTC` : ''}`,
    description: w.rules.length ? w.rules.map((r) => `#${r.id} ${r.symbol}: ${r.rule}`).join('\n') : 'No rules yet: /watch add symbol rule [value].',
  };
}

export function watchCountsPost(c: { members: number; rules: number; byKind: Record<string, number> }): PostInput {
  return {
    kind: 'scans',
    title: `Watchlists: ${c.members} member(s), ${c.rules} rule(s)`,
    description: Object.entries(c.byKind).map(([k, n]) => `${k}: ${n}`).join('\n') || 'No rules.',
  };
}
