import { createHash } from 'node:crypto';
import type { IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { isDuplicateKey, upsertRacing } from '../db/connection.js';
import { BrokerOrder, BrokerState } from '../db/models/broker.js';
import { Trade } from '../db/models/trade.js';
import { enqueuePost } from '../notify/outbox.js';
import { ledgerBefore } from '../trading/portfolio-store.js';
import { addDays } from '../calendar/dates.js';
import type { Broker, BrokerFill, BrokerOrder as Order, BrokerPosition } from './contracts.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import { brokerFor, brokerPortfolios, TRADED_AS } from './order-service.js';

export interface Difference {
  kind: 'quantity' | 'unknown-position' | 'unknown-order' | 'unrecorded-fill' | 'cash';
  symbol: string | null;
  detail: string;
}

const QTY_TOLERANCE = 1e-6;

/**
 * Broker against ledger (pure): quantity per symbol, positions we do not know, orders we did not place (no
 * client id of ours), executions of our orders we did not record, and cash moved beyond the tolerance since the
 * baseline (the account's cash minus the ledger's at the first sync: an account funded differently is not a
 * difference, a fill or a fee we missed is).
 */
export function compare(inp: {
  ledger: Map<string, number>; positions: BrokerPosition[]; orders: Order[]; ourIds: Set<string>; fills: BrokerFill[]; recordedFills: Set<string>; ourBrokerIds: Set<string>;
  /** The ledger's cash less the capital injected since the baseline (the account receives no daily deposits). */
  cash: { broker: number; ledger: number; baseline: number | null; tolerance: number };
}): Difference[] {
  const diffs: Difference[] = [];
  const held = new Map<string, number>();
  for (const [symbol, q] of inp.ledger) held.set(TRADED_AS[symbol] ?? symbol, (held.get(TRADED_AS[symbol] ?? symbol) ?? 0) + q);
  const theirs = new Map(inp.positions.map((p) => [p.symbol, p.qty]));
  for (const symbol of [...new Set([...held.keys(), ...theirs.keys()])].sort()) {
    const ours = held.get(symbol) ?? 0;
    const broker = theirs.get(symbol) ?? 0;
    if (Math.abs(ours - broker) <= QTY_TOLERANCE) continue;
    if (ours === 0) diffs.push({ kind: 'unknown-position', symbol, detail: `${symbol}: the broker holds ${broker}, the ledger nothing (a position we do not know)` });
    else diffs.push({ kind: 'quantity', symbol, detail: `${symbol}: the broker holds ${broker}, the ledger ${+ours.toFixed(6)}` });
  }
  for (const o of inp.orders) {
    if (inp.ourIds.has(o.clientOrderId)) continue;
    diffs.push({ kind: 'unknown-order', symbol: o.symbol, detail: `${o.symbol}: order ${o.id} (${o.side} ${o.qty ?? `$${o.notional}`}, ${o.status}) was not placed by us (client id ${o.clientOrderId})` });
  }
  for (const f of inp.fills) {
    if (!inp.ourBrokerIds.has(f.orderId) || inp.recordedFills.has(f.id)) continue;
    diffs.push({ kind: 'unrecorded-fill', symbol: f.symbol, detail: `${f.symbol}: execution ${f.id} (${f.side} ${f.qty} at ${f.price}) is not in the ledger yet` });
  }
  if (inp.cash.baseline !== null) {
    const drift = inp.cash.broker - inp.cash.ledger - inp.cash.baseline;
    if (Math.abs(drift) > inp.cash.tolerance) diffs.push({ kind: 'cash', symbol: null, detail: `cash: the broker's moved ${drift >= 0 ? '+' : ''}${drift.toFixed(2)} against the ledger's since the baseline (tolerance ${inp.cash.tolerance.toFixed(2)})` });
  }
  return diffs;
}

export interface SyncReport {
  portfolio: string;
  date: IsoDate;
  slot: 'morning' | 'closing';
  inSync: boolean;
  differences: Difference[];
  newlyPosted: number;
  positions: number;
  cash: { broker: number; ledger: number };
}

/**
 * portfolio-sync-morning (07:00) and closing-portfolio-sync (16:15): read the account, positions, the day's
 * orders and executions, compare with the ledger, post each difference once (never "fix" one silently: an admin
 * adopts the broker's side), and keep the result for /portfolio and /health.
 */
export async function syncPortfolio(env: Env, portfolio: string, date: IsoDate, slot: 'morning' | 'closing', now: Date, broker: Broker = brokerFor(env)): Promise<SyncReport> {
  const [account, positions] = await Promise.all([broker.account(), broker.positions()]);
  const ledger = await ledgerBefore(portfolio, addDays(date, 1));
  const dayStart = new Date(`${addDays(date, -1)}T23:00:00Z`);
  const orders = await broker.orders(dayStart);
  const fills = await broker.fills(date);
  const ours = (((await BrokerState.findById(`orders|${portfolio}|${date}`).lean())?.value as string[] | undefined) ?? []);
  const ourDocs = (await Promise.all(ours.map((id) => BrokerOrder.findById(id).lean()))).filter((d) => d !== null);
  const recorded = new Set((await Trade.find({ portfolio, tradeDate: date, fillId: { $ne: null } }, { fillId: 1 }).lean()).map((t) => t.fillId!));
  // The baseline: the account's cash less the ledger's at the first sync, and the capital injected by then. The
  // ledger's daily capital is a deposit the paper account never receives, so it is taken out of the comparison.
  const baselineDoc = await BrokerState.findById(`cash|${portfolio}`).lean();
  let baseline = (baselineDoc?.value as { offset: number; capital: number } | undefined) ?? null;
  if (baseline === null) {
    // The first sync sets it; two syncs at once: the first insert wins and the other uses it.
    const mine = { offset: account.cash - ledger.cash, capital: ledger.capital };
    baseline = await BrokerState.create({ _id: `cash|${portfolio}`, value: mine, at: now }).then(() => mine, async (err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
      return ((await BrokerState.findById(`cash|${portfolio}`).lean())?.value as { offset: number; capital: number } | undefined) ?? mine;
    });
  }
  const ledgerCash = ledger.cash - (ledger.capital - baseline.capital);
  // Orders of other portfolios of ours on the same account are ours too (their ids carry our prefix).
  const ourIds = new Set([...ours, ...orders.filter((o) => o.clientOrderId.startsWith('sd-')).map((o) => o.clientOrderId)]);
  const differences = compare({
    ledger: new Map([...ledger.holdings].map(([s, h]) => [s, h.quantity])), positions, orders, ourIds, fills, recordedFills: recorded,
    ourBrokerIds: new Set(ourDocs.flatMap((d) => (d.brokerOrderId ? [d.brokerOrderId] : []))), cash: { broker: account.cash, ledger: ledgerCash, baseline: baseline.offset, tolerance: env.BROKER_CASH_TOLERANCE },
  });
  let newlyPosted = 0;
  for (const d of differences) {
    const key = `broker-diff:${portfolio}:${createHash('sha256').update(d.detail).digest('hex').slice(0, 16)}`;
    const r = await enqueuePost(key, {
      kind: 'ops', title: `Broker and ledger differ (${portfolio}): ${d.symbol ?? 'cash'}`,
      description: `${d.detail}\nFound by the ${slot === 'morning' ? '07:00' : '16:15'} sync of ${date}. Nothing was changed: an admin takes the broker's side with \`broker adopt ${d.symbol ?? 'cash'} --name ${portfolio}\` (confirmed, audited).`,
    }, now);
    if (r.queued) newlyPosted++;
  }
  const report: SyncReport = { portfolio, date, slot, inSync: differences.length === 0, differences, newlyPosted, positions: positions.length, cash: { broker: account.cash, ledger: ledger.cash } };
  await upsertRacing((upsert) => BrokerState.replaceOne({ _id: `sync|${portfolio}` }, { _id: `sync|${portfolio}`, value: { ...report, at: now.toISOString() }, at: now }, { upsert }));
  return report;
}

/** A sync job's work: every broker portfolio reconciled, one summary line each. */
export async function syncBrokerPortfolios(env: Env, date: IsoDate, slot: 'morning' | 'closing', now: Date): Promise<Record<string, unknown>> {
  const summary: Record<string, unknown> = {};
  for (const p of await brokerPortfolios(await listPortfolios())) {
    const r = await syncPortfolio(env, p, date, slot, now);
    summary[p] = r.inSync ? `broker: in sync (${r.positions} position(s))` : `${r.differences.length} difference(s): ${r.differences.map((d) => d.detail).join('; ')}`;
  }
  return Object.keys(summary).length ? summary : { portfolios: 'none trades through a broker (config set broker=alpaca)' };
}

/** The last reconciliation of a portfolio (for /portfolio and /health), or null. */
export async function lastSync(portfolio: string): Promise<(SyncReport & { at: string }) | null> {
  return ((await BrokerState.findById(`sync|${portfolio}`).lean())?.value as (SyncReport & { at: string }) | undefined) ?? null;
}

/** What /portfolio says of a broker portfolio: in sync, or the differences; null for a ledger portfolio. */
export async function brokerLine(portfolio: string, brokerId: string): Promise<string | null> {
  if (brokerId !== 'alpaca') return null;
  const s = await lastSync(portfolio);
  if (!s) return 'alpaca: not reconciled yet (portfolio-sync-morning 07:00, closing-portfolio-sync 16:15)';
  const when = `${s.slot === 'morning' ? '07:00' : '16:15'} sync of ${s.date}`;
  return s.inSync ? `alpaca: in sync (${when})` : `alpaca: ${s.differences.length} difference(s) at the ${when}: ${s.differences.slice(0, 3).map((d) => d.detail).join('; ')}`.slice(0, 1000);
}
