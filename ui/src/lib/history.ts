// Corrections as the case file shows them: when a revision was made, in the Belgian format.

import { formatDate } from "./format";

/** A moment (ms since the epoch) in local time as dd/mm/yyyy HH:MM; empty when unknown. */
export function formatMoment(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return formatDate(
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`,
  );
}
