import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { PostInput } from '../notify/post.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Actor } from '../config/actor.js';

/** What a command may touch: the runtime's services (never mongoose, Agenda or axios directly). */
export interface CommandContext {
  rt: Runtime;
}

/** Declared permissions, checked before execute by one guard (Sapphire-style preconditions). */
export interface CommandMeta {
  /** Admin-only: needs a configured admin role (or Manage Server when no admin role is configured). */
  admin?: boolean;
  /** Only these subcommands are admin-only (the rest of the command is open). */
  adminSubcommands?: string[];
}

/** A state change a command asked the invoker to confirm (confirm.ts stores it; the command applies it). */
export interface PendingAction {
  id: string;
  command: string;
  action: string;
  target: string;
  payload: Record<string, unknown>;
  actor: Actor;
}

/** The contract of a file in commands/ (discord.js guide: `data` + `execute`). */
export interface CommandModule {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  meta?: CommandMeta;
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
  /** Act on a confirmed prompt this command stored with askToConfirm; the returned post is the public result. */
  confirm?(press: ButtonInteraction, pending: PendingAction, ctx: CommandContext): Promise<PostInput | undefined>;
}
