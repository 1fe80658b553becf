import { describe, expect, it } from "vitest";
import { en } from "./en";
import { nlBE } from "./nl-BE";
import {
  translate,
  translatePlural,
  type Catalog,
  type MessageKey,
  type PluralKey,
} from "./translate";

const keys = Object.keys(nlBE) as (keyof typeof nlBE)[];
const pluralKeys = keys.filter((k) => typeof nlBE[k] !== "string") as PluralKey[];
const catalogs: [string, Catalog][] = [
  ["nl-BE", nlBE],
  ["en", en],
];

/** Every text of an entry (a plain message, or each plural form). */
function texts(entry: string | { one: string; other: string }): string[] {
  return typeof entry === "string" ? [entry] : [entry.one, entry.other];
}

describe("message catalogs", () => {
  it("have exactly the same keys in nl-BE and en", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nlBE).sort());
  });

  it("have no empty messages", () => {
    for (const [, catalog] of catalogs) {
      for (const [key, entry] of Object.entries(catalog)) {
        for (const text of texts(entry)) expect(text.trim(), key).not.toBe("");
      }
    }
  });

  it("use the same placeholders in both languages", () => {
    const names = (entry: string | { one: string; other: string }) =>
      [...new Set(texts(entry).flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))]
        .filter((n) => n !== undefined)
        .sort();
    for (const key of keys) {
      expect(names(en[key]), key).toEqual(names(nlBE[key]));
    }
  });
});

describe("plural messages", () => {
  it("are used for every message that shows a count", () => {
    for (const [, catalog] of catalogs) {
      for (const [key, entry] of Object.entries(catalog)) {
        if (typeof entry === "string") expect(entry, key).not.toContain("{count}");
      }
    }
    expect(pluralKeys).toContain("cases.count");
  });

  it("have a form for every plural category of each language", () => {
    for (const [locale, catalog] of catalogs) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const key of pluralKeys) {
        expect(Object.keys(catalog[key]).sort(), `${locale} ${key}`).toEqual(
          [...categories].sort(),
        );
      }
    }
  });

  it("say 0, 1 and 2 rightly in Dutch", () => {
    const nl = (key: PluralKey, n: number) => translatePlural(nlBE, "nl-BE", key, n, String(n));
    expect([0, 1, 2].map((n) => nl("cases.count", n))).toEqual([
      "0 dossiers",
      "1 dossier",
      "2 dossiers",
    ]);
    expect([0, 1, 2].map((n) => nl("cases.hits", n))).toEqual([
      "0 treffers",
      "1 treffer",
      "2 treffers",
    ]);
    expect(nl("sync.onlineWith", 1)).toBe("Verbonden met 1 toestel van je team");
    expect(nl("sync.onlineWith", 2)).toBe("Verbonden met 2 toestellen van je team");
    expect(nl("sync.unsent", 1)).toBe("1 wijziging nog niet verstuurd");
    expect(nl("sync.unsent", 0)).toBe("0 wijzigingen nog niet verstuurd");
  });

  it("say 0, 1 and 2 rightly in English", () => {
    const say = (key: PluralKey, n: number) => translatePlural(en, "en", key, n, String(n));
    expect([0, 1, 2].map((n) => say("cases.count", n))).toEqual(["0 cases", "1 case", "2 cases"]);
    expect([0, 1, 2].map((n) => say("cases.hits", n))).toEqual([
      "0 matches",
      "1 match",
      "2 matches",
    ]);
    expect(say("sync.onlineWith", 1)).toBe("Connected to 1 device of your team");
    expect(say("sync.unsent", 2)).toBe("2 changes not sent yet");
  });

  it("write the count as the UI does and keep other placeholders", () => {
    expect(translatePlural(nlBE, "nl-BE", "cases.count", 5003, "5.003")).toBe("5.003 dossiers");
  });

  it("cannot leave out a form (a type error)", () => {
    // @ts-expect-error: the `one` form is missing.
    const broken: Catalog = { ...en, "cases.count": { other: "{count} cases" } };
    expect(broken).toBeDefined();
    // @ts-expect-error: a counting message given as plain text.
    const plain: Catalog = { ...en, "cases.hits": "{count} matches" };
    expect(plain).toBeDefined();
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    const catalog: Catalog = { ...nlBE, "home.title": "Hallo {name}, {missing}" };
    expect(translate(catalog, "home.title", { name: "An" })).toBe("Hallo An, {missing}");
  });

  it("returns the catalog text as is without params", () => {
    const key: MessageKey = "store.caseCount";
    expect(translate(nlBE, key)).toBe("Aantal dossiers");
    expect(translate(en, key)).toBe("Number of cases");
  });
});
