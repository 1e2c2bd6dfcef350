import { PermissionFlagsBits } from 'discord.js';
import type { CommandMeta } from './command-module.js';

export interface Invoker {
  userId: string;
  userName: string;
  roleIds: string[];
  /** The member's permission bits in the channel, as Discord sends them. */
  permissions: bigint;
  inGuild: boolean;
}

export type GuardResult = { ok: true } | { ok: false; code: 'NOT_ADMIN' | 'GUILD_ONLY'; message: string };

/**
 * The one server-side permission check. Discord's default_member_permissions only hides a
 * command; a server admin can override it, so every admin command is checked here as well.
 */
export function checkPermissions(meta: CommandMeta | undefined, who: Invoker, adminRoleIds: string[], subcommand?: string | null): GuardResult {
  const needsAdmin = Boolean(meta?.admin) || (subcommand ? (meta?.adminSubcommands ?? []).includes(subcommand) : false);
  if (!needsAdmin) return { ok: true };
  if (!who.inGuild) return { ok: false, code: 'GUILD_ONLY', message: 'This command works only inside the server.' };
  const admin = adminRoleIds.length
    ? who.roleIds.some((r) => adminRoleIds.includes(r))
    : (who.permissions & (PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild)) !== 0n;
  if (admin) return { ok: true };
  return {
    ok: false,
    code: 'NOT_ADMIN',
    message: adminRoleIds.length
      ? 'This command is for admins: you need one of the configured admin roles.'
      : 'This command is for admins: you need the Manage Server permission.',
  };
}
