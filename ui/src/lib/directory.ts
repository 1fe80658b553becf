// The partner directory ("Sociale kaart"): how a partner's figures, the lines of an import and
// typed lists are written, the same in every screen that shows them.

import type { ImportLineView, ImportedView, PartnerFiguresView } from "./bindings";
import { problemMessage } from "./errors";
import { locale, t, tn } from "./i18n/index.svelte";

/** A number with at most one decimal, as the UI language writes it (1,5 in Dutch). */
function decimal(n: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(n);
}

/** A share (0 to 1) as a whole percentage: "75 %" in Dutch (as Belgian style guides write
 * it), "75%" in English. Written here, not by Intl: its Dutch form differs between engines. */
export function percent(share: number): string {
  const n = Math.round(share * 100);
  return locale() === "en" ? `${n}%` : `${n}\u00a0%`;
}

/** "12 doorverwezen, 75 % aanvaard, eerste contact na mediaan 2 dagen", or "nog geen
 * doorverwijzingen". */
export function figuresText(figures: PartnerFiguresView): string {
  if (figures.sent === 0) return t("directory.figures.none");
  const parts = [tn("directory.figures.sent", figures.sent)];
  parts.push(
    figures.acceptedShare == null
      ? t("directory.figures.noAnswer")
      : t("directory.figures.accepted", { percent: percent(figures.acceptedShare) }),
  );
  const days = figures.medianDaysToFirstContact;
  if (days == null) parts.push(t("directory.figures.noContact"));
  else {
    // Rounded to what is shown, so that "1 dag" is never "1,0 dagen".
    const shown = Math.round(days * 10) / 10;
    parts.push(tn("directory.figures.firstContact", shown, { days: decimal(shown) }));
  }
  return parts.join(", ");
}

/** A typed list (one per line, or separated by `;`), trimmed, without empty parts. */
export function listOf(text: string): string[] {
  return text
    .split(/[\n;]/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** What an import did: "3 partners toegevoegd, 1 bijgewerkt". */
export function importedText(done: ImportedView): string {
  const parts = [tn("directory.importAdded", done.added)];
  if (done.updated > 0) parts.push(tn("directory.importUpdated", done.updated));
  if (done.unchanged > 0) parts.push(tn("directory.importUnchanged", done.unchanged));
  return parts.join(", ");
}

/** Where a bad line of an import is: "Regel 7, kolom email" (or "Regel 7" for the row). */
export function importLinePlace(line: ImportLineView): string {
  return line.column
    ? t("directory.importLineColumn", { line: line.line, column: line.column })
    : t("directory.importLine", { line: line.line });
}

/** What is wrong at a bad line of an import, in the UI language. */
export function importLineProblem(line: ImportLineView): string {
  if (line.problem === "unknown_theme" && line.value)
    return t("directory.importUnknownTheme", { value: line.value });
  if (line.problem === "duplicate" && line.value)
    return t("directory.importRepeatedName", { value: line.value });
  return problemMessage(
    {
      code: "invalid",
      message: "",
      field: line.column,
      problem: line.problem,
      max: line.max,
    },
    t,
  );
}
