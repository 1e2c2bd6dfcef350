import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParsedFiling, ParsedRow } from '../../src/congress/contracts.js';
import { filingPost, matchesFollow, totalAsFiled, tradeLine } from '../../src/congress/congress-service.js';
import type { TradeEntry } from '../../src/congress/congress-store.js';
import { parseAmount } from '../../src/congress/house-parsers.js';
import { buildPost } from '../../src/notify/post.js';

const row = (n: number, over: Partial<ParsedRow> = {}): ParsedRow => ({
  row: n, rowId: null, owner: 'joint', asset: 'Microsoft Corporation', ticker: 'MSFT', cusip: null, assetType: 'ST', type: 'purchase', transactionDate: '2021-07-20',
  notificationDate: null, amount: parseAmount('$1,001 - $15,000')!, option: false, status: 'new', description: null, capGainsOver200: null, ...over,
});
const entry = (r: ParsedRow, filedOn = '2021-09-10'): TradeEntry => ({
  id: `senate:x:${r.row}`, docId: 'x', chamber: 'senate', memberKey: 'senate:carper-thomas', member: 'Thomas Carper', filedOn, transactionDate: r.transactionDate, notificationDate: null,
  owner: r.owner, ticker: r.ticker, asset: r.asset, type: r.type, amount: r.amount.text, option: r.option, lagDays: 52, late: true, amends: null, status: 'new', rowId: null, synthetic: false,
});

test('a filing post: identical tranches shown once with their count, the ranges summed as filed, lag and lateness said', () => {
  const rows = [row(0), row(1), row(2, { ticker: 'TDY', asset: 'Teledyne', type: 'exchange', amount: parseAmount('$15,001 - $50,000')! })];
  const p: ParsedFiling = { ref: { chamber: 'senate', docId: 'x', member: { key: 'senate:carper-thomas', name: 'Thomas Carper', chamber: 'senate', state: 'DE', district: null, bioguide: null }, filedOn: '2021-09-10', url: 'https://efd.example/x', paper: false, amendment: false, synthetic: false }, parsed: true, reason: null, rows, warnings: [] };
  const post = buildPost(filingPost(p, rows.map((r) => entry(r)), new Map([['senate:x:0', 'MSFT +3.1 % since 2021-07-20']])));
  assert.equal(post.title, 'Senate · Thomas Carper (DE) disclosed 3 trade(s)');
  const lines = post.description!.split('\n');
  assert.equal(lines.length, 2, 'two lines: the tranches together, the exchange');
  assert.match(lines[0]!, /^• 2 identical tranches: BUY MSFT · \$1,001 - \$15,000 · joint · traded 2021-07-20, disclosed 2021-09-10 \(52 d after the trade — LATE \(over 45 days\)\) · MSFT \+3\.1 %/);
  assert.equal(post.fields.find((f) => f.name === 'In all')!.value, '2 buy(s) · 0 sale(s) · $17,003 – $80,000 as filed (ranges summed)');
  assert.equal(totalAsFiled([row(0, { amount: parseAmount('Over $50,000,000')! }), row(1)]), 'over $50,001,001');
  assert.equal(totalAsFiled([row(0)]), null, 'one row: its own range says it');
  assert.match(tradeLine({ ...entry(row(0)), lagDays: null, late: null }), /lag unknown/);
  assert.match(tradeLine({ ...entry(row(0)), lagDays: -3, late: false }), /3 d BEFORE the trade date it gives: a date error in the filing\?/);
});

test('follow rules: a member by key, a ticker, an amount against the range\'s top (or its floor when open-ended)', () => {
  const t = entry(row(0));
  assert.equal(matchesFollow({ kind: 'member', value: 'senate:carper-thomas' }, t, 15_000), true);
  assert.equal(matchesFollow({ kind: 'member', value: 'senate:other' }, t, 15_000), false);
  assert.equal(matchesFollow({ kind: 'ticker', value: 'MSFT' }, t, 15_000), true);
  assert.equal(matchesFollow({ kind: 'amount', value: '15000' }, t, 15_000), true);
  assert.equal(matchesFollow({ kind: 'amount', value: '15001' }, t, 15_000), false);
  assert.equal(matchesFollow({ kind: 'amount', value: '1000000' }, t, null), false);
});
