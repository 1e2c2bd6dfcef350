import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { buildPost, type PostInput } from '../notify/post.js';
import { toEmbed } from '../notify/render.js';

/** Answer with a post as an embed: edit the deferred reply, or reply now. */
export async function replyWithPost(i: ChatInputCommandInteraction, post: PostInput, opts: { ephemeral?: boolean } = {}): Promise<void> {
  const embeds = [toEmbed(buildPost(post))];
  if (i.deferred || i.replied) await i.editReply({ embeds });
  else await i.reply({ embeds, ...(opts.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
}

/** Defer at once when the answer needs the database (Discord's 3-second rule). */
export async function deferFor(i: ChatInputCommandInteraction, ephemeral = false): Promise<void> {
  if (!i.deferred && !i.replied) await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}

/** Answer with an embed whose image is a PNG sent as an attachment (referenced as attachment://name). */
export async function replyWithImage(i: ChatInputCommandInteraction, post: PostInput, png: Buffer, filename: string): Promise<void> {
  const embed = { ...toEmbed(buildPost(post)), image: { url: `attachment://${filename}` } };
  const payload = { embeds: [embed], files: [{ attachment: png, name: filename }] };
  // content '' clears any progress text a long command showed while deferred.
  if (i.deferred || i.replied) await i.editReply({ ...payload, content: '' });
  else await i.reply(payload);
}
