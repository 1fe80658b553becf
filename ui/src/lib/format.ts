// Belgian formats for dates, times and money, the same in both UI languages:
// dates dd/mm/yyyy, 24-hour times, Monday-first weeks, EUR 1.234,50.

/** A stored date (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`) as dd/mm/yyyy (with HH:MM if present). */
export function formatDate(stored: string | null | undefined): string {
  if (!stored) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(stored);
  if (!match) return stored;
  const [, y, m, d, hh, mm] = match;
  return hh ? `${d}/${m}/${y} ${hh}:${mm}` : `${d}/${m}/${y}`;
}

/** Parse what a user typed as a date: dd/mm/yyyy (or d/m/yyyy, with - or .) -> `YYYY-MM-DD`. */
export function parseDate(typed: string): string | null {
  const match = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(typed);
  if (!match) return null;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return null;
  }
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Euro cents as Belgian money: `EUR 1.234,50` (nl-BE style, same in English). */
export function formatMoney(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(cents));
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `${sign}EUR ${euros},${String(abs % 100).padStart(2, "0")}`;
}

/** A whole number with Belgian thousands separators: 5.000. */
export function formatCount(n: number): string {
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** Today's date as `YYYY-MM-DD` (local time). */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The current moment as `YYYY-MM-DDTHH:MM` (local time), for a journal entry's default. */
export function nowMinute(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${today(now)}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

/** Monday (as `YYYY-MM-DD`) of the week that holds `date`: weeks start on Monday. */
export function weekStart(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const offset = (day.getUTCDay() + 6) % 7; // Monday = 0
  day.setUTCDate(day.getUTCDate() - offset);
  return day.toISOString().slice(0, 10);
}

/** Add `days` to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d + days));
  return day.toISOString().slice(0, 10);
}

export type DueGroup = "overdue" | "today" | "week" | "later" | "none";

/** Where a task's due date falls, seen from `todayDate`, with Monday-first weeks. */
export function dueGroup(due: string | null, todayDate: string): DueGroup {
  if (!due) return "none";
  if (due < todayDate) return "overdue";
  if (due === todayDate) return "today";
  const endOfWeek = addDays(weekStart(todayDate), 6);
  return due <= endOfWeek ? "week" : "later";
}

/** A stored date or moment as the user edits it: dd/mm/yyyy or dd/mm/yyyy HH:MM. */
export function editableDate(stored: string | null | undefined): string {
  return formatDate(stored);
}

/**
 * What a user typed as a date with an optional 24-hour time -> `YYYY-MM-DD[THH:MM]`, or the
 * typed text unchanged when it cannot be read (the engine then reports `invalid_date`).
 */
export function storedDate(typed: string): string {
  const trimmed = typed.trim();
  const match = /^(\S+)(?:\s+(\d{1,2})[:.hu](\d{2}))?$/.exec(trimmed);
  if (!match) return trimmed;
  const day = parseDate(match[1] ?? "");
  if (!day) return trimmed;
  if (match[2] === undefined) return day;
  const [hh, mm] = [Number(match[2]), Number(match[3])];
  if (hh > 23 || mm > 59) return trimmed;
  return `${day}T${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`;
}

/**
 * A person's age in whole years on `todayDate` (both `YYYY-MM-DD`), or null when the birth date
 * is not a date or lies after `todayDate`. Born on 29 February: a year older on 1 March.
 */
export function age(birth: string | null | undefined, todayDate: string): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})/.exec(birth ?? "");
  const t = /^(\d{4})-(\d{2})-(\d{2})/.exec(todayDate);
  if (!b || !t) return null;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [ty, tm, td] = [Number(t[1]), Number(t[2]), Number(t[3])];
  const years = ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
  return years < 0 ? null : years;
}
