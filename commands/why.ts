import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithImage, replyWithPost } from '../src/discord/reply.js';
import { UserFacingError } from '../src/errors.js';
import { whyChart, whyPost } from '../src/present/why-view.js';
import { whySignal, whyTrade } from '../src/strategy/why-service.js';
import { providerFor } from '../src/market-data/providers.js';

export const data = new SlashCommandBuilder()
  .setName('why')
  .setDescription('Why the stored signal was BUY, SELL or HOLD, in plain sentences (with a chart of its terms)')
  .addStringOption((o) => o.setName('date').setDescription('Trade date, YYYY-MM-DD (default: the latest signal)'))
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true))
  .addStringOption((o) => o.setName('trade').setDescription('A trade id (from /trades or `trades --json`): the signal that made it'));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  const date = dateOption(i, 'date');
  const trade = i.options.getString('trade')?.trim();
  if (trade !== undefined && !/^[a-f0-9]{24}$/i.test(trade)) throw new UserFacingError('BAD_OPTION', `\`trade\`: "${trade}" is not a trade id; use the 24-character id of a trade.`);
  await deferFor(i);
  const w = trade ? await whyTrade(trade, rt.jobs) : await whySignal(name, date, rt.jobs, new Date(), providerFor(rt.env));
  const post = whyPost(w, rt.env.MARKET_DATA_PROVIDER === 'demo');
  const chart = whyChart(w);
  if (chart) await replyWithImage(i, post, chart.png, chart.filename);
  else await replyWithPost(i, post);
}

export { autocomplete } from '../src/discord/autocomplete.js';
