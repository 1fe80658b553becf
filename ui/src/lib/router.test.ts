import { describe, expect, it } from "vitest";
import { href, parseRoute } from "./router.svelte";

describe("router", () => {
  it("reads screens from the hash", () => {
    expect(parseRoute("#/cases")).toEqual({ name: "cases" });
    expect(parseRoute("#/intake")).toEqual({ name: "intake" });
    expect(parseRoute("#/tasks")).toEqual({ name: "tasks" });
    expect(parseRoute("#/settings")).toEqual({ name: "settings" });
    expect(parseRoute("#/directory")).toEqual({ name: "directory" });
    expect(parseRoute("#/directory/housing")).toEqual({ name: "directory", first: "housing" });
    expect(parseRoute("#/case/abc-123")).toEqual({ name: "case", id: "abc-123" });
  });

  it("goes home for empty or unknown hashes", () => {
    expect(parseRoute("")).toEqual({ name: "home" });
    expect(parseRoute("#")).toEqual({ name: "home" });
    expect(parseRoute("#home")).toEqual({ name: "home" });
    expect(parseRoute("#/nonsense/1")).toEqual({ name: "home" });
    expect(parseRoute("#/case")).toEqual({ name: "cases" });
  });

  it("writes hashes that read back to the same route", () => {
    for (const route of [
      { name: "cases" },
      { name: "case", id: "a b/c" },
      { name: "home" },
      { name: "directory" },
      { name: "directory", first: "mijn thema" },
    ] as const) {
      expect(parseRoute(href(route))).toEqual(route);
    }
  });
});
