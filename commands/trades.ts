import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, portfolioOption, symbolOption } from '../src/discord/options.js';
import { pagesOf, replyPaged } from '../src/discord/paginate.js';
import { deferFor } from '../src/discord/reply.js';
import { tradeRows, tradesPage } from '../src/present/trading-view.js';
import { tradesView } from '../src/trading/portfolio-service.js';

export const data = new SlashCommandBuilder()
  .setName('trades')
  .setDescription('Paper trades, newest first')
  .addStringOption((o) => o.setName('from').setDescription('From date, YYYY-MM-DD'))
  .addStringOption((o) => o.setName('to').setDescription('To date, YYYY-MM-DD'))
  .addStringOption((o) => o.setName('symbol').setDescription('Only this symbol').setAutocomplete(true))
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const opts = { portfolio: portfolioOption(i), from: dateOption(i, 'from'), to: dateOption(i, 'to'), symbol: symbolOption(i) };
  await deferFor(i);
  const trades = await tradesView(opts);
  await replyPaged(i, pagesOf(tradeRows(trades), 20, (rows, page, pages) => tradesPage(opts.portfolio, trades.length, rows, page, pages)));
}

export { autocomplete } from '../src/discord/autocomplete.js';
