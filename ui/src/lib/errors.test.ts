import { describe, expect, it } from "vitest";
import type { IpcError } from "./bindings";
import { fieldMessage, isOnField, needsPanel, problemMessage } from "./errors";
import { en } from "./i18n/en";
import { nlBE } from "./i18n/nl-BE";
import { translate } from "./i18n/translate";
import type { Translate } from "./errors";

const nl: Translate = (key, params) => translate(nlBE, key, params);
const english: Translate = (key, params) => translate(en, key, params);

function invalid(field: string, problem: IpcError["problem"], max: number | null = null): IpcError {
  return { code: "invalid", message: "technical", field, problem, max };
}

describe("errors next to fields", () => {
  it("matches the engine's snake_case field to the form's field", () => {
    const error = invalid("client_name", "empty");
    expect(isOnField(error, "clientName")).toBe(true);
    expect(isOnField(error, ["birthDate", "client_name"])).toBe(true);
    expect(isOnField(error, "birthDate")).toBe(false);
    expect(isOnField({ ...error, code: "internal" }, "clientName")).toBe(false);
    expect(isOnField(null, "clientName")).toBe(false);
  });

  it("translates every problem code, with the maximum for too_long", () => {
    expect(problemMessage(invalid("text", "empty"), nl)).toBe(nlBE["problem.empty"]);
    expect(problemMessage(invalid("text", "too_long", 200), nl)).toContain("200");
    expect(problemMessage(invalid("text", "too_long", 200), english)).toContain("200");
    for (const problem of [
      "invalid_date",
      "out_of_range",
      "not_found",
      "not_allowed_now",
      "needs_https",
      "not_an_email",
      "not_a_phone",
      "not_a_web_address",
      "duplicate",
      "missing_column",
      "unknown_column",
      "repeated_column",
      "too_many_fields",
      "unknown_theme",
      "not_yes_no",
    ] as const) {
      expect(problemMessage(invalid("x", problem), nl)).toBe(nlBE[`problem.${problem}`]);
      expect(problemMessage(invalid("x", problem), english)).toBe(en[`problem.${problem}`]);
    }
  });

  it("says that a relay address needs https://", () => {
    expect(problemMessage(invalid("relay", "needs_https"), nl)).toBe(
      "Gebruik een adres dat begint met https://.",
    );
  });

  it("shows a message only next to the field it is about, else in a panel", () => {
    const error = invalid("due", "invalid_date");
    expect(fieldMessage(error, "due", nl)).toBe(nlBE["problem.invalid_date"]);
    expect(fieldMessage(error, "title", nl)).toBeNull();
    expect(needsPanel(error, ["title", "due"])).toBe(false);
    expect(needsPanel(error, ["title"])).toBe(true);
    expect(needsPanel({ ...error, code: "not_found", field: null }, ["due"])).toBe(true);
    expect(needsPanel(null, ["due"])).toBe(false);
  });
});
