import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextTradingDay, previousTradingDay } from '../../src/calendar/nyse.js';
import { IdeaMonth, IdeaSlot } from '../../src/db/models/ideas.js';
import { ideaStatsSince, ideasFor, ideasOn, scoreIdeas } from '../../src/ideas/idea-record.js';
import { runIdeasSlot } from '../../src/ideas/idea-slots.js';
import { barsOn } from '../../src/market-data/bar-store.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { providerFor } from '../../src/market-data/providers.js';
import { readSnapshot } from '../../src/market-data/snapshot-store.js';
import { loadUniverse } from '../../src/market-data/universe.js';
import { setConfig } from '../../src/strategy/config-service.js';
import { simulateConfig } from '../../src/strategy/simulate-service.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { activateNewVersion } from '../../src/strategy/config-versions.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('ideas');
const D = '2020-03-17';
const ny = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00-04:00`);
const admin = { id: 'a1', name: 'admin', source: 'cli' as const };

describe('entry ideas on the demo market', () => {
  test("the 09:00 ideas are built on the previous close even with the day's bar stored (no look-ahead); stored once", async () => {
    await clearCollections();
    const env = testEnv();
    const symbols = loadUniverse().map((u) => u.symbol);
    // The day's own bar is in the store before 09:00 runs (as on a re-run): the ideas must not see it.
    await fetchMarketData({ date: D, symbols, provider: providerFor(env) });
    const slot = await runIdeasSlot(env, D, 'pre-market-signals', ny(D, '09:00'));
    assert.ok(slot.created);
    assert.ok(slot.ideas.length > 0 && slot.ideas.length <= 5, `${slot.ideas.length} ideas, at most ideas_per_slot`);
    assert.equal(slot.basis.kind, 'previous-close', 'the demo has no pre-market: said');
    assert.match(slot.basis.text, /the demo has no pre-market session/);
    const prev = await barsOn(slot.ideas.map((i) => i.symbol), previousTradingDay(D));
    const today = await barsOn(slot.ideas.map((i) => i.symbol), D);
    for (const i of slot.ideas) {
      assert.equal(i.facts.close, prev.get(i.symbol)!.close, `${i.symbol}: the setup is the previous close`);
      assert.notEqual(i.facts.close, today.get(i.symbol)!.close, `${i.symbol}: not the day's own close`);
    }
    const again = await runIdeasSlot(env, D, 'pre-market-signals', ny(D, '09:30'));
    assert.equal(again.created, false);
    assert.deepEqual(again.ideas, slot.ideas, 'the stored ideas stand');
    assert.equal(await IdeaSlot.countDocuments({}), 1);
  });

  test('the 11:00 ideas read the 11:00 snapshot: entry above the high so far, stop under the low so far', async () => {
    const env = testEnv();
    const slot = await runIdeasSlot(env, D, 'mid-morning-signals', ny(D, '11:00'));
    assert.equal(slot.basis.kind, 'day-so-far');
    assert.ok(slot.ideas.length > 0);
    const snap = (await readSnapshot(D, '11:00'))!;
    for (const i of slot.ideas) {
      const t = snap.rows.get(i.symbol)!;
      if (i.side === 'long') {
        assert.equal(i.entry, Math.round((t.high + 0.01) * 100) / 100, `${i.symbol}: one cent above the 11:00 high`);
        assert.ok(i.stop < t.low);
      }
      assert.ok(i.facts.relVolume !== undefined && i.facts.move !== undefined);
    }
  });

  test('scored after the closes: outcomes in the month, /ideas by date and symbol, the record with its count', async () => {
    const env = testEnv();
    const symbols = loadUniverse().map((u) => u.symbol);
    let day = D;
    for (let k = 0; k < 5; k++) {
      day = nextTradingDay(day);
      await fetchMarketData({ date: day, symbols, provider: providerFor(env) });
    }
    const run = await scoreIdeas(day, ny(day, '16:50'));
    const total = (await IdeaSlot.find({}).lean()).reduce((n, s) => n + (JSON.parse(s.ideasJson) as unknown[]).length, 0);
    assert.equal(run.ideas, total, 'every stored idea scored');
    const month = (await IdeaMonth.findById('2020-03').lean())!;
    assert.equal((JSON.parse(month.ideasJson) as unknown[]).length, total);
    const on = await ideasOn(D);
    const scored = on.slots.flatMap((s) => s.ideas);
    assert.ok(scored.every((i) => i.outcome && i.outcome.state !== 'waiting'), 'every idea of D has its outcome');
    const one = scored[0]!;
    const mine = await ideasFor(one.symbol, day);
    assert.ok(mine.ideas.some((i) => i.id === one.id));
    const stats = await ideaStatsSince({ today: day, since: '2020-03-01' });
    assert.equal(stats.count, total);
    assert.equal(stats.criteria.reduce((n, c) => n + c.count, 0), total);
    const rerun = await scoreIdeas(day, ny(day, '17:00'));
    assert.deepEqual(rerun.today.map((i) => i.outcome), run.today.map((i) => i.outcome), 'a rerun scores the same');
    await assert.rejects(ideaStatsSince({ today: day, criterion: 'momentum' }), /"momentum" is not an idea criterion; criteria: premarket-gap/);
  });

  test('config simulate compares a changed criterion\'s record with the active one over the same window', async () => {
    const sim = await simulateConfig({ portfolio: 'main', assignments: ['idea_stop_atr=0.5'], from: '2020-03-10', to: '2020-03-24' });
    assert.ok(sim.ideas, 'the ideas were replayed under both versions');
    const all = (l: typeof sim.ideas.active) => l.find((x) => x.criterion === 'all')!;
    assert.equal(all(sim.ideas.active).count, all(sim.ideas.proposed).count, 'the same entries (the stop does not choose them)');
    assert.notDeepEqual(sim.ideas.active, sim.ideas.proposed, 'a tighter stop changes the record');
    const plain = await simulateConfig({ portfolio: 'main', assignments: ['daily_capital=2000'], from: '2020-03-10', to: '2020-03-24' });
    assert.equal(plain.ideas, undefined, 'no idea key changed: no replay');
  });

  test('criteria are config keys: a new version that drops them leaves the slot with none, and says so', async () => {
    await clearCollections();
    const env = testEnv();
    // A version written today does not reach back: 2020's ideas use the version in force then.
    await setConfig('main', ['ideas_per_slot=1'], admin);
    const before = await runIdeasSlot(env, D, 'pre-market-signals', ny(D, '09:00'));
    assert.equal(before.configVersion, 1);
    assert.ok(before.ideas.length > 1);
    await clearCollections();
    const v = await activateNewVersion('main', { ...DEFAULT_PARAMS, idea_criteria: ['breakout-setup'], ideas_per_slot: 2 }, { actor: admin, startDate: '2020-03-02' });
    const pre = await runIdeasSlot(env, D, 'pre-market-signals', ny(D, '09:00'));
    assert.ok(pre.ideas.every((i) => i.criterion === 'breakout-setup') && pre.ideas.length <= 2);
    assert.equal(pre.configVersion, v.version);
    const mid = await runIdeasSlot(env, D, 'mid-morning-signals', ny(D, '11:00'));
    assert.equal(mid.ideas.length, 0);
    assert.match(mid.basis.text, new RegExp(`none of this slot's criteria is in idea_criteria \\(config v${v.version}\\)`));
    await assert.rejects(setConfig('main', ['idea_criteria=momentum'], admin), /idea_criteria.*"momentum"/s);
  });
});
