import { describe, expect, it } from "vitest";
import { splitSnippet } from "./snippet";

describe("splitSnippet", () => {
  it("splits marked matches from plain text", () => {
    expect(splitSnippet("huur bij \u0002Peeters\u0003 betaald")).toEqual([
      { text: "huur bij ", match: false },
      { text: "Peeters", match: true },
      { text: " betaald", match: false },
    ]);
  });

  it("handles several matches, a match at the start and no match", () => {
    expect(splitSnippet("\u0002An\u0003 en \u0002An\u0003")).toEqual([
      { text: "An", match: true },
      { text: " en ", match: false },
      { text: "An", match: true },
    ]);
    expect(splitSnippet("geen treffer")).toEqual([{ text: "geen treffer", match: false }]);
    expect(splitSnippet("")).toEqual([]);
  });

  it("keeps markup-like text as text and survives unbalanced markers", () => {
    expect(splitSnippet("<b>\u0002x\u0003")).toEqual([
      { text: "<b>", match: false },
      { text: "x", match: true },
    ]);
    expect(splitSnippet("a\u0002b")).toEqual([
      { text: "a", match: false },
      { text: "b", match: true },
    ]);
    expect(splitSnippet("a\u0003b")).toEqual([
      { text: "a", match: false },
      { text: "b", match: false },
    ]);
  });
});
