import { ChannelType, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import { replyWithPost } from '../src/discord/reply.js';
import type { PostInput } from '../src/notify/post.js';
import { ALERT_MODES, checkQuietHours, loadPolicy, setQuietHours, setRoute } from '../src/notify/alert-policy.js';
import { ALERT_TYPES } from '../src/notify/post.js';
import { channelIdFor } from '../src/notify/router.js';
import { alertsPost } from '../src/present/health-view.js';

export const data = new SlashCommandBuilder()
  .setName('alerts')
  .setDescription('Alert routing, modes and quiet hours (admins)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('show').setDescription('Routing of every alert type and quiet hours'))
  .addSubcommand((s) =>
    s.setName('route').setDescription('Mode and channel of an alert type')
      .addStringOption((o) => o.setName('type').setDescription('Alert type').setRequired(true).addChoices(...ALERT_TYPES.map((t) => ({ name: t, value: t }))))
      .addStringOption((o) => o.setName('mode').setDescription('on, silent (no notification) or off').setRequired(true).addChoices(...ALERT_MODES.map((m) => ({ name: m, value: m }))))
      .addChannelOption((o) => o.setName('channel').setDescription('Post to this channel').addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)),
  )
  .addSubcommand((s) =>
    s.setName('quiet').setDescription('Quiet hours, New York time (urgent ops errors still notify)')
      .addStringOption((o) => o.setName('start').setDescription('HH:MM, e.g. 22:00').setRequired(true))
      .addStringOption((o) => o.setName('end').setDescription('HH:MM, e.g. 07:00').setRequired(true)),
  )
  .addSubcommand((s) => s.setName('quiet-off').setDescription('No quiet hours'));

export const meta: CommandMeta = { admin: true };

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const sub = i.options.getSubcommand(true);
  const env = (k: string) => channelIdFor(rt.env, k);
  if (sub === 'show') return replyWithPost(i, alertsPost(await loadPolicy(0), env), { ephemeral: true });
  let describe: string;
  let change: AlertChange;
  if (sub === 'route') {
    const type = i.options.getString('type', true);
    const mode = i.options.getString('mode', true);
    const channel = i.options.getChannel('channel')?.id;
    describe = `${type}: ${mode}${channel ? ` → <#${channel}>` : ''}`;
    change = { sub, type, mode, ...(channel ? { channelId: channel } : {}) };
  } else if (sub === 'quiet') {
    const quiet = { start: i.options.getString('start', true).trim(), end: i.options.getString('end', true).trim() };
    checkQuietHours(quiet); // refused here, before any confirmation
    describe = `quiet hours ${quiet.start}–${quiet.end} New York`;
    change = { sub, quiet };
  } else {
    describe = 'no quiet hours';
    change = { sub: 'quiet-off' };
  }
  return askToConfirm(i, { action: `alerts.${sub}`, target: 'alerts', payload: { ...change }, preview: { kind: 'ops', title: 'Change alert routing?', description: describe } });
}

type AlertChange =
  | { sub: 'route'; type: string; mode: string; channelId?: string }
  | { sub: 'quiet'; quiet: { start: string; end: string } }
  | { sub: 'quiet-off' };

/** A confirmed change, validated again by the policy service (it says what is allowed). */
export async function confirm(_press: unknown, p: PendingAction, { rt }: CommandContext): Promise<PostInput> {
  const change = p.payload as AlertChange;
  if (change.sub === 'route') await setRoute(change.type, { mode: change.mode, ...(change.channelId ? { channelId: change.channelId } : {}) }, p.actor);
  else await setQuietHours(change.sub === 'quiet' ? change.quiet : null, p.actor);
  return alertsPost(await loadPolicy(0), (k: string) => channelIdFor(rt.env, k));
}
