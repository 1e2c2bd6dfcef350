import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { Types } from 'mongoose';
import { equityChart, parseStyle, priceChart } from '../../src/charts/chart-service.js';
import { BUY, DOWN, PALETTE, SELL, UP } from '../../src/charts/panel-chart.js';
import { CapitalInjection } from '../../src/db/models/capital-injection.js';
import { Trade } from '../../src/db/models/trade.js';
import { readBars } from '../../src/market-data/bar-store.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('charts');

interface Pixels { width: number; height: number; data: Uint8ClampedArray }

async function decode(png: Buffer): Promise<Pixels> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

const rgb = (hex: string): [number, number, number] => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];

/** Runs of adjacent columns in the box holding at least one pixel of exactly `hex`: one per candle body. */
function columnRuns(p: Pixels, hex: string, box: { top: number; bottom: number; left: number; right: number }): number {
  const [r, g, b] = rgb(hex);
  let runs = 0;
  let inRun = false;
  for (let x = box.left + 1; x < box.right; x++) {
    let hit = false;
    for (let y = box.top + 1; y < box.bottom && !hit; y++) {
      const k = (y * p.width + x) * 4;
      hit = p.data[k] === r && p.data[k + 1] === g && p.data[k + 2] === b;
    }
    if (hit && !inRun) runs++;
    inRun = hit;
  }
  return runs;
}

/** Pixels in the box that differ from the background by more than a shade. */
function inked(p: Pixels, bg: string, box: { top: number; bottom: number; left: number; right: number }): number {
  const [r, g, b] = rgb(bg);
  let n = 0;
  for (let y = box.top + 2; y < box.bottom - 1; y++) {
    for (let x = box.left + 2; x < box.right - 1; x++) {
      const k = (y * p.width + x) * 4;
      if (Math.abs(p.data[k]! - r) + Math.abs(p.data[k + 1]! - g) + Math.abs(p.data[k + 2]! - b) > 40) n++;
    }
  }
  return n;
}

function count(p: Pixels, hex: string): number {
  const [r, g, b] = rgb(hex);
  let n = 0;
  for (let k = 0; k < p.data.length; k += 4) if (p.data[k] === r && p.data[k + 1] === g && p.data[k + 2] === b) n++;
  return n;
}

describe('charts', () => {
  const provider = new DemoProvider();

  test('a candlestick chart: Discord size, price over volume over RSI over MACD, one body per bar in its colour', async () => {
    const c = await priceChart({ symbol: 'AAPL', range: '6m', indicators: ['rsi', 'macd'], asOf: '2020-03-16', provider, style: parseStyle({}) });
    const p = await decode(c.png);
    assert.equal(p.width, 1200);
    assert.equal(p.height, 675);
    // The bars drawn are the stored ones over the range: count the up and down bodies in the price panel.
    const bars = ((await readBars(['AAPL'], '2019-09-15', '2020-03-16')).get('AAPL') ?? []).filter((b) => b.date >= '2019-09-15');
    const up = bars.filter((b) => b.close >= b.open).length;
    assert.deepEqual(c.layout?.map((l) => l.name), ['AAPL · daily', 'Volume', 'RSI 14', 'MACD 12/26/9']);
    const [price, volume, rsiPanel, macdPanel] = c.layout!;
    assert.equal(columnRuns(p, UP, price!), up, 'up candles');
    assert.equal(columnRuns(p, DOWN, price!), bars.length - up, 'down candles');
    // Every panel has something drawn in it; the dark theme's background is Discord's.
    for (const panel of [volume!, rsiPanel!, macdPanel!]) assert.ok(inked(p, PALETTE.dark.bg, panel) > 2000, `panel at ${panel.top} is empty`);
    assert.ok(count(p, PALETTE.dark.bg) > p.width * p.height * 0.3);
    // No fills asked for, none drawn.
    assert.equal(count(p, BUY) + count(p, SELL), 0);
  });

  test("a portfolio's fills are marked: ▲ buys and ▼ sells; a line chart and the light theme on request", async () => {
    const portfolio = 'backtest:charts';
    await Trade.insertMany([
      { portfolio, signalId: new Types.ObjectId(), tradeDate: '2020-02-03', symbol: 'SPX', action: 'BUY', quantity: 1, price: 3235.66, amount: 3235.66, createdAt: new Date() },
      { portfolio, signalId: new Types.ObjectId(), tradeDate: '2020-02-24', symbol: 'SPX', action: 'SELL', quantity: 1, price: 3257.61, amount: 3257.61, createdAt: new Date() },
    ]);
    const marked = await priceChart({ symbol: 'SPX', range: '3m', indicators: ['sma20'], asOf: '2020-03-16', provider, trades: portfolio });
    const p = await decode(marked.png);
    assert.ok(count(p, BUY) > 10, 'a buy marker');
    assert.ok(count(p, SELL) > 10, 'a sell marker');
    assert.equal(marked.summary.Fills, `2 of ${portfolio} marked`);
    const light = await decode((await priceChart({ symbol: 'SPX', range: '3m', indicators: [], asOf: '2020-03-16', style: parseStyle({ type: 'line', theme: 'light', scale: 'log' }) })).png);
    assert.ok(count(light, PALETTE.light.bg) > light.width * light.height * 0.3);
    assert.equal(count(light, UP) + count(light, DOWN) > 500, false, 'a line chart has no candle bodies (volume bars are translucent)');
    await assert.rejects(priceChart({ symbol: 'SPX', range: '3m', indicators: [], asOf: '2020-03-16', trades: 'nope' }), /no portfolio "nope"/);
    await assert.rejects(priceChart({ symbol: 'ZZZZ', range: '3m', indicators: [] }), /charts cover the universe/);
  });

  test('the equity chart shows equity, invested, capital injected and the benchmark, with a drawdown panel', async () => {
    const portfolio = 'backtest:equity';
    const days = ['2020-03-02', '2020-03-03', '2020-03-04', '2020-03-05', '2020-03-06'];
    await CapitalInjection.insertMany(days.map((date) => ({ portfolio, date, amount: 1000, createdAt: new Date() })));
    await Trade.insertMany(days.map((d) => ({ portfolio, signalId: new Types.ObjectId(), tradeDate: d, symbol: 'SPX', action: 'BUY', quantity: 0.1, price: 3000, amount: 300, createdAt: new Date() })));
    const c = await equityChart(portfolio, 'all', { benchmark: 'SPX' });
    assert.equal(c.summary['Capital injected'], '$5,000');
    assert.match(c.summary['SPX, same capital'] ?? '', /^\$[0-9,]+$/);
    const p = await decode(c.png);
    assert.equal(p.width, 1200);
    assert.ok(count(p, '#ab47bc') > 20, 'the benchmark line');
    assert.ok(count(p, '#29b6f6') > 20, 'the equity line');
  });
});
