import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import {
  FOLLOW_KINDS, MAX_DAYS, MAX_FOLLOWS, checkTicker, followCongress, followsPost, listFollows, memberPost, memberSuggestions, memberView, recentPost, recentView, resolveMember, unfollowCongress,
} from '../src/congress/congress-views.js';

export const data = new SlashCommandBuilder()
  .setName('congress')
  .setDescription("Congress members' stock trade disclosures (STOCK Act): recent filings, a member's record, alerts")
  .addSubcommand((s) =>
    s.setName('recent').setDescription('Trades disclosed in the last days, for everyone, one member or one ticker')
      .addStringOption((o) => o.setName('member').setDescription('A member of Congress (type to search)').setAutocomplete(true))
      .addStringOption((o) => o.setName('ticker').setDescription('A ticker, e.g. NVDA'))
      .addIntegerOption((o) => o.setName('days').setDescription(`Days back by disclosure date (1–${MAX_DAYS}, default 7)`).setMinValue(1).setMaxValue(MAX_DAYS)),
  )
  .addSubcommand((s) =>
    s.setName('member').setDescription("A member's trades: lag from trade to disclosure, late filings")
      .addStringOption((o) => o.setName('name').setDescription('A member of Congress (type to search)').setRequired(true).setAutocomplete(true)),
  )
  .addSubcommand((s) =>
    s.setName('follow').setDescription(`A DM for each new filing that matches (at most ${MAX_FOLLOWS} rules)`)
      .addStringOption((o) => o.setName('kind').setDescription('What to follow').setRequired(true).addChoices(...FOLLOW_KINDS.map((k) => ({ name: k, value: k }))))
      .addStringOption((o) => o.setName('value').setDescription('A member (type to search), a ticker, or dollars (100000)').setRequired(true).setAutocomplete(true)),
  )
  .addSubcommand((s) =>
    s.setName('unfollow').setDescription('Stop one of your Congress alerts')
      .addStringOption((o) => o.setName('kind').setDescription('What you followed').setRequired(true).addChoices(...FOLLOW_KINDS.map((k) => ({ name: k, value: k }))))
      .addStringOption((o) => o.setName('value').setDescription('The member, ticker or amount as /congress list shows it').setRequired(true).setAutocomplete(true)),
  )
  .addSubcommand((s) => s.setName('list').setDescription('What you follow'));

/** Follows are a member's own: those answers are private. */
export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const sub = i.options.getSubcommand(true);
  const me = i.user.id;
  if (sub === 'recent') {
    const member = i.options.getString('member') ?? undefined;
    const ticker = i.options.getString('ticker') ?? undefined;
    const days = i.options.getInteger('days') ?? undefined;
    // Bad input is answered privately, before the public deferral: the ticker's form, the member's name.
    if (ticker) checkTicker(ticker);
    if (member) await resolveMember(member);
    await deferFor(i);
    return replyWithPost(i, recentPost(await recentView({ member, ticker, days })));
  }
  if (sub === 'member') {
    const name = i.options.getString('name', true);
    await resolveMember(name);
    await deferFor(i);
    return replyWithPost(i, memberPost(await memberView(name)));
  }
  if (sub === 'follow') {
    const f = await followCongress(me, i.options.getString('kind', true), i.options.getString('value', true));
    return replyWithPost(i, { kind: 'congress', title: `Following ${f.kind} ${f.label}`, description: 'A DM for each new filing that matches, with its matching rows (disclosed since now; older filings alert nobody).' }, { ephemeral: true });
  }
  if (sub === 'unfollow') {
    const f = await unfollowCongress(me, i.options.getString('kind', true), i.options.getString('value', true));
    return replyWithPost(i, { kind: 'congress', title: `No longer following ${f.kind} ${f.label}` }, { ephemeral: true });
  }
  return replyWithPost(i, followsPost(await listFollows(me)), { ephemeral: true });
}

/** Member names from the stored members; for unfollow, the caller's own rules. */
export async function autocomplete(i: AutocompleteInteraction): Promise<void> {
  const focused = i.options.getFocused(true);
  const typed = String(focused.value ?? '');
  const sub = i.options.getSubcommand(false);
  if (sub === 'unfollow') {
    const kind = i.options.getString('kind') ?? '';
    const mine = await listFollows(i.user.id).catch(() => []);
    return i.respond(mine.filter((f) => (!kind || f.kind === kind) && f.label.toLowerCase().includes(typed.toLowerCase())).slice(0, 25).map((f) => ({ name: `${f.kind}: ${f.label}`.slice(0, 100), value: (f.kind === 'amount' ? f.value : f.label).slice(0, 100) })));
  }
  if (sub === 'follow' && i.options.getString('kind') !== 'member') return i.respond([]);
  return i.respond(await memberSuggestions(typed));
}
