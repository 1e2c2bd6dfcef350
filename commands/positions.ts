import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { positionsPost } from '../src/present/trading-view.js';
import { portfolioView } from '../src/trading/portfolio-service.js';

export const data = new SlashCommandBuilder()
  .setName('positions')
  .setDescription('Open positions with average cost, last close and unrealized P&L')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  await deferFor(i);
  await replyWithPost(i, positionsPost(await portfolioView(name)));
}

export { autocomplete } from '../src/discord/autocomplete.js';
