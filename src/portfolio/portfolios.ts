import { Trade } from '../db/models/trade.js';
import { TradingConfig } from '../db/models/trading-config.js';
import { UserFacingError } from '../errors.js';

/**
 * What a portfolio is, for every layer that names one: a config lineage (`main` always exists; its first
 * version is written the first time its config is read), or a backtest's scratch ledger `backtest:<runId>`.
 * Below strategy and trading, so both (and the reports, alerts and Discord) ask here instead of upward.
 */
export const MAIN_PORTFOLIO = 'main';

/** Every portfolio with a config lineage, `main` included, sorted. */
export async function listPortfolios(): Promise<string[]> {
  const stored = (await TradingConfig.distinct('portfolio')) as string[];
  return [...new Set([MAIN_PORTFOLIO, ...stored])].sort();
}

/** Refuse a name that is neither a portfolio nor a backtest's scratch ledger, listing the portfolios. */
export async function requirePortfolio(name: string): Promise<void> {
  // Backtests write scratch portfolios (backtest:<runId>) that have trades but no config lineage.
  if (name.startsWith('backtest:') && (await Trade.exists({ portfolio: name }))) return;
  const known = await listPortfolios();
  if (!known.includes(name)) throw new UserFacingError('UNKNOWN_PORTFOLIO', `There is no portfolio "${name}". Portfolios: ${known.join(', ')}.`);
}
