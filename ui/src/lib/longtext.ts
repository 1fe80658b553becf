// Long texts (a signal or journal entry of thousands of characters) are shown shortened, with
// "meer" to see the rest: the first lines up to a length, cut at a word where one is near.

/** At most this many characters are shown of a shortened text. */
export const SHORT_CHARS = 400;
/** At most this many lines are shown of a shortened text. */
export const SHORT_LINES = 6;

/** The shortened form of `text` (ending in "…"), or null when it is short enough as it is. */
export function shorten(
  text: string,
  maxChars: number = SHORT_CHARS,
  maxLines: number = SHORT_LINES,
): string | null {
  const lines = text.split("\n");
  if (text.length <= maxChars && lines.length <= maxLines) return null;
  let cut = lines.slice(0, maxLines).join("\n");
  if (cut.length > maxChars) {
    cut = cut.slice(0, maxChars);
    // Cut at the last space if there is one near the end (no half words).
    const space = cut.search(/\s\S*$/);
    if (space > maxChars * 0.8) cut = cut.slice(0, space);
  }
  return `${cut.trimEnd()}…`;
}
