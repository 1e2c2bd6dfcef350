import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, symbolOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import type { IsoDate } from '../src/calendar/dates.js';
import { newsPost, newsView } from '../src/info/news-service.js';

export const data = new SlashCommandBuilder()
  .setName('news')
  .setDescription("Articles on a name (or the market), newest first, with the provider's sentiment for it")
  .addStringOption((o) => o.setName('symbol').setDescription('A ticker in the universe (empty: the whole market)').setAutocomplete(true))
  .addStringOption((o) => o.setName('since').setDescription('From this date, YYYY-MM-DD (default: a week back)'))
  .addStringOption((o) => o.setName('date').setDescription('Up to this date, YYYY-MM-DD (default: today)'));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const symbol = symbolOption(i);
  const since = dateOption(i, 'since') as IsoDate | undefined;
  const until = dateOption(i, 'date') as IsoDate | undefined;
  await deferFor(i);
  await replyWithPost(i, newsPost(await newsView(symbol, since, undefined, 25, until)));
}

export { autocomplete } from '../src/discord/autocomplete.js';
