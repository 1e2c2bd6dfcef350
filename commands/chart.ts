import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { chartEnd, INDICATORS, parseIndicators, parseRange, RANGES } from '../src/charts/chart-service.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, symbolOption } from '../src/discord/options.js';
import { deferFor, replyWithImage } from '../src/discord/reply.js';

export const data = new SlashCommandBuilder()
  .setName('chart')
  .setDescription('Price chart with indicators (PNG)')
  .addStringOption((o) => o.setName('symbol').setDescription('Ticker').setRequired(true).setAutocomplete(true))
  .addStringOption((o) => o.setName('indicators').setDescription(`Comma-separated: ${INDICATORS.join(', ')} (default sma20,sma50)`))
  .addStringOption((o) => o.setName('range').setDescription('How far back').addChoices(...Object.keys(RANGES).map((r) => ({ name: r, value: r }))))
  .addStringOption((o) => o.setName('date').setDescription('End date, YYYY-MM-DD (default: latest)'));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const symbol = symbolOption(i)!;
  const indicators = parseIndicators(i.options.getString('indicators') ?? undefined);
  const range = parseRange(i.options.getString('range') ?? undefined);
  // Refused before "thinking…": a symbol without stored bars; no date means its latest stored bar.
  const date = await chartEnd(symbol, dateOption(i, 'date'));
  await deferFor(i);
  const c = await rt.heavy.priceChart({ symbol, range, indicators, date }); // rendering is CPU work: off the gateway's loop
  await replyWithImage(i, { kind: 'scans', title: c.title, fields: Object.entries(c.summary).map(([name, value]) => ({ name, value, inline: true })), demo: rt.env.MARKET_DATA_PROVIDER === 'demo' }, c.png, c.filename);
}

export { autocomplete } from '../src/discord/autocomplete.js';
