import type { LanguageCode } from "../bindings";
import { en } from "./en";
import { nlBE, type MessageKey } from "./nl-BE";
import { translate, type Catalog, type Params } from "./translate";

export type { MessageKey };

export const catalogs: Record<LanguageCode, Catalog> = { "nl-BE": nlBE, en };
export const languages: LanguageCode[] = ["nl-BE", "en"];

let current = $state<LanguageCode>("nl-BE");

/** The language the UI speaks now. */
export function locale(): LanguageCode {
  return current;
}

/** Switch the UI language (the caller persists the choice). */
export function setLocale(language: LanguageCode): void {
  current = language;
  document.documentElement.lang = language;
}

/** The text for `key` in the current language; reactive in templates. */
export function t(key: MessageKey, params?: Params): string {
  return translate(catalogs[current], key, params);
}

/** The text for a key built at run time (e.g. `theme.<slug>`), or `fallback` when unknown. */
export function tOr(key: string, fallback: string, params?: Params): string {
  const catalog = catalogs[current];
  return key in catalog ? translate(catalog, key as MessageKey, params) : fallback;
}
