import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { equityChart, parseEquityRange, parseIndicators, parseRange, priceChart, type Chart } from '../../charts/chart-service.js';
import { UserFacingError } from '../../errors.js';
import type { Handler, HandlerResult } from '../handler.js';

function saved(c: Chart, out: string | undefined): HandlerResult {
  const file = resolve(out ?? c.filename);
  writeFileSync(file, c.png);
  return {
    data: { file, bytes: c.png.length, title: c.title, summary: c.summary },
    post: { kind: 'scans', title: c.title, fields: [...Object.entries(c.summary).map(([name, value]) => ({ name, value, inline: true })), { name: 'PNG', value: file }] },
  };
}

export const chartHandlers: Record<string, Handler> = {
  async chart(_rt, args, f) {
    const symbol = args[0]?.toUpperCase();
    if (!symbol) throw new UserFacingError('USAGE', 'usage: chart SYMBOL [--indicators sma20,sma50] [--range 6m] [--date D] [--out file.png]');
    return saved(await priceChart(symbol, parseRange(f.range), parseIndicators(f.indicators), f.date), f.out);
  },
  async equity(_rt, _args, f) {
    return saved(await equityChart(f.name ?? 'main', parseEquityRange(f.range)), f.out);
  },
};
