import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { portfolioPost } from '../src/present/trading-view.js';
import { portfolioView } from '../src/trading/portfolio-service.js';

export const data = new SlashCommandBuilder()
  .setName('portfolio')
  .setDescription('Cash, positions, equity, P&L, drawdown and Sharpe of a portfolio')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  await deferFor(i);
  await replyWithPost(i, portfolioPost(await portfolioView(name), rt.env.MARKET_DATA_PROVIDER === 'demo'));
}

export { autocomplete } from '../src/discord/autocomplete.js';
