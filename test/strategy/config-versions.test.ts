import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { ConfigSwitch, TradingConfig } from '../../src/db/models/trading-config.js';
import { DEFAULT_PARAMS, validateParams } from '../../src/strategy/config-schema.js';
import { activateNewVersion, countActive, getActiveConfig, type Actor } from '../../src/strategy/config-versions.js';
import { createPortfolio } from '../../src/strategy/config-service.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('config');
const alice: Actor = { id: '111111111111111111', name: 'alice', source: 'cli' };

describe('config versions', () => {
  beforeEach(clearCollections);

  test('the spec defaults become version 1, active, on first use', async () => {
    const v = await getActiveConfig('main');
    assert.equal(v.version, 1);
    assert.deepEqual(v.params, DEFAULT_PARAMS);
    assert.equal(v.endDate, null);
    assert.equal(await countActive('main'), 1);
  });

  test('two concurrent activations leave exactly one active version', async () => {
    await getActiveConfig('main');
    const results = await Promise.allSettled([
      activateNewVersion('main', { ...DEFAULT_PARAMS, daily_capital: 2000 }, { actor: alice }),
      activateNewVersion('main', { ...DEFAULT_PARAMS, daily_capital: 3000 }, { actor: alice }),
      activateNewVersion('main', { ...DEFAULT_PARAMS, daily_capital: 4000 }, { actor: alice }),
    ]);
    assert.ok(results.every((r) => r.status === 'fulfilled'), JSON.stringify(results.filter((r) => r.status === 'rejected')));
    assert.equal(await countActive('main'), 1);
    const versions = await TradingConfig.find({ portfolio: 'main' }).sort({ version: 1 }).lean();
    assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4], 'versions are numbered without gaps or repeats');
    const active = await getActiveConfig('main');
    assert.equal(active.version, 4, 'the last switch wins');
    assert.equal(versions.filter((v) => v.endDate === null).length, 1);
    assert.equal(await ConfigSwitch.countDocuments(), 0, 'no switch left behind');
  });

  test('portfolios have independent lineages', async () => {
    await getActiveConfig('main');
    await assert.rejects(getActiveConfig('club'), /There is no portfolio "club"/, 'only main exists implicitly');
    await createPortfolio('club', alice);
    await activateNewVersion('club', { ...DEFAULT_PARAMS, assets: ['SPY'] }, { actor: alice });
    assert.equal((await getActiveConfig('main')).version, 1);
    assert.deepEqual((await getActiveConfig('club')).params.assets, ['SPY']);
  });

  test('an invalid change is refused with every problem named, nothing changes, and the refusal is audited', async () => {
    await getActiveConfig('main');
    await assert.rejects(
      activateNewVersion('main', { ...DEFAULT_PARAMS, allocation_low_risk: 1.5, regime_bearish_threshold: 0.5 }, { actor: alice }),
      (err: Error) => {
        assert.match(err.message, /allocation_low_risk must be between 0 and 1/);
        assert.match(err.message, /regime_bearish_threshold must be between -1 and 0/);
        return true;
      },
    );
    assert.equal(await TradingConfig.countDocuments(), 1);
    const audit = await AuditEntry.findOne({ result: 'refused' }).lean();
    assert.equal(audit?.actorName, 'alice');
  });

  test('a switch abandoned by a crash is rolled forward by the next reader', async () => {
    await getActiveConfig('main');
    // A process recorded its intent and closed v1, then died before inserting v2.
    const doc = { portfolio: 'main', version: 2, params: { ...DEFAULT_PARAMS, daily_capital: 5000 }, startDate: '2026-11-23', endDate: null, activeSlot: 'main', createdBy: 'cli:bob', createdAt: new Date(), notes: '', parentVersion: 1, report: null };
    await ConfigSwitch.create({ portfolio: 'main', toVersion: 2, endDate: '2026-11-23', createdAt: new Date(Date.now() - 60_000), doc });
    await TradingConfig.updateOne({ version: 1 }, { $set: { activeSlot: 'main#1', endDate: '2026-11-23' } });
    assert.equal(await countActive('main'), 0);
    const active = await getActiveConfig('main');
    assert.equal(active.version, 2);
    assert.equal(active.params.daily_capital, 5000);
    assert.equal(await countActive('main'), 1);
    assert.equal(await ConfigSwitch.countDocuments(), 0);
  });

  test('every change is audited: who, when, old and new', async () => {
    await getActiveConfig('main');
    await activateNewVersion('main', { ...DEFAULT_PARAMS, sell_percentage: 0.5 }, { actor: alice, notes: 'less selling' });
    const entry = await AuditEntry.findOne({ action: 'config.set', result: 'ok' }).lean();
    assert.ok(entry);
    assert.equal(entry.actorId, alice.id);
    assert.ok(entry.at instanceof Date);
    assert.equal((entry.before as { params: { sell_percentage: number } }).params.sell_percentage, 0.7);
    assert.equal((entry.after as { params: { sell_percentage: number } }).params.sell_percentage, 0.5);
  });
});

describe('config bounds', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['daily_capital above 0', { daily_capital: 0 }, /daily_capital must be above 0/],
    ['lookback at least 60', { lookback_days: 10 }, /lookback_days must be at least 60/],
    ['thresholds ordered (risk)', { risk_medium_threshold: 80 }, /risk_medium_threshold must be below risk_high_threshold/],
    ['allocations in [0,1]', { sell_percentage: -0.1 }, /sell_percentage must be between 0 and 1/],
    ['allocations fall with risk', { allocation_high_risk: 0.9 }, /allocation_high_risk <= allocation_medium_risk/],
    ['weights sum to 1', { momentum_weight: 0.7 }, /must sum to 1/],
    ['unknown key', { daily_capitol: 5 }, /unknown key\(s\) daily_capitol; allowed keys: daily_capital/],
    ['assets are tickers', { assets: ['spy'] }, /each asset must be a ticker/],
    ['assets not repeated', { assets: ['SPY', 'SPY'] }, /must not repeat an asset/],
  ];
  for (const [name, change, expected] of cases) {
    test(name, () => {
      const r = validateParams({ ...DEFAULT_PARAMS, ...change });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems.join('\n'), expected);
    });
  }
  test('the defaults are valid', () => assert.equal(validateParams(DEFAULT_PARAMS).ok, true));
});
