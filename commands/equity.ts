import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { equityChart, parseEquityRange, RANGES } from '../src/charts/chart-service.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithImage } from '../src/discord/reply.js';

export const data = new SlashCommandBuilder()
  .setName('equity')
  .setDescription('Equity curve of a portfolio (PNG)')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true))
  .addStringOption((o) => o.setName('range').setDescription('How far back (default: all)').addChoices(...['all', ...Object.keys(RANGES)].map((r) => ({ name: r, value: r }))));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  const range = parseEquityRange(i.options.getString('range') ?? undefined);
  await deferFor(i);
  const c = await equityChart(name, range);
  await replyWithImage(i, { kind: 'digests', title: c.title, fields: Object.entries(c.summary).map(([n, value]) => ({ name: n, value, inline: true })), demo: rt.env.MARKET_DATA_PROVIDER === 'demo' }, c.png, c.filename);
}

export { autocomplete } from '../src/discord/autocomplete.js';
