import { createPortfolio } from '../../strategy/config-service.js';
import { todayIn, type IsoDate } from '../../calendar/dates.js';
import { reportsSoon } from '../../info/earnings-soon.js';
import { UserFacingError } from '../../errors.js';
import { watchCountsPost, watchListPost } from '../../present/watch-view.js';
import { performancePost, pnlPost, portfolioPost, signalPost, tradesPost } from '../../present/trading-view.js';
import { findSignal } from '../../strategy/signal-service.js';
import { performanceView, pnlView, portfolioView, requirePortfolio, tradesView } from '../../trading/portfolio-service.js';
import { setPaused } from '../../trading/pause-service.js';
import { benchmarkSymbol } from '../../config/env.js';
import { cliActor, type Flags, type Handler, type HandlerResult } from '../handler.js';

async function toggle(pause: boolean, f: Flags): Promise<HandlerResult> {
  const s = await setPaused(f.name ?? 'main', pause, cliActor(), f.notes);
  return { data: s, post: { kind: 'ops', title: `Trading for ${s.portfolio} is ${s.paused ? 'paused' : 'running'}`, description: `by ${s.changedBy} at ${s.changedAt}` } };
}

// The scan, universe and watchlist code (indicators, providers, metrics) loads with the command that needs it.
const scans = () => import('../../analysis/scan-service.js');
const universes = () => import('../../market-data/universe-update.js');
const watches = () => import('../../analysis/watch-service.js');

export const tradingHandlers: Record<string, Handler> = {
  async universe() {
    const { universeView, universeViewPost } = await universes();
    const v = await universeView();
    return { data: v, post: universeViewPost(v) };
  },
  async scan(rt, _args, f) {
    const { findScan, requireScan, scanPost } = await scans();
    const name = requireScan(f.name ?? 'next-day-prep');
    const s = await findScan(name, f.date);
    if (!s) throw new UserFacingError('NO_SCAN', `No ${name} result${f.date ? ` for ${f.date}` : ' yet'}; make one with: signaldesk run ${name} --date ${f.date ?? (await (await import('../../market-data/ensure-history.js')).hintDate())}`);
    return { data: s, post: scanPost(s, rt.env.MARKET_DATA_PROVIDER === 'demo') };
  },
  pause: (_rt, _args, f) => toggle(true, f),
  resume: (_rt, _args, f) => toggle(false, f),
  async portfolio(rt, args, f) {
    if (args[0] === 'create') {
      if (!args[1]) throw new UserFacingError('USAGE', 'usage: portfolio create NAME   (1 to 32 lower-case letters, digits or dashes)');
      const v = await createPortfolio(args[1], cliActor());
      return { data: v, post: { kind: 'tuning', title: `Portfolio ${v.portfolio} created`, description: `Version ${v.version} holds the default configuration; change it with \`config set --name ${v.portfolio} key=value\`.` } };
    }
    if (args.length) throw new UserFacingError('USAGE', `unknown portfolio subcommand "${args[0]}"; usage: portfolio [--name P] [--date D] | portfolio create NAME`);
    const v = await portfolioView(f.name ?? 'main', f.date, benchmarkSymbol(rt.env));
    const reports = await reportsSoon(v.positions.map((p) => p.symbol), (v.asOf ?? todayIn('America/New_York')) as IsoDate);
    const { getActiveConfig } = await import('../../strategy/config-versions.js');
    const brokerId = (await getActiveConfig(v.name)).params.broker ?? 'ledger';
    const broker = brokerId === 'ledger' ? null : await (await import('../../broker/reconcile.js')).brokerLine(v.name, brokerId);
    return { data: { ...v, reportsInDays: Object.fromEntries(reports), broker: brokerId, brokerSync: broker }, post: portfolioPost(v, rt.env.MARKET_DATA_PROVIDER === 'demo', undefined, reports, broker) };
  },
  async watch(_rt, args, f) {
    const { listWatch, watchCounts } = await watches();
    if (args[0] === 'stats') {
      const c = await watchCounts();
      return { data: c, post: watchCountsPost(c) };
    }
    if (args[0] !== 'list' || args.length > 1) throw new UserFacingError('USAGE', 'usage: watch list --user DISCORD_USER_ID | watch stats');
    if (!f.user || !/^\d{15,21}$/.test(f.user)) throw new UserFacingError('BAD_USER', `--user "${f.user ?? ''}" must be a Discord user id (15 to 21 digits).`);
    const w = await listWatch(f.user);
    return { data: w, post: watchListPost(w) };
  },
  async trades(_rt, _args, f) {
    const name = f.name ?? 'main';
    const t = await tradesView({ portfolio: name, from: f.from, to: f.to, symbol: f.symbol });
    return { data: t, post: tradesPost(name, t) };
  },
  async performance(rt, _args, f) {
    const p = await performanceView(f.name ?? 'main', benchmarkSymbol(rt.env));
    return { data: p, post: performancePost(p) };
  },
  async broker(rt, args, f) {
    const name = f.name ?? 'main';
    const [sub, ...rest] = args;
    if (sub === 'status' && rest.length === 0) {
      const { brokerStatus, brokerStatusPost } = await import('../../broker/status.js');
      const s = await brokerStatus(name, f.date as IsoDate | undefined);
      return { data: s, post: brokerStatusPost(s) };
    }
    if (sub === 'adopt' && rest.length === 1) {
      const { adoptDifference } = await import('../../broker/adopt.js');
      const a = await adoptDifference(rt.env, name, rest[0]!, cliActor());
      return { data: a, post: { kind: 'ops', title: `Adopted the broker's side: ${a.portfolio} ${a.what}`, description: `${a.before} → ${a.after} (audited)` } };
    }
    if (sub === 'live' && rest.length === 1 && (rest[0] === 'on' || rest[0] === 'off')) {
      const { setLiveSwitch } = await import('../../broker/order-service.js');
      const r = await setLiveSwitch(rest[0] === 'on', cliActor());
      return { data: r, post: { kind: 'ops', title: r.on ? 'Real-money orders allowed (with ALPACA_LIVE=yes)' : 'Real-money orders stopped', description: 'audited' } };
    }
    throw new UserFacingError('USAGE', `${sub === undefined ? 'broker needs a subcommand' : `unknown broker use "${[sub, ...rest].join(' ')}"`}; usage: broker status [--name P] [--date D] | broker adopt SYMBOL|cash [--name P] | broker live on|off`);
  },
  async pnl(_rt, _args, f) {
    const name = f.name ?? 'main';
    const period = f.period ?? 'daily';
    const rows = await pnlView(name, period);
    const { lotsOf } = await import('../../broker/lots-service.js');
    const lots = await lotsOf(name);
    return { data: rows, post: pnlPost(name, period, rows, lots.realized) };
  },
  async signal(rt, args, f) {
    if (args[0] !== 'show') throw new UserFacingError('USAGE', 'usage: signal show [--date YYYY-MM-DD] [--name P]');
    const name = f.name ?? 'main';
    await requirePortfolio(name);
    const s = await findSignal(name, f.date);
    if (!s) throw new UserFacingError('NO_SIGNAL', f.date ? `No signal for "${name}" on ${f.date}; run generate-signal --date ${f.date}.` : `No signal for "${name}" yet.`);
    return { data: s, post: signalPost(s, rt.env.MARKET_DATA_PROVIDER === 'demo') };
  },
};
