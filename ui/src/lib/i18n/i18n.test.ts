import { describe, expect, it } from "vitest";
import { en } from "./en";
import { nlBE } from "./nl-BE";
import { translate } from "./translate";

describe("message catalogs", () => {
  it("have exactly the same keys in nl-BE and en", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nlBE).sort());
  });

  it("have no empty messages", () => {
    for (const catalog of [nlBE, en]) {
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), key).not.toBe("");
      }
    }
  });

  it("use the same placeholders in both languages", () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(nlBE) as (keyof typeof nlBE)[]) {
      expect(names(en[key]), key).toEqual(names(nlBE[key]));
    }
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    const catalog = { ...nlBE, "home.title": "Hallo {name}, {missing}" };
    expect(translate(catalog, "home.title", { name: "An" })).toBe("Hallo An, {missing}");
  });

  it("returns the catalog text as is without params", () => {
    expect(translate(nlBE, "store.caseCount")).toBe("Aantal dossiers");
    expect(translate(en, "store.caseCount")).toBe("Number of cases");
  });
});
