import { ActionRowBuilder, ButtonBuilder, ButtonStyle, ComponentType, MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { buildPost, type PostInput } from '../notify/post.js';
import { toEmbed } from '../notify/render.js';

/** Pagers with a collector in this process, by the id their buttons carry. */
const livePagers = new Set<string>();

/** True when a `page:<id>:…` button belongs to a pager this process still serves. */
export function isLivePager(customId: string): boolean {
  const m = /^page:(\d+):/.exec(customId);
  return m !== null && livePagers.has(m[1]!);
}

/** Split rows into pages of at most `perPage`, each a post titled "… (page k/n)". */
export function pagesOf(rows: string[], perPage: number, make: (rows: string[], page: number, pages: number) => PostInput): PostInput[] {
  const pages = Math.max(1, Math.ceil(rows.length / perPage));
  return Array.from({ length: pages }, (_, k) => make(rows.slice(k * perPage, (k + 1) * perPage), k + 1, pages));
}

/**
 * Show posts one page at a time with ◀ / ▶ buttons that only the invoker may press; after
 * `idleMs` without a press the buttons go away and the current page stays.
 */
export async function replyPaged(i: ChatInputCommandInteraction, pages: PostInput[], idleMs = 300_000): Promise<void> {
  const embedOf = (k: number) => [toEmbed(buildPost(pages[k]!))];
  if (pages.length <= 1) {
    await i.editReply({ embeds: embedOf(0) });
    return;
  }
  const row = (k: number) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(`page:${i.id}:prev`).setLabel('◀').setStyle(ButtonStyle.Secondary).setDisabled(k === 0),
      new ButtonBuilder().setCustomId(`page:${i.id}:next`).setLabel('▶').setStyle(ButtonStyle.Secondary).setDisabled(k === pages.length - 1),
    );
  let page = 0;
  const message = await i.editReply({ embeds: embedOf(page), components: [row(page)] });
  const collector = message.createMessageComponentCollector({ componentType: ComponentType.Button, idle: idleMs });
  livePagers.add(i.id);
  collector.on('collect', (press) => {
    if (press.user.id !== i.user.id) {
      void press.reply({ content: 'Only the person who ran the command can turn its pages; run it yourself to browse.', flags: MessageFlags.Ephemeral }).catch(() => undefined);
      return;
    }
    page = press.customId.endsWith(':next') ? Math.min(pages.length - 1, page + 1) : Math.max(0, page - 1);
    void press.update({ embeds: embedOf(page), components: [row(page)] }).catch(() => undefined);
  });
  collector.on('end', () => {
    livePagers.delete(i.id);
    void i.editReply({ components: [] }).catch(() => undefined);
  });
}
