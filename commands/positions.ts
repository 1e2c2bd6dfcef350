import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { positionsPost } from '../src/present/trading-view.js';
import { portfolioView } from '../src/trading/portfolio-service.js';
import { lotsOf } from '../src/broker/lots-service.js';

export const data = new SlashCommandBuilder()
  .setName('positions')
  .setDescription('Open positions with average cost, last close and unrealized P&L')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true))
  .addBooleanOption((o) => o.setName('lots').setDescription('Show the open tax lots (date, quantity, cost, short or long term)'));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  await deferFor(i);
  const view = await portfolioView(name);
  await replyWithPost(i, positionsPost(view, i.options.getBoolean('lots') ? await lotsOf(name) : undefined));
}

export { autocomplete } from '../src/discord/autocomplete.js';
