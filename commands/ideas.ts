import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { todayIn, type IsoDate } from '../src/calendar/dates.js';
import { MARKET_ZONE } from '../src/calendar/nyse.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, symbolOption } from '../src/discord/options.js';
import { deferFor, replyWithImage, replyWithPost } from '../src/discord/reply.js';
import { UserFacingError } from '../src/errors.js';
import { IDEA_CRITERION_NAMES } from '../src/ideas/criteria.js';
import { ideasListPost, scoreboardChart, statsPost } from '../src/ideas/idea-posts.js';
import { ideaStatsSince, ideasFor, ideasOn, latestIdeaDate } from '../src/ideas/idea-record.js';

export const data = new SlashCommandBuilder()
  .setName('ideas')
  .setDescription('Entry ideas (09:00, 11:00, 14:30) and how every one of them did')
  .addSubcommand((s) =>
    s.setName('list').setDescription("A day's ideas (default: the latest) or a name's past year, with outcomes so far")
      .addStringOption((o) => o.setName('date').setDescription('A trading date, YYYY-MM-DD'))
      .addStringOption((o) => o.setName('symbol').setDescription('A ticker of the universe, e.g. AAPL')))
  .addSubcommand((s) =>
    s.setName('stats').setDescription('Hit rate, return against SPX, best and worst, per criterion (with a chart)')
      .addStringOption((o) => o.setName('criterion').setDescription('One criterion (default: all)').addChoices(...IDEA_CRITERION_NAMES.map((c) => ({ name: c, value: c }))))
      .addStringOption((o) => o.setName('since').setDescription('From this date, YYYY-MM-DD (default: a year back)')));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const demo = rt.env.MARKET_DATA_PROVIDER === 'demo';
  const today = todayIn(MARKET_ZONE);
  if (i.options.getSubcommand() === 'stats') {
    const since = dateOption(i, 'since') as IsoDate | undefined;
    const v = await ideaStatsSince({ today, since, criterion: i.options.getString('criterion') ?? undefined }); // bad input answered privately, before the deferral
    await deferFor(i);
    const chart = await scoreboardChart(v, demo);
    await replyWithImage(i, statsPost(v, demo), chart.png, chart.filename);
    return;
  }
  const date = dateOption(i, 'date') as IsoDate | undefined;
  const symbol = symbolOption(i, 'symbol');
  if (date && symbol) throw new UserFacingError('BAD_OPTION', 'Give `date` or `symbol`, not both.');
  if (symbol) {
    const r = await ideasFor(symbol, today);
    await deferFor(i);
    await replyWithPost(i, ideasListPost(`Entry ideas on ${r.symbol} · the past year`, [{ name: `${r.ideas.length} idea(s)`, ideas: r.ideas, note: 'none in the past year' }], demo));
    return;
  }
  await deferFor(i);
  const day = date ?? (await latestIdeaDate(today));
  const r = await ideasOn(day);
  await replyWithPost(i, ideasListPost(`Entry ideas · ${day}`, r.slots.map((s) => ({ name: `${s.at} ${s.job} — ${s.ideas.length} idea(s)`, ideas: s.ideas, note: s.basis })), demo));
}
