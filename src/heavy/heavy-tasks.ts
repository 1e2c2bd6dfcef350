import { benchmarkSymbol, type Env } from '../config/env.js';
import { equityChart, priceChart, type Chart } from '../charts/chart-service.js';
import { providerFor } from '../market-data/providers.js';
import { backtest } from '../strategy/backtest-service.js';
import { simulateConfig, simulationChart, type SimulationRequest } from '../strategy/simulate-service.js';
import type { BacktestRequest, BacktestResult, ChartRequest, EquityChartRequest, SimulationResult } from './heavy-work.js';

/** The heavy tasks themselves, run inline or on a heavy-work thread (heavy-work.ts routes them). */
export async function runBacktestWithChart(env: Env, request: BacktestRequest, onProgress?: (stage: string) => void): Promise<BacktestResult> {
  const summary = await backtest({ benchmark: benchmarkSymbol(env), ...request, provider: providerFor(env), onProgress });
  return { summary, chart: await equityChart(summary.portfolio, 'all', { benchmark: request.benchmark ?? benchmarkSymbol(env) }) };
}

/** A chart request drawn with the env's provider (bars a fresh install lacks are loaded first). */
export function drawPriceChart(env: Env, r: ChartRequest): Promise<Chart> {
  return priceChart({ symbol: r.symbol, range: r.range, indicators: r.indicators, asOf: r.date, style: r.style, trades: r.trades, provider: providerFor(env) });
}

export async function runSimulationWithChart(env: Env, request: SimulationRequest, onProgress?: (stage: string) => void): Promise<SimulationResult> {
  const simulation = await simulateConfig({ benchmark: benchmarkSymbol(env), ...request }, onProgress, providerFor(env));
  onProgress?.('drawing both curves');
  return { simulation, chart: simulationChart(simulation) };
}

export function drawEquityChart(r: EquityChartRequest): Promise<Chart> {
  return equityChart(r.portfolio, r.range, { benchmark: r.benchmark, ...(r.theme ? { theme: r.theme } : {}) });
}
