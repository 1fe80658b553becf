import type { MessageKey } from "./nl-BE";

export type Catalog = Record<MessageKey, string>;
export type Params = Record<string, string | number>;

/** Look `key` up in `catalog` and fill `{name}` placeholders from `params`. */
export function translate(catalog: Catalog, key: MessageKey, params?: Params): string {
  const text = catalog[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
