import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { equityChart, parseEquityRange, parseIndicators, parseRange, parseStyle, type Chart } from '../../charts/chart-service.js';
import { benchmarkSymbol } from '../../config/env.js';
import { UserFacingError } from '../../errors.js';
import { drawPriceChart } from '../../heavy/heavy-tasks.js';
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
  async chart(rt, args, f) {
    const symbol = args[0]?.toUpperCase();
    if (!symbol) throw new UserFacingError('USAGE', 'usage: chart SYMBOL [--indicators sma20,sma50,rsi,macd] [--range 6m] [--type candle|line] [--scale linear|log] [--trades P] [--theme dark|light] [--date D] [--out file.png]');
    const style = parseStyle({ type: f.type, scale: f.scale, theme: f.theme });
    const request = { symbol, range: parseRange(f.range), indicators: parseIndicators(f.indicators), date: f.date, style, trades: f.trades };
    return saved(await drawPriceChart(rt.env, request), f.out);
  },
  async equity(rt, _args, f) {
    return saved(await equityChart(f.name ?? 'main', parseEquityRange(f.range), { benchmark: benchmarkSymbol(rt.env), theme: parseStyle({ theme: f.theme }).theme }), f.out);
  },
};
