import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadUniverse, sectorOf } from '../../src/market-data/universe.js';

const SECTORS = ['Communication Services', 'Consumer Discretionary', 'Consumer Staples', 'Energy', 'Financials', 'Health Care', 'Industrials', 'Information Technology', 'Materials', 'Real Estate', 'Utilities', 'Index', 'Index ETF'];

test('the maintained universe: 500+ unique symbols with a known sector, the index ETFs and SPX included', () => {
  const u = loadUniverse();
  assert.ok(u.length >= 500, `${u.length} symbols`);
  assert.equal(new Set(u.map((s) => s.symbol)).size, u.length);
  for (const s of u) assert.ok(SECTORS.includes(s.sector), `${s.symbol}: sector ${s.sector}`);
  for (const s of ['SPX', 'SPY', 'QQQ', 'DIA', 'XLK', 'AAPL', 'MSFT']) assert.ok(u.some((x) => x.symbol === s), s);
  assert.equal(sectorOf('XLE'), 'Energy');
  assert.equal(sectorOf('NOPE'), 'Unknown');
});

test('a broken universe file is refused with the field named', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-universe-')), 'u.json');
  writeFileSync(file, JSON.stringify({ source: 'x', symbols: [{ symbol: 'aapl', name: 'Apple', sector: 'Information Technology', indices: ['SP500'] }] }));
  assert.throws(() => loadUniverse(file), /symbols\.0\.symbol/);
  writeFileSync(file, JSON.stringify({ source: 'x', symbols: [1, 2].map(() => ({ symbol: 'AAPL', name: 'Apple', sector: 'IT', indices: ['SP500'] })) }));
  assert.throws(() => loadUniverse(file), /duplicate symbols AAPL/);
});
