import { afterEach, describe, expect, it } from "vitest";
import { figuresText, importLinePlace, importLineProblem, importedText, listOf } from "./directory";
import { setLocale } from "./i18n/index.svelte";

// The locale is set on the page's root element; the tests run without a page.
globalThis.document ??= { documentElement: {} } as Document;
afterEach(() => setLocale("nl-BE"));

const none = { sent: 0, acceptedShare: null, medianDaysToFirstContact: null };

describe("a partner's figures", () => {
  it("say there are none yet", () => {
    setLocale("nl-BE");
    expect(figuresText(none)).toBe("Nog geen doorverwijzingen");
    setLocale("en");
    expect(figuresText(none)).toBe("No referrals yet");
  });

  it("count, give the accepted share and the median days with plural forms", () => {
    setLocale("nl-BE");
    const text = figuresText({ sent: 12, acceptedShare: 0.75, medianDaysToFirstContact: 2 });
    // Intl writes a narrow no-break space before the % sign in Dutch.
    expect(text.replace(/\s/g, " ")).toBe(
      "12 doorverwezen, 75 % aanvaard, eerste contact na mediaan 2 dagen",
    );
    expect(figuresText({ sent: 1, acceptedShare: 1, medianDaysToFirstContact: 1 })).toContain(
      "mediaan 1 dag",
    );
    expect(figuresText({ sent: 3, acceptedShare: 0.5, medianDaysToFirstContact: 1.5 })).toContain(
      "mediaan 1,5 dagen",
    );
    expect(figuresText({ sent: 2, acceptedShare: null, medianDaysToFirstContact: null })).toBe(
      "2 doorverwezen, nog geen antwoord, nog geen eerste contact",
    );
    setLocale("en");
    expect(figuresText({ sent: 1, acceptedShare: 1, medianDaysToFirstContact: 1 })).toBe(
      "1 referral, 100% accepted, first contact after a median of 1 day",
    );
    expect(figuresText({ sent: 4, acceptedShare: 0.25, medianDaysToFirstContact: 0.96 })).toBe(
      "4 referrals, 25% accepted, first contact after a median of 1 day",
    );
  });
});

describe("an import", () => {
  it("says what it did", () => {
    expect(importedText({ added: 1, updated: 0, unchanged: 0 })).toBe("1 partner toegevoegd");
    expect(importedText({ added: 3, updated: 2, unchanged: 1 })).toBe(
      "3 partners toegevoegd, 2 bijgewerkt, 1 ongewijzigd",
    );
  });

  it("names the line and column of what is wrong, in words", () => {
    const line = {
      line: 7,
      column: "email",
      problem: "not_an_email" as const,
      max: null,
      value: null,
    };
    expect(importLinePlace(line)).toBe("Regel 7, kolom email");
    expect(importLineProblem(line)).toContain("geen e-mailadres");
    expect(importLinePlace({ ...line, column: "" })).toBe("Regel 7");
    expect(
      importLineProblem({ ...line, column: "themas", problem: "unknown_theme", value: "astro" }),
    ).toBe("Dit thema kent je team niet: astro.");
    expect(importLineProblem({ ...line, problem: "duplicate", value: "3" })).toBe(
      "Deze naam staat al op regel 3.",
    );
    expect(importLineProblem({ ...line, problem: "too_long", max: 200 })).toContain("200");
  });
});

describe("a typed list", () => {
  it("is split by lines or semicolons", () => {
    expect(listOf(" onthaal\n\ncrisishulp ; budget;")).toEqual(["onthaal", "crisishulp", "budget"]);
  });
});
