import type { LanguageCode } from "../bindings";
import { en } from "./en";
import { formatCount } from "../format";
import { nlBE } from "./nl-BE";
import {
  translate,
  translatePlural,
  type Catalog,
  type MessageKey,
  type Params,
  type PluralKey,
} from "./translate";

export type { MessageKey, PluralKey };

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

/** The text of plural message `key` for `count` (written 5.000), in the current language. */
export function tn(key: PluralKey, count: number, params?: Params): string {
  return translatePlural(catalogs[current], current, key, count, formatCount(count), params);
}

/** The text for a key built at run time (e.g. `theme.<slug>`), or `fallback` when unknown. */
export function tOr(key: string, fallback: string, params?: Params): string {
  const catalog = catalogs[current];
  return key in catalog && typeof catalog[key as keyof Catalog] === "string"
    ? translate(catalog, key as MessageKey, params)
    : fallback;
}
