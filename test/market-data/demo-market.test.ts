import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoBars, demoMarket, DEMO_LAST_REAL_DATE, nameParams, type DemoBar } from '../../src/market-data/demo-market.js';
import { loadUniverse } from '../../src/market-data/universe.js';

const FROM = '2000-01-03';
const TO = '2020-04-17';

function logReturns(bars: DemoBar[]): number[] {
  return bars.slice(1).map((b, i) => Math.log(b.close / bars[i]!.close));
}
function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}
function corr(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

describe('demo market', () => {
  const spx = demoBars('SPX', FROM, TO);

  test('SPX is the real index through 2020-04-17 (known closes) and continues, labelled synthetic, after', () => {
    assert.equal(spx.length, 5105);
    assert.equal(spx.find((b) => b.date === '2020-03-16')!.close, 2386.13);
    assert.equal(spx.find((b) => b.date === '2008-10-10')!.close, 899.22);
    assert.ok(spx.every((b) => !b.synthetic));
    const after = demoBars('SPX', '2020-04-20', '2026-11-30');
    assert.ok(after.length > 1600);
    assert.ok(after.every((b) => b.synthetic));
    // Same statistics: annualised volatility and drift in the real series' neighbourhood, never ≤ 0.
    const r = logReturns(after);
    const vol = sd(r) * Math.sqrt(252);
    assert.ok(vol > 0.1 && vol < 0.3, `continuation volatility ${vol}`);
    assert.ok(after.every((b) => b.low > 0 && b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close)));
    // It starts from the last real close, not from a jump.
    assert.ok(Math.abs(Math.log(after[0]!.close / spx[spx.length - 1]!.close)) < 0.08);
  });

  test('SPY tracks SPX/10: daily return correlation ≥ 0.99 and level within 2 %', () => {
    const spy = demoBars('SPY', FROM, TO);
    assert.equal(spy.length, spx.length);
    assert.ok(corr(logReturns(spy), logReturns(spx)) >= 0.99);
    for (let i = 0; i < spy.length; i++) {
      assert.ok(Math.abs(spy[i]!.close / (spx[i]!.close / 10) - 1) < 0.02, `${spy[i]!.date}: SPY ${spy[i]!.close} vs SPX ${spx[i]!.close}`);
    }
    const march16 = spy.find((b) => b.date === '2020-03-16')!;
    assert.ok(march16.close > 230 && march16.close < 247, `SPY on 2020-03-16: ${march16.close}`);
    assert.ok(spy.every((b) => b.volume > 1e7 && b.volume < 1e9));
  });

  test('every universe name: 15–60 % volatility, consistent OHLC, prices > 0, plausible volume that spikes on large moves', () => {
    const sample = loadUniverse().filter((u) => u.symbol !== 'SPX' && u.symbol !== 'SPY');
    const spxR = logReturns(spx);
    let spikes = 0;
    for (const u of sample) {
      const bars = demoBars(u.symbol, FROM, TO);
      assert.equal(bars.length, spx.length, u.symbol);
      const r = logReturns(bars);
      const vol = sd(r) * Math.sqrt(252);
      assert.ok(vol >= 0.15 && vol <= 0.6, `${u.symbol} volatility ${vol.toFixed(3)}`);
      assert.ok(corr(r, spxR) > 0.3, `${u.symbol} hardly moves with the market`);
      for (const b of bars) {
        assert.ok(b.low > 0 && b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close), `${u.symbol} ${b.date} ${JSON.stringify(b)}`);
        assert.ok(Number.isInteger(b.volume) && b.volume > 0);
      }
      const volumes = bars.map((b) => b.volume).sort((x, y) => x - y);
      const median = volumes[Math.floor(volumes.length / 2)]!;
      assert.ok(median >= 1e5 && median <= 2e8, `${u.symbol} median volume ${median}`);
      // Volume on the name's largest moves is well above its median day.
      const big = r.map((x, i) => ({ m: Math.abs(x), v: bars[i + 1]!.volume })).sort((x, y) => y.m - x.m).slice(0, 20);
      if (mean(big.map((x) => x.v)) > 1.5 * median) spikes++;
    }
    assert.ok(spikes >= sample.length * 0.9, `volume spikes on large moves for ${spikes} of ${sample.length}`);
  });

  test('QQQ and DIA start at plausible levels and follow the market; names get betas by sector', () => {
    const qqq = demoBars('QQQ', FROM, TO);
    const dia = demoBars('DIA', FROM, TO);
    assert.ok(dia[0]!.close > 100 && dia[0]!.close < 130);
    assert.ok(qqq[0]!.close > 60 && qqq[0]!.close < 130);
    assert.ok(corr(logReturns(dia), logReturns(spx)) > 0.9);
    assert.ok(corr(logReturns(qqq), logReturns(spx)) > 0.8);
    const utilities = loadUniverse().filter((u) => u.sector === 'Utilities').map((u) => nameParams(u.symbol).beta);
    const tech = loadUniverse().filter((u) => u.sector === 'Information Technology' && !u.symbol.startsWith('XL')).map((u) => nameParams(u.symbol).beta);
    assert.ok(mean(utilities) < mean(tech));
  });

  test('the same bars on every call, whatever order or range asked first', () => {
    const later = demoBars('AAPL', '2019-06-03', '2019-06-07');
    const whole = demoBars('AAPL', FROM, '2019-12-31');
    assert.deepEqual(later, whole.filter((b) => b.date >= '2019-06-03' && b.date <= '2019-06-07'));
    assert.deepEqual(demoBars('AAPL', '2019-06-03', '2019-06-07'), later);
    assert.equal(demoMarket().days[demoMarket().lastReal], DEMO_LAST_REAL_DATE);
    // No bars on weekends or holidays, none before the demo starts.
    assert.deepEqual(demoBars('MSFT', '2019-12-25', '2019-12-25'), []);
    assert.deepEqual(demoBars('MSFT', '1999-01-01', '1999-12-31'), []);
  });
});
