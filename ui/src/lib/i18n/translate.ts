import type { nlBE } from "./nl-BE";

/**
 * The forms of a message that counts something, by CLDR plural category (`Intl.PluralRules`):
 * Dutch and English both have `one` (1) and `other` (0, 2, 1.5, ...).
 */
export type PluralForms = { readonly one: string; readonly other: string };

type Reference = typeof nlBE;

/** Keys of plain messages (`t`). */
export type MessageKey = {
  [K in keyof Reference]: Reference[K] extends string ? K : never;
}[keyof Reference];

/** Keys of messages that count something (`tn`): each has every plural form. */
export type PluralKey = {
  [K in keyof Reference]: Reference[K] extends string ? never : K;
}[keyof Reference];

/**
 * A language's catalog: every key of the reference catalog, with the same shape (a plural key
 * without one of its forms, or given as plain text, fails the type check).
 */
export type Catalog = {
  readonly [K in keyof Reference]: Reference[K] extends string ? string : PluralForms;
};

export type Params = Record<string, string | number>;

/** Fill `{name}` placeholders from `params`; unknown ones stay visible. */
function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Look `key` up in `catalog` and fill `{name}` placeholders from `params`. */
export function translate(catalog: Catalog, key: MessageKey, params?: Params): string {
  return fill(catalog[key], params);
}

const rules = new Map<string, Intl.PluralRules>();

/** The plural category of `count` in `locale` (`one` or `other` for nl-BE and en). */
export function pluralCategory(locale: string, count: number): Intl.LDMLPluralRule {
  let rule = rules.get(locale);
  if (!rule) {
    rule = new Intl.PluralRules(locale);
    rules.set(locale, rule);
  }
  return rule.select(count);
}

/**
 * The form of plural message `key` for `count` in `locale`, with `{count}` filled by
 * `shownCount` (the count as the UI writes it, e.g. 5.000) and other placeholders from `params`.
 */
export function translatePlural(
  catalog: Catalog,
  locale: string,
  key: PluralKey,
  count: number,
  shownCount: string,
  params?: Params,
): string {
  const forms = catalog[key];
  const category = pluralCategory(locale, count);
  const text = category === "one" ? forms.one : forms.other;
  return fill(text, { ...params, count: shownCount });
}
