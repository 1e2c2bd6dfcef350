import { DateTime } from 'luxon';
import { addDays, isIsoDate, weekday, ymd, type IsoDate } from './dates.js';

/**
 * The NYSE trading calendar, 2000–2030: full-day closures by rule, special closures and
 * 13:00 early closes from a hand-kept table. Cron knows no holidays; every market job asks here.
 */
export const MARKET_ZONE = 'America/New_York';
export const CALENDAR_FIRST_YEAR = 2000;
export const CALENDAR_LAST_YEAR = 2030;

/** A real calendar date (YYYY-MM-DD) in the years this calendar covers. */
export function isCalendarDate(s: string): boolean {
  const year = Number(s.slice(0, 4));
  return isIsoDate(s) && year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR;
}

/** Unscheduled full-day closures (national mourning, weather, 9/11). */
export const SPECIAL_CLOSURES: Readonly<Record<IsoDate, string>> = {
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'National Day of Mourning (Ronald Reagan)',
  '2007-01-02': 'National Day of Mourning (Gerald Ford)',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'National Day of Mourning (George H. W. Bush)',
  '2025-01-09': 'National Day of Mourning (Jimmy Carter)',
};

/** Early closes that break the rules below: added (date → reason) or removed (date → null). */
const EARLY_CLOSE_EXCEPTIONS: Readonly<Record<IsoDate, string | null>> = {
  '2002-07-03': null, // in 2002 the short session followed Independence Day instead
  '2002-07-05': 'Day after Independence Day',
};

function nthWeekday(year: number, month: number, dow: number, n: number): IsoDate {
  const first = ymd(year, month, 1);
  const offset = (dow - weekday(first) + 7) % 7;
  return addDays(first, offset + (n - 1) * 7);
}

function lastWeekday(year: number, month: number, dow: number): IsoDate {
  const last = addDays(ymd(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** Gregorian Easter Sunday (anonymous algorithm). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

/** Saturday holidays move to Friday, Sunday holidays to Monday. */
function observed(date: IsoDate): IsoDate {
  const dow = weekday(date);
  if (dow === 6) return addDays(date, -1);
  if (dow === 0) return addDays(date, 1);
  return date;
}

const holidayCache = new Map<number, Map<IsoDate, string>>();

/** The rule-based full-day holidays of one year, date → name. */
export function holidaysOf(year: number): Map<IsoDate, string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const h = new Map<IsoDate, string>();
  // New Year's Day: a Sunday moves to Monday; a Saturday is not made up (NYSE rule 7.2).
  const ny = ymd(year, 1, 1);
  if (weekday(ny) !== 6) h.set(observed(ny), "New Year's Day");
  h.set(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  h.set(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  h.set(addDays(easterSunday(year), -2), 'Good Friday');
  h.set(lastWeekday(year, 5, 1), 'Memorial Day');
  if (year >= 2022) h.set(observed(ymd(year, 6, 19)), 'Juneteenth');
  h.set(observed(ymd(year, 7, 4)), 'Independence Day');
  h.set(nthWeekday(year, 9, 1, 1), 'Labor Day');
  h.set(nthWeekday(year, 11, 4, 4), 'Thanksgiving Day');
  h.set(observed(ymd(year, 12, 25)), 'Christmas Day');
  holidayCache.set(year, h);
  return h;
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

function assertCovered(date: IsoDate): void {
  const y = yearOf(date);
  if (y < CALENDAR_FIRST_YEAR || y > CALENDAR_LAST_YEAR) {
    throw new RangeError(`the NYSE calendar covers ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR}; got ${date}`);
  }
}

/** Why the market is closed on a date, or undefined when it trades. */
export function closureReason(date: IsoDate): string | undefined {
  assertCovered(date);
  const dow = weekday(date);
  if (dow === 0 || dow === 6) return 'weekend';
  return SPECIAL_CLOSURES[date] ?? holidaysOf(yearOf(date)).get(date);
}

export function isTradingDay(date: IsoDate): boolean {
  return closureReason(date) === undefined;
}

/** Why a trading day closes at 13:00, or undefined for a full session. */
export function earlyCloseReason(date: IsoDate): string | undefined {
  if (!isTradingDay(date)) return undefined;
  if (date in EARLY_CLOSE_EXCEPTIONS) return EARLY_CLOSE_EXCEPTIONS[date] ?? undefined;
  const y = yearOf(date);
  const july4 = ymd(y, 7, 4);
  if (date === ymd(y, 7, 3) && [2, 3, 4, 5].includes(weekday(july4))) return 'Day before Independence Day';
  if (date === addDays(nthWeekday(y, 11, 4, 4), 1)) return 'Day after Thanksgiving';
  if (date === ymd(y, 12, 24)) return 'Christmas Eve';
  return undefined;
}

export function isEarlyClose(date: IsoDate): boolean {
  return earlyCloseReason(date) !== undefined;
}

export function nextTradingDay(date: IsoDate): IsoDate {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

export function previousTradingDay(date: IsoDate): IsoDate {
  let d = addDays(date, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** The trading day itself, or the last one before it. */
export function tradingDayOnOrBefore(date: IsoDate): IsoDate {
  return isTradingDay(date) ? date : previousTradingDay(date);
}

export function tradingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isTradingDay(d)) out.push(d);
  return out;
}

function at(date: IsoDate, hour: number, minute: number): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return DateTime.fromObject({ year: y, month: m, day: d, hour, minute }, { zone: MARKET_ZONE }).toJSDate();
}

export function sessionOpen(date: IsoDate): Date {
  if (!isTradingDay(date)) throw new RangeError(`${date} is not a trading day (${closureReason(date)})`);
  return at(date, 9, 30);
}

export function sessionClose(date: IsoDate): Date {
  if (!isTradingDay(date)) throw new RangeError(`${date} is not a trading day (${closureReason(date)})`);
  return isEarlyClose(date) ? at(date, 13, 0) : at(date, 16, 0);
}

/** True when `when` falls on the first trading day of its month (New York date). */
export function isFirstTradingDayOfMonth(date: IsoDate): boolean {
  return isTradingDay(date) && previousTradingDay(date).slice(0, 7) !== date.slice(0, 7);
}
