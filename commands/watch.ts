import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { addWatch, listWatch, muteWatch, removeWatch, watchCounts } from '../src/analysis/watch-service.js';
import { MAX_RULES_PER_MEMBER, WATCH_RULE_KINDS } from '../src/analysis/watch-rules.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { replyWithPost } from '../src/discord/reply.js';
import { symbolOption } from '../src/discord/options.js';
import { watchCountsPost, watchListPost } from '../src/present/watch-view.js';

export const data = new SlashCommandBuilder()
  .setName('watch')
  .setDescription('Your own watchlist: rules checked every 15 minutes in market hours and on the close; triggers by DM')
  .addSubcommand((s) =>
    s.setName('add').setDescription(`Add a rule (at most ${MAX_RULES_PER_MEMBER}); universe symbols only`)
      .addStringOption((o) => o.setName('symbol').setDescription('Ticker').setRequired(true).setAutocomplete(true))
      .addStringOption((o) => o.setName('rule').setDescription('What to watch for').setRequired(true)
        .addChoices(...WATCH_RULE_KINDS.map((k) => ({ name: k, value: k }))))
      .addNumberOption((o) => o.setName('value').setDescription('Threshold: RSI level, % for gaps and moves, × for volume, a price level')),
  )
  .addSubcommand((s) => s.setName('list').setDescription('Your rules and whether you are muted'))
  .addSubcommand((s) => s.setName('remove').setDescription('Remove one of your rules').addIntegerOption((o) => o.setName('id').setDescription('Rule number from /watch list').setRequired(true).setMinValue(1).setMaxValue(MAX_RULES_PER_MEMBER)))
  .addSubcommand((s) => s.setName('mute').setDescription('No watch DMs for a while').addIntegerOption((o) => o.setName('hours').setDescription('Hours (default 24; 0 unmutes)').setMinValue(0).setMaxValue(720)))
  .addSubcommand((s) => s.setName('stats').setDescription('Counts of members and rules (admins; never whose)'));

export const meta: CommandMeta = { adminSubcommands: ['stats'] };

/** Every answer is private: a member's watchlist is their own. */
export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const sub = i.options.getSubcommand(true);
  const me = i.user.id;
  if (sub === 'add') {
    const symbol = symbolOption(i, 'symbol')!;
    const kind = i.options.getString('rule', true);
    const value = i.options.getNumber('value');
    const w = await addWatch(me, symbol, kind, value);
    return replyWithPost(i, { kind: 'scans', title: `Watching ${w.symbol}: ${w.rule}`, description: `Rule #${w.id}; checked on each trading day's close during next-day-prep, sent to you by DM.` }, { ephemeral: true });
  }
  if (sub === 'list') return replyWithPost(i, watchListPost(await listWatch(me)), { ephemeral: true });
  if (sub === 'remove') {
    const id = i.options.getInteger('id', true);
    await removeWatch(me, id);
    return replyWithPost(i, { kind: 'scans', title: `Removed watch rule #${id}` }, { ephemeral: true });
  }
  if (sub === 'mute') {
    const until = await muteWatch(me, i.options.getInteger('hours') ?? 24);
    return replyWithPost(i, { kind: 'scans', title: until ? `Watch DMs muted until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'Watch DMs unmuted' }, { ephemeral: true });
  }
  return replyWithPost(i, watchCountsPost(await watchCounts()), { ephemeral: true });
}

export { autocomplete } from '../src/discord/autocomplete.js';
