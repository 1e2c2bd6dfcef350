import mongoose from 'mongoose';
import type { IsoDate } from '../calendar/dates.js';
import type { Actor } from '../config/actor.js';
import type { Env } from '../config/env.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { upsertRacing } from '../db/connection.js';
import { BrokerState } from '../db/models/broker.js';
import { Trade } from '../db/models/trade.js';
import { UserFacingError } from '../errors.js';
import { ledgerBefore, syncPositions } from '../trading/portfolio-store.js';
import { applyFill, cloneState } from '../trading/ledger.js';
import { addDays } from '../calendar/dates.js';
import { brokerFor, TRADED_AS } from './order-service.js';
import { lastSync, type Difference } from './reconcile.js';

export interface Adoption {
  portfolio: string;
  what: string;
  before: string;
  after: string;
}

/**
 * The broker's side of one difference the last reconciliation found, taken into the ledger (an admin's confirmed
 * choice, audited): a quantity becomes the broker's (a BUY or SELL at the broker's average entry price, marked
 * as an adoption); for cash, the broker's difference becomes the new baseline (the ledger models no fees or transfers). Orders we did not place and fills not
 * recorded yet are not adopted: the account owner's, and follow-orders' work.
 */
export async function checkAdoptable(portfolio: string, target: string): Promise<Difference> {
  const s = await lastSync(portfolio);
  if (!s) throw new UserFacingError('NOT_RECONCILED', `"${portfolio}" has no reconciliation yet: run closing-portfolio-sync (or portfolio-sync-morning) first.`);
  const want = target.trim().toUpperCase();
  const d = s.differences.find((x) => (want === 'CASH' ? x.kind === 'cash' : x.symbol === want && (x.kind === 'quantity' || x.kind === 'unknown-position')));
  if (!d) {
    const open = s.differences.filter((x) => x.kind === 'quantity' || x.kind === 'unknown-position' || x.kind === 'cash').map((x) => x.symbol ?? 'cash');
    throw new UserFacingError('NOTHING_TO_ADOPT', `"${target}" is not a difference the ${s.date} sync can adopt; adoptable: ${open.length ? open.join(', ') : 'none (broker and ledger agree, or only orders and fills differ)'}.`);
  }
  return d;
}

export async function adoptDifference(env: Env, portfolio: string, target: string, actor: Actor, now = new Date()): Promise<Adoption> {
  const d = await checkAdoptable(portfolio, target);
  const s = (await lastSync(portfolio))!;
  const date = s.date as IsoDate;
  const broker = brokerFor(env);
  const state = await ledgerBefore(portfolio, addDays(date, 1));
  let adoption: Adoption;
  if (d.kind === 'cash') {
    // The ledger does not model fees or transfers: adopting cash moves the baseline to the broker's difference now.
    const account = await broker.account();
    const prev = (await BrokerState.findById(`cash|${portfolio}`).lean())?.value as { offset: number } | undefined;
    const next = { offset: account.cash - state.cash, capital: state.capital };
    await upsertRacing((upsert) => BrokerState.replaceOne({ _id: `cash|${portfolio}` }, { _id: `cash|${portfolio}`, value: next, at: now }, { upsert }));
    adoption = { portfolio, what: 'cash baseline', before: (prev?.offset ?? 0).toFixed(2), after: next.offset.toFixed(2) };
  } else {
    const symbol = d.symbol!;
    // A position in SPY may be the ledger's SPX (an index trades through its ETF).
    const index = Object.entries(TRADED_AS).find(([idx, etf]) => etf === symbol && state.holdings.has(idx))?.[0];
    const signalSymbol = index ?? symbol;
    const theirs = (await broker.positions()).find((p) => p.symbol === symbol);
    const ours = state.holdings.get(signalSymbol)?.quantity ?? 0;
    const delta = (theirs?.qty ?? 0) - ours;
    if (Math.abs(delta) < 1e-9) throw new UserFacingError('NOTHING_TO_ADOPT', `${symbol}: broker and ledger agree now (${ours}); nothing to adopt.`);
    const price = theirs?.avgEntryPrice ?? state.holdings.get(signalSymbol)?.avgCost ?? 0;
    const avg = state.holdings.get(signalSymbol)?.avgCost ?? price;
    const action = delta > 0 ? 'BUY' : 'SELL';
    const qty = Math.abs(delta);
    await Trade.create({
      portfolio, signalId: new mongoose.Types.ObjectId(), tradeDate: date, symbol: signalSymbol, action, quantity: qty, price, amount: qty * price,
      realizedPnl: action === 'SELL' ? qty * (price - avg) : 0, fillId: `adopt:${date}:${symbol}:${now.getTime()}`, clientOrderId: null, createdAt: now,
    });
    const next = cloneState(state);
    applyFill(next, { symbol: signalSymbol, action, quantity: qty, price, amount: qty * price, realizedPnl: 0 });
    await syncPositions(portfolio, next);
    adoption = { portfolio, what: symbol, before: String(ours), after: String(theirs?.qty ?? 0) };
  }
  await AuditEntry.create({ at: now, actorId: actor.id, actorName: actor.name, source: actor.source, action: 'broker.adopt', target: `${portfolio}:${adoption.what}`, before: adoption.before, after: adoption.after, result: 'ok' });
  return adoption;
}
