import { z } from 'zod';
import { IDEA_CRITERION_NAMES } from '../ideas/criteria.js';

/**
 * The allocator's parameters: the spec's default table (seed 001), with bounds. Keys stay in the
 * spec's snake_case because users type them (`config set daily_capital=2000`).
 */
const unit = (d: string) => z.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').describe(d);

export const strategyParamsSchema = z
  .object({
    daily_capital: z.number({ error: 'must be a number' }).positive('must be above 0').max(1e9, 'must be at most 1,000,000,000').describe('Fresh capital injected per trading day ($)'),
    assets: z
      .array(z.string().regex(/^[A-Z][A-Z0-9.\-]{0,9}$/, 'each asset must be a ticker such as SPY'))
      .min(1, 'must list at least one asset')
      .max(20, 'must list at most 20 assets')
      .refine((a) => new Set(a).size === a.length, 'must not repeat an asset')
      .describe('Tradeable symbols'),
    lookback_days: z.number({ error: 'must be a number' }).int('must be a whole number').min(60, 'must be at least 60').max(1000, 'must be at most 1000').describe('Trading days of history for features'),
    regime_bullish_threshold: z.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').describe('Regime score above = bullish'),
    regime_bearish_threshold: z.number({ error: 'must be a number' }).min(-1, 'must be between -1 and 0').max(0, 'must be between -1 and 0').describe('Regime score below = bearish'),
    risk_high_threshold: z.number({ error: 'must be a number' }).min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').describe('Risk score above = high risk'),
    risk_medium_threshold: z.number({ error: 'must be a number' }).min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').describe('Risk score above = medium risk'),
    max_drawdown_tolerance: z.number({ error: 'must be a number' }).min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').describe('Maximum acceptable drawdown (%)'),
    min_sharpe_target: z.number({ error: 'must be a number' }).min(-5, 'must be between -5 and 10').max(10, 'must be between -5 and 10').describe('Target Sharpe ratio'),
    allocation_low_risk: unit('Share of daily capital invested at low risk'),
    allocation_medium_risk: unit('Share of daily capital invested at medium risk'),
    allocation_high_risk: unit('Share of daily capital invested at high risk'),
    allocation_neutral: unit('Share of daily capital invested in a neutral regime'),
    sell_percentage: unit('Share of holdings sold in a bearish regime'),
    momentum_weight: unit('Weight of risk-adjusted momentum in the ranking'),
    price_momentum_weight: unit('Weight of price momentum vs moving averages in the ranking'),
    // Position alerts during the session (portfolio-alerts-check); versions written before them get these defaults.
    alert_position_drop_pct: z.number({ error: 'must be a number' }).min(0.5, 'must be between 0.5 and 50').max(50, 'must be between 0.5 and 50').default(5).describe('Alert when a position is down more than this % on the day'),
    alert_portfolio_drop_pct: z.number({ error: 'must be a number' }).min(0.5, 'must be between 0.5 and 50').max(50, 'must be between 0.5 and 50').default(3).describe("Alert when the portfolio's holdings are down more than this % on the day"),
    alert_stop_loss_pct: z.number({ error: 'must be a number' }).min(1, 'must be between 1 and 90').max(90, 'must be between 1 and 90').default(10).describe('Alert when a position trades this % below its average cost (its stop level)'),
    // Where the day's orders go and how sales close tax lots; versions written before them get these defaults.
    broker: z.enum(['ledger', 'alpaca'], { error: 'must be ledger or alpaca' }).default('ledger').describe('ledger: fills at the open in our books; alpaca: orders in the Alpaca account (paper unless ALPACA_LIVE=yes)'),
    lot_method: z.enum(['fifo', 'hifo', 'specific'], { error: 'must be fifo, hifo or specific' }).default('fifo').describe('Which tax lots a sale closes: first in, highest cost, or named lots'),
    // The entry ideas of the day (src/ideas, docs/strategy.md); versions written before them get these defaults.
    idea_criteria: z
      .array(z.string().refine((c) => (IDEA_CRITERION_NAMES as string[]).includes(c), { error: (i) => `each criterion must be one of ${IDEA_CRITERION_NAMES.join(', ')} (got "${String(i.input)}")` }))
      .max(IDEA_CRITERION_NAMES.length, `must list at most ${IDEA_CRITERION_NAMES.length} criteria`)
      .refine((a) => new Set(a).size === a.length, 'must not repeat a criterion')
      .default([...IDEA_CRITERION_NAMES])
      .describe('Entry-idea criteria that run (none: no ideas)'),
    ideas_per_slot: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be between 1 and 25').max(25, 'must be between 1 and 25').default(5).describe('Most entry ideas posted per slot (09:00, 11:00, 14:30)'),
    idea_sides: z.enum(['long', 'both'], { error: 'must be long or both' }).default('long').describe('long: long ideas only; both: shorts too'),
    idea_stop_atr: z.number({ error: 'must be a number' }).min(0.25, 'must be between 0.25 and 5').max(5, 'must be between 0.25 and 5').default(1.5).describe("An idea's stop: this many ATR (14) from its entry (or beyond the pattern)"),
    idea_min_gap_pct: z.number({ error: 'must be a number' }).min(0.5, 'must be between 0.5 and 20').max(20, 'must be between 0.5 and 20').default(2).describe('Smallest pre-market gap (%) for a premarket-gap idea'),
    idea_min_rel_volume: z.number({ error: 'must be a number' }).min(1, 'must be between 1 and 10').max(10, 'must be between 1 and 10').default(1.5).describe('Smallest volume against a usual day by then for a volume-surge idea'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.regime_bearish_threshold >= p.regime_bullish_threshold) {
      ctx.addIssue({ code: 'custom', path: ['regime_bearish_threshold'], message: `must be below regime_bullish_threshold (${p.regime_bullish_threshold})` });
    }
    if (p.risk_medium_threshold >= p.risk_high_threshold) {
      ctx.addIssue({ code: 'custom', path: ['risk_medium_threshold'], message: `must be below risk_high_threshold (${p.risk_high_threshold})` });
    }
    if (!(p.allocation_high_risk <= p.allocation_medium_risk && p.allocation_medium_risk <= p.allocation_low_risk)) {
      ctx.addIssue({ code: 'custom', path: ['allocation_medium_risk'], message: 'allocations must not grow with risk: allocation_high_risk <= allocation_medium_risk <= allocation_low_risk' });
    }
    if (Math.abs(p.momentum_weight + p.price_momentum_weight - 1) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['momentum_weight'], message: `momentum_weight + price_momentum_weight must sum to 1 (now ${+(p.momentum_weight + p.price_momentum_weight).toFixed(6)})` });
    }
  });

export type StrategyParams = z.infer<typeof strategyParamsSchema>;

export const DEFAULT_PARAMS: StrategyParams = {
  daily_capital: 1000,
  assets: ['SPY', 'QQQ', 'DIA'],
  lookback_days: 252,
  regime_bullish_threshold: 0.3,
  regime_bearish_threshold: -0.3,
  risk_high_threshold: 70,
  risk_medium_threshold: 40,
  max_drawdown_tolerance: 15,
  min_sharpe_target: 1.0,
  allocation_low_risk: 0.8,
  allocation_medium_risk: 0.5,
  allocation_high_risk: 0.3,
  allocation_neutral: 0.2,
  sell_percentage: 0.7,
  momentum_weight: 0.6,
  price_momentum_weight: 0.4,
  alert_position_drop_pct: 5,
  alert_portfolio_drop_pct: 3,
  alert_stop_loss_pct: 10,
  broker: 'ledger',
  lot_method: 'fifo',
  idea_criteria: [...IDEA_CRITERION_NAMES],
  ideas_per_slot: 5,
  idea_sides: 'long',
  idea_stop_atr: 1.5,
  idea_min_gap_pct: 2,
  idea_min_rel_volume: 1.5,
};

/** Keys whose values are words, not numbers. */
export const TEXT_KEYS: Partial<Record<keyof StrategyParams, readonly string[]>> = { broker: ['ledger', 'alpaca'], lot_method: ['fifo', 'hifo', 'specific'], idea_sides: ['long', 'both'] };

export const PARAM_KEYS = Object.keys(DEFAULT_PARAMS) as Array<keyof StrategyParams>;

/** Validate parameters; every problem becomes one line naming the key, what is wrong and what is allowed. */
export function validateParams(raw: unknown): { ok: true; params: StrategyParams } | { ok: false; problems: string[] } {
  const r = strategyParamsSchema.safeParse(raw);
  if (r.success) return { ok: true, params: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown key(s) ${i.keys.join(', ')}; allowed keys: ${PARAM_KEYS.join(', ')}`;
      return `${i.path.join('.') || 'config'} ${i.message}`;
    }),
  };
}
