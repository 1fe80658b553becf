// Search snippets mark matches between U+0002 (start) and U+0003 (end). Split them into plain
// and marked parts so the UI renders <mark> elements without ever interpreting text as HTML.

export type SnippetPart = { text: string; match: boolean };

const START = "\u0002";
const END = "\u0003";

/** Split a snippet into parts; unbalanced markers are dropped, never shown. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let text = "";
  const push = () => {
    if (text) parts.push({ text, match });
    text = "";
  };
  for (const char of snippet) {
    if (char === START || char === END) {
      push();
      match = char === START;
    } else {
      text += char;
    }
  }
  push();
  return parts;
}
