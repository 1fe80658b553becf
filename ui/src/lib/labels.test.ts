import { describe, expect, it } from "vitest";
import { en } from "./i18n/en";
import { nlBE } from "./i18n/nl-BE";
import type { Catalog } from "./i18n/translate";
import { setLocale } from "./i18n/index.svelte";
import { codeLabel, codes, isCode, type CodeKind, type CodeLabelKey } from "./labels";

const catalogs: [string, Catalog][] = [
  ["nl-BE", nlBE],
  ["en", en],
];

/** Every `kind.code` key, from the run-time list of codes. */
function labelKeys(): CodeLabelKey[] {
  return (Object.keys(codes) as CodeKind[]).flatMap((kind) =>
    Object.keys(codes[kind]).map((code) => `${kind}.${code}` as CodeLabelKey),
  );
}

describe("code labels", () => {
  it("cover every code of every kind in both catalogs, as plain non-empty text", () => {
    const keys = labelKeys();
    for (const kind of Object.keys(codes) as CodeKind[]) {
      expect(Object.keys(codes[kind]).length, kind).toBeGreaterThanOrEqual(2);
    }
    for (const [language, catalog] of catalogs) {
      for (const key of keys) {
        const text: unknown = catalog[key];
        expect(typeof text, `${language}: ${key}`).toBe("string");
        expect((text as string).trim(), `${language}: ${key}`).not.toBe("");
      }
    }
  });

  it("translate a code in the current language, not as the raw code", () => {
    globalThis.document ??= { documentElement: {} } as Document;
    setLocale("nl-BE");
    expect(codeLabel("qstatus", "in_progress")).toBe("In behandeling");
    expect(codeLabel("source", "the_person")).toBe(nlBE["source.the_person"]);
    setLocale("en");
    expect(codeLabel("qstatus", "in_progress")).toBe(en["qstatus.in_progress"]);
    expect(codeLabel("kind", "visit")).not.toBe("visit");
    setLocale("nl-BE");
  });

  it("tell codes apart from other text", () => {
    expect(isCode("kind", "call")).toBe(true);
    expect(isCode("kind", "Telefoon")).toBe(false);
    expect(isCode("kind", "toString")).toBe(false);
    expect(isCode("role", "")).toBe(false);
  });
});
