import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { universeView, universeViewPost } from '../src/market-data/universe-update.js';

export const data = new SlashCommandBuilder()
  .setName('universe')
  .setDescription('The scanned universe: active symbols by sector and recent additions and removals');

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  await deferFor(i);
  await replyWithPost(i, universeViewPost(await universeView()));
}
