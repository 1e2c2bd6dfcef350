import type { ChatInputCommandInteraction } from 'discord.js';
import { isIsoDate } from '../calendar/dates.js';
import { UserFacingError } from '../errors.js';

/**
 * Option readers that validate what Discord's own types cannot (dates, names, symbols) with the
 * same rules the services use, and say what is wrong and what is allowed.
 */
export function dateOption(i: ChatInputCommandInteraction, name: string, required = false): string | undefined {
  const v = i.options.getString(name, required) ?? undefined;
  if (v !== undefined && !isIsoDate(v.trim())) throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a date; use YYYY-MM-DD, e.g. 2020-03-16.`);
  return v?.trim();
}

export function portfolioOption(i: ChatInputCommandInteraction, name = 'name'): string {
  const v = (i.options.getString(name) ?? 'main').trim();
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(v) && !v.startsWith('backtest:')) {
    throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a portfolio name; use 1–32 letters, digits, "-" or "_".`);
  }
  return v;
}

export function symbolOption(i: ChatInputCommandInteraction, name = 'symbol'): string | undefined {
  const v = i.options.getString(name)?.trim().toUpperCase();
  if (v !== undefined && !/^[A-Z][A-Z0-9.\-]{0,9}$/.test(v)) throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a ticker; use 1–10 letters, digits, "." or "-", e.g. SPY.`);
  return v;
}
