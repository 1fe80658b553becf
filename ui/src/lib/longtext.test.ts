import { describe, expect, it } from "vitest";
import { shorten, SHORT_CHARS, SHORT_LINES } from "./longtext";

describe("shorten", () => {
  it("leaves short texts alone", () => {
    expect(shorten("Huisbezoek, huur besproken.")).toBeNull();
    expect(shorten("a".repeat(SHORT_CHARS))).toBeNull();
    expect(shorten(Array(SHORT_LINES).fill("regel").join("\n"))).toBeNull();
  });

  it("cuts a long text at a word and marks the cut", () => {
    const text = "huur ".repeat(2000);
    const short = shorten(text) ?? "";
    expect(short.length).toBeGreaterThan(SHORT_CHARS * 0.8);
    expect(short.length).toBeLessThanOrEqual(SHORT_CHARS + 1);
    expect(short.endsWith("huur…")).toBe(true);
  });

  it("cuts a text without spaces at the limit", () => {
    const short = shorten("x".repeat(10_000));
    expect(short).toBe(`${"x".repeat(SHORT_CHARS)}…`);
  });

  it("keeps only the first lines of a text with many short lines", () => {
    const text = Array.from({ length: 50 }, (_, i) => `regel ${i}`).join("\n");
    expect(shorten(text)).toBe(
      `${Array.from({ length: SHORT_LINES }, (_, i) => `regel ${i}`).join("\n")}…`,
    );
  });
});
