import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCommands } from '../../src/discord/command-loader.js';

test('every command file loads and serialises to a valid registration payload', async () => {
  const warnings: string[] = [];
  const commands = await loadCommands(undefined, (w) => warnings.push(w));
  assert.deepEqual(warnings, []);
  const names = [...commands.keys()].sort();
  assert.deepEqual(names, ['alerts', 'backtest', 'brew', 'broker', 'calendar', 'chart', 'config', 'congress', 'earnings', 'equity', 'health', 'ideas', 'jobs', 'news', 'pause', 'performance', 'pnl', 'portfolio', 'positions', 'rerun', 'resume', 'scan', 'signal', 'trades', 'universe', 'watch', 'why', 'world']);
  for (const [name, cmd] of commands) {
    const json = cmd.data.toJSON();
    assert.equal(json.name, name);
    assert.ok(json.description.length > 0 && json.description.length <= 100, `${name}: description length`);
    assert.ok((json.options ?? []).length <= 25, `${name}: at most 25 options`);
    const admin = cmd.meta?.admin === true;
    if (admin) assert.notEqual(json.default_member_permissions, undefined, `${name}: admin commands are hidden from non-admins too`);
    const autocompletes = JSON.stringify(json).includes('"autocomplete":true');
    if (autocompletes) assert.equal(typeof cmd.autocomplete, 'function', `${name}: options with autocomplete need a handler`);
  }
});
