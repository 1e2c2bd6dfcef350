import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { benchmarkSymbol } from '../src/config/env.js';
import { performancePost } from '../src/present/trading-view.js';
import { performanceView } from '../src/trading/portfolio-service.js';

export const data = new SlashCommandBuilder()
  .setName('performance')
  .setDescription('Return, CAGR, drawdown, Sharpe and win rate of a portfolio')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  await deferFor(i);
  await replyWithPost(i, performancePost(await performanceView(name, benchmarkSymbol(rt.env))));
}

export { autocomplete } from '../src/discord/autocomplete.js';
