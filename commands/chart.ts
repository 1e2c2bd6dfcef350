import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { chartEnd, CHART_TYPES, INDICATORS, parseIndicators, parseRange, parseStyle, RANGES, SCALES, THEMES } from '../src/charts/chart-service.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, symbolOption } from '../src/discord/options.js';
import { deferFor, replyWithImage } from '../src/discord/reply.js';

const choices = (xs: readonly string[]) => xs.map((x) => ({ name: x, value: x }));

export const data = new SlashCommandBuilder()
  .setName('chart')
  .setDescription('Candlestick chart with volume, overlays, RSI/MACD panels and your fills (PNG)')
  .addStringOption((o) => o.setName('symbol').setDescription('Ticker').setRequired(true).setAutocomplete(true))
  .addStringOption((o) => o.setName('indicators').setDescription(`Comma-separated: ${INDICATORS.join(', ')} (default sma20,sma50)`))
  .addStringOption((o) => o.setName('range').setDescription('How far back (default 6m)').addChoices(...choices(Object.keys(RANGES))))
  .addStringOption((o) => o.setName('date').setDescription('End date, YYYY-MM-DD (default: latest)'))
  .addStringOption((o) => o.setName('type').setDescription('candle (default) or line').addChoices(...choices(CHART_TYPES)))
  .addStringOption((o) => o.setName('scale').setDescription('linear (default) or log, for long ranges').addChoices(...choices(SCALES)))
  .addStringOption((o) => o.setName('trades').setDescription("Mark this portfolio's fills (▲ buys, ▼ sells)").setAutocomplete(true))
  .addStringOption((o) => o.setName('theme').setDescription('dark (default, Discord) or light').addChoices(...choices(THEMES)));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const symbol = symbolOption(i)!;
  const indicators = parseIndicators(i.options.getString('indicators') ?? undefined);
  const range = parseRange(i.options.getString('range') ?? undefined);
  const style = parseStyle({ type: i.options.getString('type') ?? undefined, scale: i.options.getString('scale') ?? undefined, theme: i.options.getString('theme') ?? undefined });
  const trades = i.options.getString('trades')?.trim().toLowerCase() || undefined;
  // Refused before "thinking…": a symbol we do not cover; no date means its latest stored bar.
  const date = await chartEnd(symbol, dateOption(i, 'date'));
  await deferFor(i);
  const c = await rt.heavy.priceChart({ symbol, range, indicators, date, style, trades }); // rendering is CPU work: off the gateway's loop
  await replyWithImage(i, { kind: 'scans', title: c.title, fields: Object.entries(c.summary).map(([name, value]) => ({ name, value, inline: true })), demo: rt.env.MARKET_DATA_PROVIDER === 'demo' }, c.png, c.filename);
}

export { autocomplete } from '../src/discord/autocomplete.js';
