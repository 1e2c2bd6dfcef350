import mongoose from 'mongoose';
import type { IsoDate } from '../calendar/dates.js';
import { closureReason, nextTradingDay } from '../calendar/nyse.js';
import { hintDate } from '../market-data/ensure-history.js';
import { JobRun, jobRunId } from '../db/models/job-run.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { UserFacingError } from '../errors.js';
import type { JobDefinition } from '../scheduler/job-definition.js';
import { nyTime, slotsBetween } from '../scheduler/slots.js';
import { requirePortfolio } from '../portfolio/portfolios.js';
import { getVersion } from './config-versions.js';
import { computeSignal, findSignal } from './signal-service.js';
import type { MarketDataProvider } from '../market-data/provider.js';
import { explainSignal, type Explanation } from './why.js';

export interface WhyView extends Explanation {
  portfolio: string;
  /** Set when the question was about a trade: the fill, linked to the signal that made it. */
  trade?: { id: string; tradeDate: string; symbol: string; action: string; quantity: number; price: number; amount: number };
  /** Set when nothing was stored yet: the decision computed now for that date, and how to store it. */
  preview?: string;
}

/** Why no signal exists for a date: a closed market, a recorded missed or failed run, or not yet run (and when it will). */
async function noSignalReason(portfolio: string, date: IsoDate | undefined, jobs: Map<string, JobDefinition>, now: Date): Promise<string> {
  if (!date) {
    const next = nextTradingDay(await hintDate());
    return `No signal for "${portfolio}" yet; make one with \`signaldesk run generate-signal --date ${next}\` (/rerun in Discord). The worker writes one each trading morning at 06:00 New York.`;
  }
  const closed = closureReason(date);
  if (closed) return `No signal for "${portfolio}" on ${date}: the market is closed (${closed}), so generate-signal does not run.`;
  const run = await JobRun.findById(jobRunId('generate-signal', date)).lean();
  if (run?.status === 'missed') return `No signal for "${portfolio}" on ${date}: generate-signal's run was missed (${run.error ?? 'no worker ran it'}); run it with \`signaldesk run generate-signal --date ${date}\` or /rerun.`;
  if (run?.status === 'failed') return `No signal for "${portfolio}" on ${date}: generate-signal failed (${run.error ?? 'see /jobs history generate-signal'}).`;
  const def = jobs.get('generate-signal');
  const next = def ? slotsBetween(def, now, new Date(now.getTime() + 14 * 86_400_000), 20).find((s) => s.date >= date) : undefined;
  if (next) return `No signal for "${portfolio}" on ${date} yet: generate-signal runs for it on ${nyTime(next.dueAt)} New York.`;
  return `No signal for "${portfolio}" on ${date}: generate-signal has not run for it; run it with \`signaldesk run generate-signal --date ${date}\`.`;
}

/** Explain the stored signal of a date (latest when none), from what was stored. */
export async function whySignal(portfolio: string, date: IsoDate | undefined, jobs: Map<string, JobDefinition>, now = new Date(), provider?: MarketDataProvider): Promise<WhyView> {
  await requirePortfolio(portfolio);
  const s = await findSignal(portfolio, date);
  if (!s && date === undefined) {
    // Nothing stored yet (a fresh install): what the allocator would decide for the next session, computed, not stored.
    const next = nextTradingDay(await hintDate());
    const c = await computeSignal(portfolio, next, provider);
    return {
      portfolio, ...explainSignal(c.result, c.params, c.configVersion),
      preview: `No signal is stored yet: this is what generate-signal decides for ${next} from the bars stored before it, computed now. \`signaldesk run generate-signal --date ${next}\` (or /rerun) stores it; the worker does each trading morning at 06:00 New York.`,
    };
  }
  if (!s) throw new UserFacingError('NO_SIGNAL', await noSignalReason(portfolio, date, jobs, now));
  const config = await getVersion(portfolio, s.configVersion);
  return { portfolio, ...explainSignal(s.signal, config.params, s.configVersion) };
}

/** Explain a trade: its fill, and the signal it executed. */
export async function whyTrade(id: string, jobs: Map<string, JobDefinition>): Promise<WhyView> {
  if (!mongoose.isValidObjectId(id) || !/^[a-f0-9]{24}$/i.test(id)) throw new UserFacingError('BAD_TRADE_ID', `"${id}" is not a trade id: use the 24-character id shown by \`trades --json\`.`);
  const t = await Trade.findById(id).lean();
  if (!t) throw new UserFacingError('UNKNOWN_TRADE', `There is no trade ${id}.`);
  const signal = await Signal.findById(t.signalId).lean();
  if (!signal) throw new UserFacingError('NO_SIGNAL', `Trade ${id} has no stored signal (it was recorded without one).`);
  const view = await whySignal(t.portfolio, signal.tradeDate, jobs);
  return { ...view, trade: { id, tradeDate: t.tradeDate, symbol: t.symbol, action: t.action, quantity: t.quantity, price: t.price, amount: t.amount } };
}
