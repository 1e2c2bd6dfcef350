import { addDays, type IsoDate } from '../calendar/dates.js';
import { previousTradingDay } from '../calendar/nyse.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { readBars } from '../market-data/bar-store.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { equitySeries } from '../trading/portfolio-store.js';
import { maxDrawdown, performance } from '../trading/performance.js';
import { activateNewVersion, getActiveConfig, getVersion, versionByOrigin, type Actor, type ConfigVersion } from './config-versions.js';
import { tune, tuningReport, type TuningResult } from './tuning.js';

export interface TuningOutcome {
  portfolio: string;
  date: IsoDate;
  from: ConfigVersion;
  to: ConfigVersion;
  result: TuningResult;
  report: string;
}

function monthsBack(date: IsoDate, months: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
}

/**
 * Tune a portfolio on `date` from the last three months: a new config version starting on the
 * first of the month (the previous one ends on the last day of the previous month), with the
 * markdown report stored on it. Forced on another day, the new version starts that day.
 */
export async function runTuning(portfolio: string, date: IsoDate, actor: Actor, opts: { forced?: boolean } = {}): Promise<TuningOutcome> {
  // One version per portfolio and month, however often the month is tuned (forced re-runs included):
  // a re-run finds the version its month made and reports it again, changing nothing.
  const origin = `tuning:${date.slice(0, 7)}`;
  const made = await versionByOrigin(portfolio, origin);
  const from = made?.parentVersion ? await getVersion(portfolio, made.parentVersion) : await getActiveConfig(portfolio);
  const periodEnd = previousTradingDay(date);
  const periodStart = monthsBack(date, 3);
  const [trades, signals] = await Promise.all([
    Trade.find({ portfolio, tradeDate: { $gte: periodStart, $lte: periodEnd } }).sort({ tradeDate: 1 }).lean(),
    Signal.find({ portfolio, tradeDate: { $gte: periodStart, $lte: periodEnd } }).lean(),
  ]);
  const symbols = [...new Set([...trades.map((t) => t.symbol), ...from.params.assets])];
  const bars = await readBars(symbols, addDays(periodStart, -45), date);
  const closes = Object.fromEntries([...bars].map(([s, list]) => [s, list.map((b) => ({ date: b.date, close: b.close }))]));
  const { points } = await equitySeries(portfolio, periodEnd);
  const inPeriod = points.filter((p) => p.date >= periodStart);
  const nav = performance(points).nav.filter((n) => n.date >= periodStart).map((n) => n.nav);
  const input = {
    params: from.params, periodStart, periodEnd,
    trades: trades.map((t) => ({ date: t.tradeDate, symbol: t.symbol, action: t.action, price: t.price, amount: t.amount })),
    signals: signals.map((s) => ({ date: s.tradeDate, action: s.action })),
    closes, market: closes[from.params.assets[0]!] ?? [], drawdown: inPeriod.length ? maxDrawdown(nav) : 0,
  };
  const result = tune(input);
  const firstOfMonth = `${date.slice(0, 7)}-01`;
  const startDate = opts.forced && date !== firstOfMonth ? date : firstOfMonth;
  const endDate = addDays(startDate, -1);
  const report = tuningReport(input, result, { portfolio, fromVersion: from.version, toVersion: from.version + 1 });
  const to = made ?? await activateNewVersion(portfolio, result.params, {
    actor, startDate, endDate, report, action: 'config.tune', origin,
    notes: `monthly tuning ${date.slice(0, 7)}: ${result.recommendations.map((r) => r.title).join('; ')}`,
  });
  return { portfolio, date, from, to, result, report };
}

export function tuningPost(o: TuningOutcome): PostInput {
  return {
    kind: 'tuning',
    title: `Strategy tuning · ${o.portfolio} · v${o.from.version} → v${o.to.version}`,
    description: o.result.recommendations.map((r) => `**${r.title}**: ${r.reason}`).join('\n'),
    color: o.result.changes.length ? COLORS.warn : COLORS.info,
    fields: [
      { name: 'Changes', value: o.result.changes.map((c) => `${c.key}: ${c.from} → ${c.to}`).join('\n') || 'none' },
      { name: 'Trades scored', value: `${o.result.scored.length} (win rate ${(o.result.overall.winRate * 100).toFixed(0)}%)`, inline: true },
      { name: 'Effective', value: `from ${o.to.startDate} (v${o.from.version} ended ${addDays(o.to.startDate, -1)})`, inline: true },
      { name: 'Report', value: `\`signaldesk config report ${o.to.version}${o.portfolio !== 'main' ? ` --name ${o.portfolio}` : ''}\` or /config report` },
    ],
  };
}
