import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { TradingConfig } from '../../src/db/models/trading-config.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { configDiff, configHistory, createPortfolio, diffParams, parseAssignments, rollbackConfig, setConfig, showConfig } from '../../src/strategy/config-service.js';
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
    await assert.rejects(setConfig('main', ['sell_percentage=lots'], bob), /sell_percentage must be a decimal number such as 2000 or 0.25 \(got "lots"\)/);
    await assert.rejects(setConfig('main', ['risk_medium_threshold=90'], bob), /risk_medium_threshold must be below risk_high_threshold \(70\)/);
    await assert.rejects(setConfig('main', ['momentum_weight=0.9'], bob), /must sum to 1/);
    await assert.rejects(setConfig('main', ['daily_capital=1000'], bob), /Nothing to change/);
    await assert.rejects(rollbackConfig('main', 9, bob), /no config version 9; versions: 1/);
    assert.equal(await TradingConfig.countDocuments(), 1);
  });

  test('neither reads nor sets create a portfolio; portfolio create does, with a validated name, audited', async () => {
    await assert.rejects(showConfig('typo'), /There is no portfolio "typo". Portfolios: main. An admin creates one with `signaldesk portfolio create typo`/);
    await assert.rejects(setConfig('ghost-portfolio', ['daily_capital=2000'], bob), /There is no portfolio "ghost-portfolio"/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: { $in: ['typo', 'ghost-portfolio'] } }), 0);
    await assert.rejects(createPortfolio('{"$gt":""}', bob), /not a usable portfolio name: use 1 to 32 lower-case letters/);
    await assert.rejects(createPortfolio('', bob), /not a usable portfolio name/);
    await createPortfolio('club', bob);
    await assert.rejects(createPortfolio('club', bob), /already exists/);
    assert.equal(await AuditEntry.countDocuments({ action: 'portfolio.create', result: 'ok' }), 1);
    const club = await setConfig('club', ['daily_capital=500'], bob);
    assert.equal(club.version.version, 2, 'v1 holds the defaults, v2 the change');
    assert.equal((await showConfig('club')).params.daily_capital, 500);
  });

  test('parsing and diffing are pure', () => {
    assert.deepEqual(parseAssignments(['lookback_days=100', 'assets=SPY, dia']), { lookback_days: 100, assets: ['SPY', 'DIA'] });
    assert.throws(() => parseAssignments(['lookback_days']), /"lookback_days" is not key=value/);
    assert.throws(() => parseAssignments(['daily_capital=0x10']), /daily_capital must be a decimal number such as 2000 or 0.25 \(got "0x10"\)/);
    assert.throws(() => parseAssignments(['daily_capital=1e3']), /must be a decimal number/);
    assert.throws(() => parseAssignments(['daily_capital=2000', 'daily_capital=3000']), /daily_capital is given more than once/);
    assert.deepEqual(diffParams(DEFAULT_PARAMS, { ...DEFAULT_PARAMS }), []);
  });
});
