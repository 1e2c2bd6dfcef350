import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { checkToggle, setPaused } from '../trading/pause-service.js';
import type { PostInput } from '../notify/post.js';
import type { CommandContext, CommandMeta } from './command-module.js';
import { askToConfirm, type PendingAction } from './confirm.js';
import { portfolioOption } from './options.js';

/** /pause and /resume: the same confirmed, audited toggle in two directions. */
export function tradingToggle(pause: boolean): {
  data: SlashCommandBuilder;
  meta: CommandMeta;
  execute(i: ChatInputCommandInteraction, ctx: CommandContext): Promise<void>;
  confirm(press: unknown, pending: PendingAction): Promise<PostInput>;
} {
  const verb = pause ? 'pause' : 'resume';
  const data = new SlashCommandBuilder()
    .setName(verb)
    .setDescription(`${pause ? 'Pause' : 'Resume'} paper trading for a portfolio (admins, confirmed)`)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  data.addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));
  if (pause) data.addStringOption((o) => o.setName('reason').setDescription('Why (shown in trade posts while paused)'));
  return {
    data,
    meta: { admin: true },
    async execute(i) {
      const portfolio = portfolioOption(i);
      await checkToggle(portfolio, pause); // refused here, before any confirmation
      return askToConfirm(i, {
        action: `trading.${verb}`, target: portfolio, payload: { portfolio, reason: i.options.getString('reason') ?? null },
        preview: {
          kind: 'ops',
          title: `${pause ? 'Pause' : 'Resume'} trading for ${portfolio}?`,
          description: pause
            ? 'Signals keep being computed; execute-trades will not trade until /resume.'
            : 'execute-trades trades again from its next run; missed days can be caught up with /rerun execute-trades.',
        },
      });
    },
    async confirm(_press, p) {
      const { portfolio, reason } = p.payload as { portfolio: string; reason: string | null };
      const s = await setPaused(portfolio, pause, p.actor, reason ?? undefined);
      return { kind: 'ops', title: `Trading for ${portfolio} is ${s.paused ? 'paused' : 'running'}`, description: `by ${s.changedBy} at ${s.changedAt}` };
    },
  };
}
