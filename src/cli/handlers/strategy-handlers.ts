import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserFacingError } from '../../errors.js';
import { whyChart, whyPost } from '../../present/why-view.js';
import { whySignal, whyTrade } from '../../strategy/why-service.js';
import { MAX_SIMULATION_MONTHS, simulateConfig, simulationChart, simulationNotes } from '../../strategy/simulate-service.js';
import { simulationPost } from '../../present/simulate-view.js';
import { providerFor } from '../../market-data/providers.js';
import { benchmarkSymbol } from '../../config/env.js';
import { backtestPost, configDiffPost, configHistoryPost, configPost, configReportPost } from '../../present/strategy-view.js';
import { backtest, checkBacktestRequest } from '../../strategy/backtest-service.js';
import { configDiff, configHistory, configReport, rollbackConfig, setConfig, showConfig } from '../../strategy/config-service.js';
import { cliActor, VERSION_NUMBER, type Handler } from '../handler.js';

function versionArg(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (raw === undefined || !VERSION_NUMBER.test(raw)) throw new UserFacingError('USAGE', `${what} must be a version number (1, 2, …); got "${raw ?? ''}".`);
  return n;
}

const CONFIG_USAGE = 'usage: config show [--version V] | history | diff A B | set key=value … [--notes "…"] [--simulate] | simulate key=value … [--months N | --from D --to D] | rollback V | report V   (all take --name P)';

export const strategyHandlers: Record<string, Handler> = {
  async why(rt, args, f) {
    if (args.length) throw new UserFacingError('USAGE', `why takes no arguments ("${args[0]}"); usage: why [--date D] [--name P] | why --trade ID [--out F.png]`);
    const w = f.trade !== undefined ? await whyTrade(f.trade, rt.jobs) : await whySignal(f.name ?? 'main', f.date, rt.jobs, new Date(), providerFor(rt.env));
    const post = whyPost(w, rt.env.MARKET_DATA_PROVIDER === 'demo');
    const chart = f.out ? whyChart(w) : undefined;
    if (chart) {
      const file = resolve(f.out!);
      writeFileSync(file, chart.png);
      post.fields = [...(post.fields ?? []), { name: 'PNG', value: file }];
    }
    return { data: w, post };
  },
  async config(rt, args, f) {
    const name = f.name ?? 'main';
    const [sub, ...rest] = args;
    switch (sub ?? 'show') {
      case 'show': {
        const v = await showConfig(name, f.version === undefined ? undefined : versionArg(f.version, '--version'));
        return { data: v, post: configPost(v) };
      }
      case 'history': {
        const h = await configHistory(name);
        return { data: h, post: configHistoryPost(name, h) };
      }
      case 'diff': {
        const d = await configDiff(name, versionArg(rest[0], 'the first version'), versionArg(rest[1], 'the second version'));
        return { data: d, post: configDiffPost(name, d) };
      }
      case 'simulate': {
        if (f.months !== undefined && !/^[1-9]\d{0,2}$/.test(f.months)) throw new UserFacingError('BAD_MONTHS', `--months "${f.months}" must be a whole number of months (1 to ${MAX_SIMULATION_MONTHS}).`);
        const sim = await simulateConfig({ portfolio: name, assignments: rest, months: f.months === undefined ? undefined : Number(f.months), from: f.from, to: f.to, benchmark: benchmarkSymbol(rt.env) }, f.progress, providerFor(rt.env));
        const post = simulationPost(sim, rt.env.MARKET_DATA_PROVIDER === 'demo');
        if (f.out) {
          const chart = simulationChart(sim);
          writeFileSync(resolve(f.out), chart.png);
          post.fields = [{ name: 'PNG', value: resolve(f.out) }];
        }
        return { data: sim, post };
      }
      case 'set': {
        if (f.simulate) {
          // Both: the simulation first (shown), then the change through the same validated, audited path.
          const sim = await simulateConfig({ portfolio: name, assignments: rest, months: f.months === undefined ? undefined : Number(f.months), from: f.from, to: f.to, benchmark: benchmarkSymbol(rt.env) }, f.progress, providerFor(rt.env));
          const r = await setConfig(name, rest, cliActor(), [f.notes, simulationNotes(sim)].filter(Boolean).join(' · '));
          return { data: { simulation: sim, ...r }, post: { ...simulationPost(sim, rt.env.MARKET_DATA_PROVIDER === 'demo'), title: `Config ${name} v${r.version.version} is active · simulated ${sim.from} → ${sim.to}` } };
        }
        const r = await setConfig(name, rest, cliActor(), f.notes);
        return { data: r, post: configDiffPost(name, { a: r.version.parentVersion ?? r.version.version - 1, b: r.version.version, changes: r.changes }, `Config ${name} v${r.version.version} is active`) };
      }
      case 'rollback': {
        const r = await rollbackConfig(name, versionArg(rest[0], 'rollback'), cliActor());
        return { data: r, post: configDiffPost(name, { a: r.version.version - 1, b: r.version.version, changes: r.changes }, `Config ${name} rolled back: v${r.version.version} copies v${rest[0]}`) };
      }
      case 'report': {
        const r = await configReport(name, versionArg(rest[0], 'report'));
        return { data: r, post: configReportPost(name, r.version, r.report) };
      }
      default:
        throw new UserFacingError('USAGE', `unknown config subcommand "${sub}". ${CONFIG_USAGE}`);
    }
  },
  async backtest(rt, _args, f) {
    if (!f.from || !f.to) throw new UserFacingError('USAGE', 'usage: backtest --from YYYY-MM-DD --to YYYY-MM-DD [--version V] [--symbols A,B] [--name P] [--ideas]');
    if (f.ideas) {
      checkBacktestRequest({ from: f.from, to: f.to, symbols: f.symbols?.split(',').map((x) => x.trim()).filter(Boolean) });
      const { backtestIdeas } = await import('../../ideas/idea-backtest.js');
      const { ideaBacktestPost } = await import('../../ideas/idea-posts.js');
      const r = await backtestIdeas({
        from: f.from, to: f.to, portfolio: f.name, version: f.version === undefined ? undefined : versionArg(f.version, '--version'),
        symbols: f.symbols?.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean), provider: providerFor(rt.env), onProgress: f.progress,
      });
      return { data: r, post: ideaBacktestPost(r, rt.env.MARKET_DATA_PROVIDER === 'demo') };
    }
    const s = await backtest({
      portfolio: f.name, from: f.from, to: f.to, version: f.version === undefined ? undefined : versionArg(f.version, '--version'),
      symbols: f.symbols?.split(',').map((x) => x.trim()).filter(Boolean), actor: cliActor(), provider: providerFor(rt.env), benchmark: benchmarkSymbol(rt.env),
      ...(f.progress ? { onProgress: f.progress } : {}),
    });
    return { data: s, post: backtestPost(s, rt.env.MARKET_DATA_PROVIDER === 'demo') };
  },
};
