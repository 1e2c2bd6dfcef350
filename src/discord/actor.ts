import type { ChatInputCommandInteraction } from 'discord.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import type { Actor } from '../strategy/config-versions.js';

export function discordActor(i: ChatInputCommandInteraction): Actor {
  return { id: i.user.id, name: i.user.username, source: 'discord' };
}

/** Record a confirmation that ended without a change (cancelled or timed out). */
export async function auditNoChange(i: ChatInputCommandInteraction, action: string, target: string, result: 'cancelled'): Promise<void> {
  await AuditEntry.create({ at: new Date(), actorId: i.user.id, actorName: i.user.username, source: 'discord', action, target, result, reason: 'not confirmed' });
}
