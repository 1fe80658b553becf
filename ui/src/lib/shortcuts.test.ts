import { describe, expect, it } from "vitest";
import { shortcutFor, type KeyPress } from "./shortcuts";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe("shortcutFor", () => {
  it("knows new, search and save with Ctrl", () => {
    expect(shortcutFor(press("n", { ctrlKey: true }), false)).toEqual({ kind: "new" });
    expect(shortcutFor(press("N", { ctrlKey: true }), true)).toEqual({ kind: "new" });
    expect(shortcutFor(press("f", { ctrlKey: true }), true)).toEqual({ kind: "search" });
    expect(shortcutFor(press("s", { ctrlKey: true }), true)).toEqual({ kind: "save" });
    expect(shortcutFor(press("Enter", { ctrlKey: true }), true)).toEqual({ kind: "save" });
  });

  it("takes / as search only outside text fields", () => {
    expect(shortcutFor(press("/"), false)).toEqual({ kind: "search" });
    expect(shortcutFor(press("/"), true)).toBeNull();
  });

  it("goes to the menu's screens with Alt and a digit", () => {
    expect(shortcutFor(press("1", { altKey: true }), false)).toEqual({ kind: "menu", index: 0 });
    expect(shortcutFor(press("5", { altKey: true }), true)).toEqual({ kind: "menu", index: 4 });
    expect(shortcutFor(press("7", { altKey: true }), false)).toEqual({ kind: "menu", index: 6 });
    expect(shortcutFor(press("8", { altKey: true }), false)).toBeNull();
  });

  it("leaves ordinary typing alone", () => {
    expect(shortcutFor(press("n"), false)).toBeNull();
    expect(shortcutFor(press("Enter"), true)).toBeNull();
    expect(shortcutFor(press("n", { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(shortcutFor(press("s", { ctrlKey: true, altKey: true }), true)).toBeNull();
  });
});
