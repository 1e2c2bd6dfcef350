import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { IsoDate } from '../src/calendar/dates.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { latestBoardDate, worldPost, worldView } from '../src/world/world-service.js';

export const data = new SlashCommandBuilder()
  .setName('world')
  .setDescription('The world board: regions by their country ETFs, the dollar, yields, crypto (the 20:00 board)')
  .addStringOption((o) => o.setName('date').setDescription('A trading date, YYYY-MM-DD (default: the latest board)'));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const date = (dateOption(i, 'date') as IsoDate | undefined) ?? latestBoardDate();
  const board = await worldView(date); // a missing board is a clear private answer, before the public deferral
  await deferFor(i);
  await replyWithPost(i, worldPost(board));
}
