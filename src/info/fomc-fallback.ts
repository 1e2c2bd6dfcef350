/**
 * FOMC decision days kept in the repository, for when the Fed's calendar.json has no entry for the dates asked
 * (it stops at each year's end, and a feed can be down). Written 2026-12-05 from the Fed's meeting calendars
 * (federalreserve.gov/monetarypolicy/fomccalendars.htm; 2026–2027 as published in 2026), with 2020's two
 * emergency decisions. Check it against that page each December (economic-calendar-sync posts to ops when the
 * feed and this list disagree).
 */
export interface FomcDecision {
  date: string;
  time: string;
  emergency: boolean;
  note: string | null;
}

const scheduled = (date: string): FomcDecision => ({ date, time: '14:00', emergency: false, note: 'press conference 14:30' });

export const FOMC_LIST_CHECKED = '2026-12-05';

export const FOMC_DECISIONS: readonly FomcDecision[] = [
  scheduled('2020-01-29'),
  { date: '2020-03-03', time: '10:00', emergency: true, note: 'unscheduled: rate cut of 0.50 point' },
  { date: '2020-03-15', time: '17:00', emergency: true, note: 'unscheduled, a Sunday: rate cut of 1.00 point to 0–0.25 %, in place of the 17–18 March meeting' },
  ...['2020-04-29', '2020-06-10', '2020-07-29', '2020-09-16', '2020-11-05', '2020-12-16'].map(scheduled),
  ...['2021-01-27', '2021-03-17', '2021-04-28', '2021-06-16', '2021-07-28', '2021-09-22', '2021-11-03', '2021-12-15'].map(scheduled),
  ...['2022-01-26', '2022-03-16', '2022-05-04', '2022-06-15', '2022-07-27', '2022-09-21', '2022-11-02', '2022-12-14'].map(scheduled),
  ...['2023-02-01', '2023-03-22', '2023-05-03', '2023-06-14', '2023-07-26', '2023-09-20', '2023-11-01', '2023-12-13'].map(scheduled),
  ...['2024-01-31', '2024-03-20', '2024-05-01', '2024-06-12', '2024-07-31', '2024-09-18', '2024-11-07', '2024-12-18'].map(scheduled),
  ...['2025-01-29', '2025-03-19', '2025-05-07', '2025-06-18', '2025-07-30', '2025-09-17', '2025-10-29', '2025-12-10'].map(scheduled),
  ...['2026-01-28', '2026-03-18', '2026-04-29', '2026-06-17', '2026-07-29', '2026-09-16', '2026-10-28', '2026-12-09'].map(scheduled),
  ...['2027-01-27', '2027-03-17', '2027-04-28', '2027-06-09', '2027-07-28', '2027-09-15', '2027-10-27', '2027-12-08'].map(scheduled),
];

/** The last date the list covers: past it, only the feed knows. */
export const FOMC_LIST_ENDS = FOMC_DECISIONS[FOMC_DECISIONS.length - 1]!.date;
