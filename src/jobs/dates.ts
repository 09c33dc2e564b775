/**
 * Calendar arithmetic for jobs. Contract end dates and digest days are calendar days in the
 * desk's time zone, not instants: "today" must be computed there, or a job running just
 * after midnight UTC would warn a day early in Paris or date a digest wrongly.
 */
export const DAY_MS = 86_400_000;

/** The calendar day (`YYYY-MM-DD`) that `now` falls on in `timeZone`. */
export function calendarDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whole days from calendar day `from` to calendar day `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}
