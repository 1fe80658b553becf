import { describe, expect, it } from "vitest";
import { formatMoment } from "./history";

describe("formatMoment", () => {
  it("shows a moment as dd/mm/yyyy HH:MM in local time", () => {
    const ms = new Date(2026, 2, 12, 9, 5).getTime();
    expect(formatMoment(ms)).toBe("12/03/2026 09:05");
  });
  it("shows nothing for an unknown moment", () => {
    expect(formatMoment(null)).toBe("");
    expect(formatMoment(Number.NaN)).toBe("");
  });
});
