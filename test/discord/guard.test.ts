import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermissionFlagsBits } from 'discord.js';
import { checkPermissions, type Invoker } from '../../src/discord/guard.js';

const member = (over: Partial<Invoker> = {}): Invoker => ({ userId: '1', userName: 'u', roleIds: [], permissions: 0n, inGuild: true, ...over });
const ADMIN_ROLE = '222222222222222222';

test('commands without admin metadata are open to everyone', () => {
  assert.deepEqual(checkPermissions(undefined, member(), [ADMIN_ROLE]), { ok: true });
});

test('admin commands need a configured admin role, whatever Discord permissions say', () => {
  const everyoneWithManage = member({ permissions: PermissionFlagsBits.ManageGuild });
  const denied = checkPermissions({ admin: true }, everyoneWithManage, [ADMIN_ROLE]);
  assert.equal(denied.ok, false);
  if (!denied.ok) assert.equal(denied.code, 'NOT_ADMIN');
  assert.deepEqual(checkPermissions({ admin: true }, member({ roleIds: [ADMIN_ROLE] }), [ADMIN_ROLE]), { ok: true });
});

test('without configured admin roles, Manage Server (or Administrator) is required', () => {
  assert.equal(checkPermissions({ admin: true }, member(), []).ok, false);
  assert.equal(checkPermissions({ admin: true }, member({ permissions: PermissionFlagsBits.ManageGuild }), []).ok, true);
  assert.equal(checkPermissions({ admin: true }, member({ permissions: PermissionFlagsBits.Administrator }), []).ok, true);
});

test('admin commands are refused in DMs', () => {
  const r = checkPermissions({ admin: true }, member({ inGuild: false, roleIds: [ADMIN_ROLE] }), [ADMIN_ROLE]);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.code, 'GUILD_ONLY');
});

test('admin-only subcommands are guarded while the rest of the command stays open', () => {
  const meta = { adminSubcommands: ['set', 'rollback'] };
  assert.equal(checkPermissions(meta, member(), [ADMIN_ROLE], 'show').ok, true);
  assert.equal(checkPermissions(meta, member(), [ADMIN_ROLE], 'set').ok, false);
  assert.equal(checkPermissions(meta, member({ roleIds: [ADMIN_ROLE] }), [ADMIN_ROLE], 'rollback').ok, true);
});
