// Keyboard shortcuts, the same on every screen:
//   Ctrl+N          new entry (journal entry in a case file, new case in the caseload, new
//                   question or signal at the front door)
//   Ctrl+F or /     search (the caseload's search, or the client search at the front door)
//   Ctrl+S, Ctrl+Enter  save the form being filled in
//   Alt+1 … Alt+7   the menu's screens, in order
// The screens are not changed for this: the targets are found by the elements they already have.

import { navigate, route, type Route } from "./router.svelte";

export type Shortcut =
  { kind: "new" } | { kind: "search" } | { kind: "save" } | { kind: "menu"; index: number };

/** The parts of a key press a shortcut depends on. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The menu's screens, in the order of the menu (Alt+1 is the first). */
export const menuRoutes: Route[] = [
  { name: "home" },
  { name: "intake" },
  { name: "cases" },
  { name: "tasks" },
  { name: "referrals" },
  { name: "directory" },
  { name: "settings" },
];

/** The shortcut a key press stands for, or null. `typing`: the focus is in a text field. */
export function shortcutFor(press: KeyPress, typing: boolean): Shortcut | null {
  const command = (press.ctrlKey || press.metaKey) && !press.altKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (command && !press.shiftKey && key === "n") return { kind: "new" };
  if (command && !press.shiftKey && key === "f") return { kind: "search" };
  if (command && !press.shiftKey && (key === "s" || key === "Enter")) return { kind: "save" };
  if (!command && !press.altKey && !typing && key === "/") return { kind: "search" };
  if (press.altKey && !press.ctrlKey && !press.metaKey && /^[1-9]$/.test(key)) {
    const index = Number(key) - 1;
    if (index < menuRoutes.length) return { kind: "menu", index };
  }
  return null;
}

/** What to activate for "new" and "search" on each screen: the first that exists; then, if
 * given, the field to put the focus in once it appears. */
const targets: Partial<Record<Route["name"], { new?: string[]; search?: string; then?: string }>> =
  {
    case: { new: ["[data-testid=journal-new]", "[data-testid=journal-text]"] },
    cases: { new: ["[data-testid=new-case]"], search: "[data-testid=case-search]" },
    intake: { new: ["[data-testid=intake-text]"], search: "[data-testid=client-search-name]" },
    directory: { new: ["[data-testid=partner-new]"], search: "[data-testid=directory-search]" },
  };

const afterNew: Partial<Record<Route["name"], string>> = {
  case: "[data-testid=journal-text]",
  cases: "[data-testid=new-case-name]",
  directory: "[data-testid=partner-name]",
};

function isTyping(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement)
    return !["checkbox", "radio", "button", "submit"].includes(element.type);
  return element instanceof HTMLElement && element.isContentEditable;
}

/** Focus (or click, for a button or link) the element; whether there was one. */
function activate(selector: string): boolean {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) return false;
  if (element instanceof HTMLButtonElement || element instanceof HTMLAnchorElement) element.click();
  else element.focus();
  return true;
}

/** Focus `selector` as soon as it appears (a form or dialog opening), for at most a second. */
function focusWhenThere(selector: string): void {
  const until = Date.now() + 1000;
  const attempt = () => {
    const element = document.querySelector<HTMLElement>(selector);
    if (element) element.focus();
    else if (Date.now() < until) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

function newEntry(): void {
  const here = route().name;
  const found = (targets[here]?.new ?? []).some(activate);
  const then = afterNew[here];
  if (found && then) focusWhenThere(then);
}

function search(): void {
  const selector = targets[route().name]?.search;
  if (selector && activate(selector)) return;
  // No search on this screen: the caseload's.
  navigate({ name: "cases" });
  focusWhenThere("[data-testid=case-search]");
}

function save(): void {
  const form = document.activeElement?.closest("form");
  form?.requestSubmit();
}

/** The window's keydown handler. */
export function onShortcut(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.isComposing) return;
  const shortcut = shortcutFor(event, isTyping(document.activeElement));
  if (!shortcut) return;
  // Saving only means something inside a form; elsewhere Ctrl+Enter keeps its own meaning.
  if (shortcut.kind === "save" && !document.activeElement?.closest("form")) {
    if (event.key.toLowerCase() === "s") event.preventDefault();
    return;
  }
  event.preventDefault();
  switch (shortcut.kind) {
    case "new":
      return newEntry();
    case "search":
      return search();
    case "save":
      return save();
    case "menu": {
      const to = menuRoutes[shortcut.index];
      if (to) navigate(to);
      return;
    }
  }
}
