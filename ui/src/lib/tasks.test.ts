import { describe, expect, it } from "vitest";
import { groupByDue } from "./tasks";

describe("groupByDue", () => {
  it("puts overdue first, then today, this week (Monday-first), later, no date", () => {
    const monday = "2026-11-23";
    const tasks = [
      { title: "later", due: "2026-12-01" },
      { title: "none", due: null },
      { title: "week", due: "2026-11-29" },
      { title: "today", due: monday },
      { title: "overdue", due: "2026-11-22" },
      { title: "overdue2", due: "2026-01-01" },
    ];
    const groups = groupByDue(tasks, monday);
    expect(groups.map((g) => g.group)).toEqual(["overdue", "today", "week", "later", "none"]);
    expect(groups[0]?.tasks.map((t) => t.title)).toEqual(["overdue", "overdue2"]);
  });

  it("leaves out empty groups", () => {
    expect(groupByDue([{ due: null }], "2026-11-23").map((g) => g.group)).toEqual(["none"]);
    expect(groupByDue([], "2026-11-23")).toEqual([]);
  });
});
