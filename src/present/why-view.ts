import { renderBarChart } from '../charts/bar-chart.js';
import { COLORS, type PostInput } from '../notify/post.js';
import type { WhyView } from '../strategy/why-service.js';

/** /why and `why`: the sentences, each asset's line, and the trade it explains (if any). */
export function whyPost(w: WhyView, demo: boolean): PostInput {
  const color = w.action === 'BUY' ? COLORS.ok : w.action === 'SELL' ? COLORS.bad : COLORS.info;
  return {
    kind: 'signals',
    title: `Why ${w.action} · ${w.portfolio} · ${w.tradeDate}${w.trade ? ` (trade ${w.trade.symbol})` : ''}${w.preview ? ' (not stored yet)' : ''}`,
    description: [w.preview ? `⚠ ${w.preview}` : undefined, w.sentences.join('\n')].filter(Boolean).join('\n\n'),
    color,
    demo,
    fields: [
      ...(w.trade ? [{ name: 'Trade', value: `${w.trade.action} ${w.trade.quantity} ${w.trade.symbol} @ ${w.trade.price.toFixed(2)} = $${w.trade.amount.toFixed(2)} on ${w.trade.tradeDate}, executing this signal` }] : []),
      ...(w.assets.length ? [{ name: 'Assets', value: w.assets.map((a) => a.sentence).join('\n').slice(0, 1024) }] : []),
    ],
  };
}

/** The regime's terms as a small PNG bar chart. */
export function whyChart(w: WhyView): { png: Buffer; filename: string } | undefined {
  if (w.terms.length === 0) return undefined;
  return { png: renderBarChart({ title: `Regime terms · ${w.portfolio} · ${w.tradeDate}`, subtitle: `${w.action} · regime score ${w.terms.reduce((s, t) => s + t.value, 0).toFixed(3)} = the sum of these weighted terms (config v${w.configVersion})`, bars: w.terms }), filename: `why-${w.tradeDate}.png` };
}
