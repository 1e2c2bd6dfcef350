import type { IsoDate } from '../calendar/dates.js';
import { describeSnapshot, type StoredSnapshot } from '../market-data/snapshot-store.js';
import type { Snapshot } from '../market-data/snapshot.js';
import { enqueuePosts } from '../notify/outbox.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import { getActiveConfig } from '../strategy/config-versions.js';
import type { LedgerState } from './ledger.js';
import { equitySeries } from './portfolio-store.js';

/**
 * Position alerts during the session (#21 §3): each portfolio's holdings against its config's thresholds on
 * a snapshot — a position down more than `alert_position_drop_pct` on the day, the holdings together down
 * more than `alert_portfolio_drop_pct`, a position at or below its stop (`alert_stop_loss_pct` under its
 * average cost). One alert per (portfolio, position, threshold, day): the post's outbox key says which, so
 * however many slots see it and however often a slot re-runs, it goes out once; routing and quiet hours
 * are the `trades` type's.
 */
export type AlertKind = 'day-drop' | 'stop' | 'portfolio-drop';

export interface PositionAlert {
  portfolio: string;
  symbol: string | null;
  kind: AlertKind;
  line: string;
}

/** Positions worth less than this at the previous close are not alerted on. */
export const MIN_POSITION_USD = 10;

export interface Thresholds { positionDropPct: number; portfolioDropPct: number; stopLossPct: number }

/** The alerts a ledger's holdings raise on a snapshot (pure). */
export function positionAlerts(portfolio: string, state: Pick<LedgerState, 'cash' | 'holdings'>, rows: ReadonlyMap<string, Snapshot>, t: Thresholds): PositionAlert[] {
  const out: PositionAlert[] = [];
  let before = state.cash;
  let now = state.cash;
  for (const h of state.holdings.values()) {
    const s = rows.get(h.symbol);
    // Dust (a position worth under $10, what repeated 70 % sells leave) raises no alert.
    if (!s || h.quantity <= 0 || h.quantity * s.prevClose < MIN_POSITION_USD) {
      before += h.quantity * h.avgCost;
      now += h.quantity * h.avgCost;
      continue;
    }
    before += h.quantity * s.prevClose;
    now += h.quantity * s.last;
    const move = (s.last / s.prevClose - 1) * 100;
    if (move <= -t.positionDropPct) {
      out.push({ portfolio, symbol: h.symbol, kind: 'day-drop', line: `${h.symbol} ${move.toFixed(2)}% on the day at ${s.last.toFixed(2)} (previous close ${s.prevClose.toFixed(2)}; threshold −${t.positionDropPct}%): ${h.quantity.toFixed(4)} shares, ${fmtUsd(h.quantity * (s.last - s.prevClose))} today` });
    }
    const stop = h.avgCost * (1 - t.stopLossPct / 100);
    if (s.last <= stop) {
      out.push({ portfolio, symbol: h.symbol, kind: 'stop', line: `${h.symbol} at ${s.last.toFixed(2)} is at or below its stop ${stop.toFixed(2)} (average cost ${h.avgCost.toFixed(2)} − ${t.stopLossPct}%): unrealized ${fmtUsd(h.quantity * (s.last - h.avgCost))}` });
    }
  }
  const invested = before - state.cash;
  if (invested > 0) {
    const move = ((now - before) / before) * 100;
    if (move <= -t.portfolioDropPct) {
      out.push({ portfolio, symbol: null, kind: 'portfolio-drop', line: `holdings and cash ${move.toFixed(2)}% on the day (${fmtUsd(now - before)}; threshold −${t.portfolioDropPct}%)` });
    }
  }
  return out;
}

function fmtUsd(x: number): string {
  return `${x < 0 ? '−' : '+'}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const alertKey = (a: Pick<PositionAlert, 'portfolio' | 'symbol' | 'kind'>, date: IsoDate): string => `position:${a.portfolio}:${a.symbol ?? '*'}:${a.kind}:${date}`;

const TITLES: Record<AlertKind, string> = { 'day-drop': 'Position down on the day', stop: 'Stop level crossed', 'portfolio-drop': 'Portfolio down on the day' };

/** Check every portfolio on a snapshot; queue each new alert once (its claim is its outbox key). */
export async function checkPositionAlerts(snap: StoredSnapshot, now: Date, demo: boolean): Promise<{ portfolios: number; positions: number; alerts: number; queued: number }> {
  const found: PositionAlert[] = [];
  let positions = 0;
  const portfolios = await listPortfolios();
  for (const portfolio of portfolios) {
    const { params } = await getActiveConfig(portfolio);
    const { state } = await equitySeries(portfolio, snap.date);
    positions += state.holdings.size;
    found.push(...positionAlerts(portfolio, state, snap.rows, { positionDropPct: params.alert_position_drop_pct, portfolioDropPct: params.alert_portfolio_drop_pct, stopLossPct: params.alert_stop_loss_pct }));
  }
  // The outbox key is per (portfolio, position, threshold, day): a later slot or a re-run queues nothing new.
  const items: Array<{ key: string; post: PostInput }> = found.map((a) => ({
    key: alertKey(a, snap.date),
    post: {
      kind: 'trades',
      title: `${TITLES[a.kind]} · ${a.portfolio}${a.symbol ? ` · ${a.symbol}` : ''}`,
      description: `${a.line}\n\n${describeSnapshot(snap).replace(/^as/, 'As')}. Thresholds: \`config set --name ${a.portfolio} alert_position_drop_pct=… alert_portfolio_drop_pct=… alert_stop_loss_pct=…\`.`,
      color: a.kind === 'stop' ? COLORS.bad : COLORS.warn,
      demo,
    },
  }));
  const queued = await enqueuePosts(items, now);
  return { portfolios: portfolios.length, positions, alerts: found.length, queued };
}
