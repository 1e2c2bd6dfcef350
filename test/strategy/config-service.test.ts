import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { TradingConfig } from '../../src/db/models/trading-config.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { configDiff, configHistory, diffParams, parseAssignments, rollbackConfig, setConfig, showConfig } from '../../src/strategy/config-service.js';
import { countActive, type Actor } from '../../src/strategy/config-versions.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('config-service');
const bob: Actor = { id: 'cli:bob', name: 'bob', source: 'cli' };

describe('config operations', () => {
  beforeEach(clearCollections);

  test('set key=value makes a new active version; diff shows exactly the change', async () => {
    const r = await setConfig('main', ['daily_capital=2500', 'assets=spy,qqq'], bob, 'bigger days');
    assert.equal(r.version.version, 2);
    assert.equal(r.version.params.daily_capital, 2500);
    assert.deepEqual(r.version.params.assets, ['SPY', 'QQQ']);
    const d = await configDiff('main', 1, 2);
    assert.deepEqual(d.changes, [
      { key: 'daily_capital', from: 1000, to: 2500 },
      { key: 'assets', from: ['SPY', 'QQQ', 'DIA'], to: ['SPY', 'QQQ'] },
    ]);
    assert.equal((await showConfig('main')).version, 2);
    assert.equal((await showConfig('main', 1)).endDate !== null, true);
  });

  test('rollback makes a new version that copies the old one; history keeps everything', async () => {
    await setConfig('main', ['sell_percentage=0.4'], bob);
    await setConfig('main', ['allocation_neutral=0.1'], bob);
    const r = await rollbackConfig('main', 1, bob);
    assert.equal(r.version.version, 4);
    assert.equal(r.version.parentVersion, 1);
    assert.deepEqual(r.version.params, DEFAULT_PARAMS);
    assert.equal(await countActive('main'), 1);
    const h = await configHistory('main');
    assert.deepEqual(h.map((v) => v.version), [4, 3, 2, 1]);
    assert.equal((await AuditEntry.findOne({ action: 'config.rollback' }).lean())?.actorName, 'bob');
  });

  test('bad edits are refused with what is wrong and what is allowed, and nothing changes', async () => {
    await showConfig('main');
    await assert.rejects(setConfig('main', ['daily_capitol=5'], bob), /unknown key "daily_capitol"; allowed keys: daily_capital/);
    await assert.rejects(setConfig('main', ['sell_percentage=lots'], bob), /sell_percentage must be a number \(got "lots"\)/);
    await assert.rejects(setConfig('main', ['risk_medium_threshold=90'], bob), /risk_medium_threshold must be below risk_high_threshold \(70\)/);
    await assert.rejects(setConfig('main', ['momentum_weight=0.9'], bob), /must sum to 1/);
    await assert.rejects(setConfig('main', ['daily_capital=1000'], bob), /Nothing to change/);
    await assert.rejects(rollbackConfig('main', 9, bob), /no config version 9; versions: 1/);
    assert.equal(await TradingConfig.countDocuments(), 1);
  });

  test('reads never create a portfolio; a first set does', async () => {
    await assert.rejects(showConfig('typo'), /There is no portfolio "typo". Portfolios: main. Create one with `config set --name typo/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'typo' }), 0);
    const club = await setConfig('club', ['daily_capital=500'], bob);
    assert.equal(club.version.version, 2, 'v1 holds the defaults, v2 the change');
    assert.equal((await showConfig('club')).params.daily_capital, 500);
  });

  test('parsing and diffing are pure', () => {
    assert.deepEqual(parseAssignments(['lookback_days=100', 'assets=SPY, dia']), { lookback_days: 100, assets: ['SPY', 'DIA'] });
    assert.throws(() => parseAssignments(['lookback_days']), /"lookback_days" is not key=value/);
    assert.deepEqual(diffParams(DEFAULT_PARAMS, { ...DEFAULT_PARAMS }), []);
  });
});
