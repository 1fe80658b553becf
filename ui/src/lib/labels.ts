// Translated labels for the codes the engine stores (themes, sources, kinds, statuses, ...).

import { tOr } from "./i18n/index.svelte";

/** A theme: the default slugs are translated, a team's own themes keep their label. */
export function themeLabel(slug: string, label?: string): string {
  return tOr(`theme.${slug}`, label ?? slug);
}

/** A code of a known kind (`source`, `urgency`, `kind`, `role`, `qstatus`, `istatus`, `status`). */
export function codeLabel(kind: string, code: string): string {
  return tOr(`${kind}.${code}`, code);
}
