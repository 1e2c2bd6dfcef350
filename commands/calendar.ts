import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import type { IsoDate } from '../src/calendar/dates.js';
import { calendarPost, calendarView } from '../src/info/calendar-service.js';

export const data = new SlashCommandBuilder()
  .setName('calendar')
  .setDescription('Economic releases (CPI, jobs, GDP, PCE…) and FOMC decisions, New York times')
  .addStringOption((o) => o.setName('date').setDescription('A day, YYYY-MM-DD (default: this week from today)'))
  .addStringOption((o) => o.setName('to').setDescription('With date: up to this day (at most 62 days)'));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const date = dateOption(i, 'date') as IsoDate | undefined;
  const to = dateOption(i, 'to') as IsoDate | undefined;
  await deferFor(i);
  await replyWithPost(i, calendarPost(await calendarView(to ? { from: date, to } : date ? { date } : { week: true })));
}
