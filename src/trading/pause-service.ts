import { upsertRacing } from '../db/connection.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { TradingState } from '../db/models/trading-state.js';
import { UserFacingError } from '../errors.js';
import type { Actor } from '../config/actor.js';
import { listPortfolios } from '../portfolio/portfolios.js';

export interface PauseState {
  portfolio: string;
  paused: boolean;
  changedBy: string | null;
  changedAt: string | null;
  reason: string | null;
}

export async function pauseState(portfolio: string): Promise<PauseState> {
  const s = await TradingState.findOne({ portfolio }).lean();
  return { portfolio, paused: s?.paused ?? false, changedBy: s?.changedBy ?? null, changedAt: s?.changedAt?.toISOString() ?? null, reason: s?.reason ?? null };
}

/**
 * Pause or resume a portfolio's trading (signals are still computed; execute-trades does
 * nothing while paused and says so). Audited with who, when, old → new.
 */
/** A pause or resume that would change something: the portfolio exists and is not already in that state. */
export async function checkToggle(portfolio: string, paused: boolean): Promise<PauseState> {
  const known = await listPortfolios();
  if (!known.includes(portfolio)) throw new UserFacingError('UNKNOWN_PORTFOLIO', `There is no portfolio "${portfolio}". Portfolios: ${known.join(', ')}.`);
  const before = await pauseState(portfolio);
  if (before.paused === paused) {
    throw new UserFacingError('NO_CHANGE', `Trading for "${portfolio}" is already ${paused ? 'paused' : 'running'}${before.changedBy ? ` (${before.changedBy}, ${before.changedAt})` : ''}.`);
  }
  return before;
}

export async function setPaused(portfolio: string, paused: boolean, actor: Actor, reason?: string): Promise<PauseState> {
  const before = await checkToggle(portfolio, paused);
  const changedBy = `${actor.source}:${actor.name}`;
  await upsertRacing((upsert) => TradingState.updateOne({ portfolio }, { $set: { paused, changedBy, changedAt: new Date(), reason: reason ?? null } }, { upsert }));
  await AuditEntry.create({
    at: new Date(), actorId: actor.id, actorName: actor.name, source: actor.source, action: paused ? 'trading.pause' : 'trading.resume',
    target: portfolio, before: { paused: before.paused }, after: { paused }, result: 'ok', reason: reason ?? null,
  });
  return pauseState(portfolio);
}
