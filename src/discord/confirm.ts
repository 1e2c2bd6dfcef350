import { ActionRowBuilder, ButtonBuilder, ButtonStyle, ComponentType, MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { buildPost, type PostInput } from '../notify/post.js';
import { toEmbed } from '../notify/render.js';

export type Confirmation = 'confirmed' | 'cancelled' | 'timeout';

/**
 * Ask the invoker to confirm a state change with Confirm/Cancel buttons. Only the invoker may
 * press them (others are told so); no answer within `timeoutMs` counts as cancelled.
 */
export async function confirmAction(i: ChatInputCommandInteraction, preview: PostInput, timeoutMs = 60_000): Promise<Confirmation> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(`confirm:${i.id}`).setLabel('Confirm').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(`cancel:${i.id}`).setLabel('Cancel').setStyle(ButtonStyle.Secondary),
  );
  const response = await i.reply({ embeds: [toEmbed(buildPost(preview))], components: [row], flags: MessageFlags.Ephemeral, withResponse: true });
  const message = response.resource?.message;
  if (!message) return 'cancelled';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const press = await message.awaitMessageComponent({ componentType: ComponentType.Button, time: Math.max(1, deadline - Date.now()) });
      if (press.user.id !== i.user.id) {
        await press.reply({ content: 'Only the person who ran the command can confirm it.', flags: MessageFlags.Ephemeral });
        continue;
      }
      const confirmed = press.customId === `confirm:${i.id}`;
      await press.update({ content: confirmed ? 'Confirmed: applying…' : 'Cancelled: nothing changed.', components: [] });
      return confirmed ? 'confirmed' : 'cancelled';
    } catch {
      await i.editReply({ content: 'No answer in time: nothing changed.', components: [] }).catch(() => undefined);
      return 'timeout';
    }
  }
}
