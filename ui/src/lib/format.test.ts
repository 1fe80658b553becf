import { describe, expect, it } from "vitest";
import {
  addDays,
  age,
  dueGroup,
  formatCount,
  formatDate,
  formatMoney,
  nowMinute,
  parseDate,
  weekStart,
  storedDate,
  editableDate,
} from "./format";

describe("Belgian formats", () => {
  it("shows dates as dd/mm/yyyy and times in 24 hours", () => {
    expect(formatDate("2026-03-07")).toBe("07/03/2026");
    expect(formatDate("2026-03-07T18:05")).toBe("07/03/2026 18:05");
    expect(formatDate("")).toBe("");
    expect(formatDate("gisteren")).toBe("gisteren");
  });

  it("reads typed dates and rejects impossible ones", () => {
    expect(parseDate("7/3/2026")).toBe("2026-03-07");
    expect(parseDate("29.02.2024")).toBe("2024-02-29");
    expect(parseDate("29/02/2025")).toBeNull();
    expect(parseDate("2026-03-07")).toBeNull();
  });

  it("reads a typed dd/mm/jjjj date, a future one too (the engine judges it)", () => {
    expect(parseDate("09/09/2031")).toBe("2031-09-09");
    expect(storedDate("09/09/2031")).toBe("2031-09-09");
    expect(storedDate(" 9-9-2031 ")).toBe("2031-09-09");
    expect(storedDate("09/09/2031 14:30")).toBe("2031-09-09T14:30");
    expect(parseDate("31/09/2031")).toBeNull();
    expect(storedDate("31/09/2031")).toBe("31/09/2031");
  });

  it("gives a person's age in whole years", () => {
    expect(age("1958-03-14", "2026-11-29")).toBe(68);
    expect(age("1958-11-29", "2026-11-29")).toBe(68);
    expect(age("1958-11-30", "2026-11-29")).toBe(67);
    expect(age("2026-11-29", "2026-11-29")).toBe(0);
    expect(age("2024-02-29", "2025-02-28")).toBe(0);
    expect(age("2024-02-29", "2025-03-01")).toBe(1);
    expect(age("2031-09-09", "2026-11-29")).toBeNull();
    expect(age(null, "2026-11-29")).toBeNull();
    expect(age("onbekend", "2026-11-29")).toBeNull();
  });

  it("writes money as EUR 1.234,50", () => {
    expect(formatMoney(123450)).toBe("EUR 1.234,50");
    expect(formatMoney(5)).toBe("EUR 0,05");
    expect(formatMoney(-100000000)).toBe("-EUR 1.000.000,00");
    expect(formatCount(5000)).toBe("5.000");
  });

  it("starts weeks on Monday", () => {
    expect(weekStart("2026-11-22")).toBe("2026-11-16"); // a Sunday belongs to the week before
    expect(weekStart("2026-11-23")).toBe("2026-11-23"); // a Monday starts its own week
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("groups due dates: overdue, today, this week, later", () => {
    const monday = "2026-11-23";
    expect(dueGroup("2026-11-22", monday)).toBe("overdue");
    expect(dueGroup(monday, monday)).toBe("today");
    expect(dueGroup("2026-11-29", monday)).toBe("week");
    expect(dueGroup("2026-11-30", monday)).toBe("later");
    expect(dueGroup(null, monday)).toBe("none");
  });

  it("gives the current minute for journal defaults", () => {
    expect(nowMinute(new Date(2026, 10, 22, 9, 5))).toBe("2026-11-22T09:05");
  });
});

describe("editing dates", () => {
  it("reads dd/mm/yyyy with an optional 24-hour time", () => {
    expect(storedDate("22/11/2026 09:05")).toBe("2026-11-22T09:05");
    expect(storedDate(" 7/3/2026 ")).toBe("2026-03-07");
    expect(storedDate("7/3/2026 18.30")).toBe("2026-03-07T18:30");
    expect(storedDate("31/02/2026")).toBe("31/02/2026");
    expect(storedDate("22/11/2026 25:00")).toBe("22/11/2026 25:00");
    expect(storedDate("")).toBe("");
    expect(editableDate("2026-11-22T09:05")).toBe("22/11/2026 09:05");
  });
});
