import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { pnlPost } from '../src/present/trading-view.js';
import { PERIODS, pnlView } from '../src/trading/portfolio-service.js';
import { lotsOf } from '../src/broker/lots-service.js';

export const data = new SlashCommandBuilder()
  .setName('pnl')
  .setDescription('P&L per day, week or month (capital injections excluded)')
  .addStringOption((o) => o.setName('period').setDescription('Grouping').setRequired(true).addChoices(...PERIODS.map((p) => ({ name: p, value: p }))))
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  const period = i.options.getString('period', true);
  await deferFor(i);
  await replyWithPost(i, pnlPost(name, period, await pnlView(name, period), (await lotsOf(name)).realized));
}

export { autocomplete } from '../src/discord/autocomplete.js';
