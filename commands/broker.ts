import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { adoptDifference, checkAdoptable } from '../src/broker/adopt.js';
import { setLiveSwitch } from '../src/broker/order-service.js';
import { brokerStatusPost, brokerStatus } from '../src/broker/status.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import type { PostInput } from '../src/notify/post.js';

export const data = new SlashCommandBuilder()
  .setName('broker')
  .setDescription("A broker portfolio's orders, fills and reconciliation; adopt the broker's side (admins)")
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('status').setDescription("Today's orders and the last reconciliation with the broker")
    .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true)))
  .addSubcommand((s) => s.setName('adopt').setDescription("Take the broker's side of one difference (confirmed, audited)")
    .addStringOption((o) => o.setName('what').setDescription('The symbol (or cash) the last sync named').setRequired(true))
    .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true)))
  .addSubcommand((s) => s.setName('live').setDescription('Allow or stop real-money orders (with ALPACA_LIVE=yes; confirmed, audited)')
    .addStringOption((o) => o.setName('switch').setDescription('on or off').setRequired(true).addChoices({ name: 'on', value: 'on' }, { name: 'off', value: 'off' })));

export const meta: CommandMeta = { admin: true };

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const portfolio = portfolioOption(i);
  if (i.options.getSubcommand(true) === 'status') {
    await deferFor(i, true);
    return replyWithPost(i, brokerStatusPost(await brokerStatus(portfolio)), { ephemeral: true });
  }
  if (i.options.getSubcommand(true) === 'live') {
    const on = i.options.getString('switch', true) === 'on';
    return askToConfirm(i, {
      action: 'broker.live', target: 'alpaca', payload: { live: on },
      preview: { kind: 'ops', title: on ? 'Allow REAL-MONEY orders at Alpaca?' : 'Stop real-money orders?', description: on ? 'With ALPACA_LIVE=yes and the live endpoint, every signal of a broker portfolio becomes a real order in your brokerage account.' : 'Orders to the live endpoint stop until an admin allows them again.' },
    });
  }
  const what = i.options.getString('what', true);
  const d = await checkAdoptable(portfolio, what); // refused here, before any confirmation
  void rt;
  return askToConfirm(i, {
    action: 'broker.adopt', target: `${portfolio}:${what}`, payload: { portfolio, what },
    preview: { kind: 'ops', title: `Adopt the broker's side for ${portfolio}: ${d.symbol ?? 'cash'}?`, description: `${d.detail}\nThe ledger will record the broker's ${d.kind === 'cash' ? 'cash difference as its new baseline' : 'quantity (a trade at the broker\'s average entry price, marked as an adoption)'}.` },
  });
}

export async function confirm(_press: unknown, p: PendingAction, ctx: CommandContext): Promise<PostInput> {
  if (p.action === 'broker.live') {
    const { live } = p.payload as { live: boolean };
    const r = await setLiveSwitch(live, p.actor);
    return { kind: 'ops', title: r.on ? 'Real-money orders allowed (with ALPACA_LIVE=yes)' : 'Real-money orders stopped', description: `by ${p.actor.name} (audited)` };
  }
  const { portfolio, what } = p.payload as { portfolio: string; what: string };
  const a = await adoptDifference(ctx.rt.env, portfolio, what, p.actor);
  return { kind: 'ops', title: `Adopted the broker's side: ${a.portfolio} ${a.what}`, description: `${a.before} → ${a.after} (audited)` };
}

export { autocomplete } from '../src/discord/autocomplete.js';
