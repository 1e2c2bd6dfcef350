import { addDays, type IsoDate } from '../calendar/dates.js';
import { IdeaMonth } from '../db/models/ideas.js';
import { openKey } from './criteria.js';
import type { Idea, Outcome } from './scoring.js';

/**
 * The scored record's months (`idea_months`, one document a month, `_id` "YYYY-MM", the ideas as JSON text): how
 * they are named and read. Below both the slots (which ask which ideas are still open) and score-ideas (which
 * writes them).
 */
export type ScoredIdea = Idea & { outcome: Outcome | null };
/** An idea as the month keeps it: without its sentence and facts (the slot document has them). */
export type IdeaRecord = Omit<ScoredIdea, 'why' | 'facts'> & Partial<Pick<Idea, 'why' | 'facts'>>;

export function toRecord(i: ScoredIdea): IdeaRecord {
  const { why: _why, facts: _facts, ...rest } = i;
  return rest;
}

/** A stored document's ideas: the JSON text (documents written before it held a plain array: read too). */
export function parseIdeas<T>(d: { ideasJson?: string | null; ideas?: unknown }): T[] {
  return d.ideasJson ? (JSON.parse(d.ideasJson) as T[]) : Array.isArray(d.ideas) ? (d.ideas as T[]) : [];
}

export const monthOf = (date: IsoDate) => date.slice(0, 7);

/** Months from one date's to another's, as "YYYY-MM". */
export function monthsBetween(from: IsoDate, to: IsoDate): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const end = to.slice(0, 7);
  for (;;) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    if (k > end) break;
    out.push(k);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export async function readMonths(months: string[]): Promise<Map<string, IdeaRecord[]>> {
  const out = new Map<string, IdeaRecord[]>();
  for (let i = 0; i < months.length; i += 24) {
    const docs = await Promise.all(months.slice(i, i + 24).map((m) => IdeaMonth.findById(m).lean()));
    for (const d of docs) if (d) out.set(d._id, parseIdeas<IdeaRecord>(d));
  }
  return out;
}

/**
 * The criterion|symbol pairs whose idea triggered before `date` and is still open as of the last scoring (within
 * its horizon, not stopped): the months of the last 30 sessions, by `_id`.
 */
export async function openIdeaKeys(date: IsoDate): Promise<Set<string>> {
  const from = addDays(date, -45);
  const months = await readMonths(monthsBetween(from, date));
  const out = new Set<string>();
  for (const list of months.values()) for (const i of list) if (i.date < date && i.date >= from && i.outcome?.state === 'open') out.add(openKey(i.criterion, i.symbol));
  return out;
}

