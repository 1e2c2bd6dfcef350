import type { ChatInputCommandInteraction } from 'discord.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, isCalendarDate } from '../calendar/nyse.js';
import { UserFacingError } from '../errors.js';
import { PORTFOLIO_REF } from '../strategy/config-service.js';

/**
 * Option readers that validate what Discord's own types cannot (dates, names, symbols) with the
 * same rules the services use, and say what is wrong and what is allowed.
 */
export function dateOption(i: ChatInputCommandInteraction, name: string, required = false): string | undefined {
  const v = i.options.getString(name, required) ?? undefined;
  if (v !== undefined && !isCalendarDate(v.trim())) {
    throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a usable date; use YYYY-MM-DD between ${CALENDAR_FIRST_YEAR}-01-01 and ${CALENDAR_LAST_YEAR}-12-31, e.g. 2020-03-16.`);
  }
  return v?.trim();
}

export function portfolioOption(i: ChatInputCommandInteraction, name = 'name'): string {
  const v = (i.options.getString(name) ?? 'main').trim();
  if (!PORTFOLIO_REF.test(v)) {
    throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a portfolio name; use 1–32 lower-case letters, digits or dashes (e.g. main), or backtest:<id>.`);
  }
  return v;
}

export function symbolOption(i: ChatInputCommandInteraction, name = 'symbol'): string | undefined {
  const v = i.options.getString(name)?.trim().toUpperCase();
  if (v !== undefined && !/^[A-Z][A-Z0-9.\-]{0,9}$/.test(v)) throw new UserFacingError('BAD_OPTION', `\`${name}\`: "${v}" is not a ticker; use 1–10 letters, digits, "." or "-", e.g. SPY.`);
  return v;
}
