import type { BaseInteraction } from 'discord.js';
import type { Invoker } from './guard.js';

/** Who sent an interaction (a command or a button press), as the permission guard sees them. */
export function invokerOf(interaction: BaseInteraction): Invoker {
  const member = interaction.member;
  const roles = member && 'roles' in member ? member.roles : undefined;
  const roleIds = Array.isArray(roles) ? roles : roles ? [...roles.cache.keys()] : [];
  return {
    userId: interaction.user.id,
    userName: interaction.user.username,
    roleIds,
    permissions: interaction.memberPermissions?.bitfield ?? 0n,
    inGuild: interaction.inGuild(),
  };
}
