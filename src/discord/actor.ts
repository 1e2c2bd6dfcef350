import type { ChatInputCommandInteraction } from 'discord.js';
import type { Actor } from '../config/actor.js';

export function discordActor(i: ChatInputCommandInteraction): Actor {
  return { id: i.user.id, name: i.user.username, source: 'discord' };
}
