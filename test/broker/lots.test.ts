import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldLots, realizedByTerm, termOf, type LotEvent } from '../../src/broker/lots.js';
import { clientOrderId } from '../../src/broker/client-order-id.js';
import { classifyRefusal } from '../../src/broker/alpaca-parsers.js';
import { planOrders } from '../../src/broker/order-service.js';

const buy = (id: string, date: string, quantity: number, price: number): LotEvent => ({ kind: 'buy', id, date, symbol: 'SPY', quantity, price });
const sell = (id: string, date: string, quantity: number, price: number, lots?: string[]): LotEvent => ({ kind: 'sell', id, date, symbol: 'SPY', quantity, price, ...(lots ? { lots } : {}) });

test('lots closed FIFO match a hand computation; highest cost and named lots close others; terms by holding period', () => {
  const events = [buy('a', '2024-01-10', 10, 100), buy('b', '2024-06-03', 5, 120), sell('s1', '2025-01-10', 12, 130), buy('c', '2025-02-01', 4, 90), sell('s2', '2025-03-01', 5, 110)];
  const fifo = foldLots(events);
  // By hand: s1 takes a's 10 (opened 2024-01-10, sold 2025-01-10: the anniversary itself, short) + 2 of b (short);
  // s2 takes b's last 3 and 2 of c. Realised: 10×30 + 2×10 = 320 (s1); 3×(110−120) + 2×(110−90) = 10 (s2).
  assert.deepEqual(fifo.closed.map((c) => [c.lotId, c.quantity, c.realized, c.term]), [['a', 10, 300, 'short'], ['b', 2, 20, 'short'], ['b', 3, -30, 'short'], ['c', 2, 40, 'short']]);
  assert.deepEqual(fifo.open.map((l) => [l.id, l.quantity]), [['c', 2]]);
  assert.deepEqual(realizedByTerm(fifo.closed), { short: 330, long: 0 });
  assert.equal(termOf('2024-01-10', '2025-01-11'), 'long', 'the day after the anniversary is long term');
  const hifo = foldLots(events, 'hifo');
  assert.deepEqual(hifo.closed.filter((c) => c.closedOn === '2025-01-10').map((c) => [c.lotId, c.quantity]), [['b', 5], ['a', 7]], 'highest cost first');
  const named = foldLots([buy('a', '2024-01-10', 10, 100), buy('b', '2024-06-03', 5, 120), sell('s', '2025-06-10', 5, 130, ['b'])], 'specific');
  assert.deepEqual(named.closed.map((c) => [c.lotId, c.term]), [['b', 'long']]);
  const split = foldLots([buy('a', '2024-01-10', 10, 100), { kind: 'split', date: '2024-06-10', symbol: 'SPY', ratio: 4 }, sell('s', '2024-07-01', 20, 30)]);
  assert.deepEqual(split.open.map((l) => [l.quantity, l.cost]), [[20, 25]], 'a 4-for-1 split: four times the shares at a quarter of the cost');
  assert.equal(split.closed[0]!.realized, 20 * 5);
  assert.match(foldLots([sell('x', '2024-01-02', 1, 10)]).problems[0]!, /more than the open lots hold/);
});

test('orders from a signal: whole shares on the open, the rest as a notional day order; client ids stable and distinct', () => {
  const p = planOrders('BUY', { SPY: 1000, SPX: 250 }, 0, new Map(), { SPY: 480.5, SPX: 5000 }, true);
  assert.deepEqual(p.orders, [
    { whole: true, symbol: 'SPY', signalSymbol: 'SPY', side: 'buy', timeInForce: 'opg', qty: 2 },
    { whole: false, symbol: 'SPY', signalSymbol: 'SPY', side: 'buy', timeInForce: 'day', notional: 39 },
    { whole: false, symbol: 'SPY', signalSymbol: 'SPX', side: 'buy', timeInForce: 'day', notional: 250 },
  ]);
  assert.ok(p.notes.includes('SPX trades through SPY'));
  const late = planOrders('SELL', {}, 0.5, new Map([['QQQ', { quantity: 7.5 }]]), {}, false);
  assert.deepEqual(late.orders.map((o) => [o.timeInForce, o.qty]), [['day', 3], ['day', 0.75]], 'after 09:28 nothing goes market-on-open');
  const id = clientOrderId('main', '2026-03-10', 'SPY', 'buy', 'opg');
  assert.equal(id, clientOrderId('main', '2026-03-10', 'SPY', 'buy', 'opg'));
  assert.notEqual(id, clientOrderId('main', '2026-03-10', 'SPY', 'buy', 'day'));
  assert.ok(id.length <= 128 && id.startsWith('sd-main-2026-03-10-SPY-buy-opg-'));
});

test('the broker\'s refusals are told apart by their words (codes have changed over the years)', () => {
  assert.equal(classifyRefusal(403, { buying_power: '10', code: 40310000, cost_basis: '500', message: 'insufficient buying power' }).kind, 'buying-power');
  assert.equal(classifyRefusal(403, { code: 40310000, message: 'potential wash trade detected. use complex orders' }).kind, 'wash-trade');
  assert.equal(classifyRefusal(403, { code: 40310000, message: 'insufficient qty available for order (requested: 1, available: 0)' }).kind, 'qty-available');
  assert.equal(classifyRefusal(403, { code: 40310000, message: 'opg orders must be submitted after 7:00pm and before 9:28am' }).kind, 'opg-window');
  assert.equal(classifyRefusal(422, { code: 42210000, message: 'client_order_id must be unique' }).kind, 'duplicate');
  assert.equal(classifyRefusal(422, { code: 40010001, message: 'client_order_id must be unique' }).kind, 'duplicate');
  assert.equal(classifyRefusal(422, { code: 42210000, message: 'requested asset is not fractionable' }).kind, 'not-fractionable');
  assert.equal(classifyRefusal(401, { message: 'unauthorized.' }).kind, 'unauthorized');
});
