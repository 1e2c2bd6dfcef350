import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, symbolOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import type { IsoDate } from '../src/calendar/dates.js';
import { UserFacingError } from '../src/errors.js';
import { earningsQueryPost, earningsView } from '../src/info/calendar-service.js';

export const data = new SlashCommandBuilder()
  .setName('earnings')
  .setDescription('Who reports on a day (before the open or after the close), in a range, or a name\'s next date')
  .addStringOption((o) => o.setName('date').setDescription('A day, YYYY-MM-DD (default: today)'))
  .addStringOption((o) => o.setName('to').setDescription('With date: up to this day (at most 31 days)'))
  .addStringOption((o) => o.setName('symbol').setDescription("A name's report dates").setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const symbol = symbolOption(i);
  const date = dateOption(i, 'date') as IsoDate | undefined;
  const to = dateOption(i, 'to') as IsoDate | undefined;
  if (symbol && (date || to)) throw new UserFacingError('BAD_OPTION', '`symbol` or dates, not both: /earnings symbol:AAPL, or /earnings date:2020-03-16 [to:…].');
  await deferFor(i);
  const q = await earningsView(symbol ? { symbol } : to ? { from: date, to } : { date });
  await replyWithPost(i, earningsQueryPost(q));
}

export { autocomplete } from '../src/discord/autocomplete.js';
