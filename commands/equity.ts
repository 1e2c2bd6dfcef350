import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { parseEquityRange, parseStyle, RANGES, THEMES } from '../src/charts/chart-service.js';
import { benchmarkSymbol } from '../src/config/env.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithImage } from '../src/discord/reply.js';

export const data = new SlashCommandBuilder()
  .setName('equity')
  .setDescription('Equity, invested value, capital injected and the benchmark, with drawdown (PNG)')
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true))
  .addStringOption((o) => o.setName('range').setDescription('How far back (default: all)').addChoices(...['all', ...Object.keys(RANGES)].map((r) => ({ name: r, value: r }))))
  .addStringOption((o) => o.setName('theme').setDescription('dark (default, Discord) or light').addChoices(...THEMES.map((t) => ({ name: t, value: t }))));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  const range = parseEquityRange(i.options.getString('range') ?? undefined);
  const { theme } = parseStyle({ theme: i.options.getString('theme') ?? undefined });
  await deferFor(i);
  const c = await rt.heavy.equityChart({ portfolio: name, range, benchmark: benchmarkSymbol(rt.env), theme }); // rendering is CPU work: off the gateway's loop
  await replyWithImage(i, { kind: 'digests', title: c.title, fields: Object.entries(c.summary).map(([n, value]) => ({ name: n, value, inline: true })), demo: rt.env.MARKET_DATA_PROVIDER === 'demo' }, c.png, c.filename);
}

export { autocomplete } from '../src/discord/autocomplete.js';
