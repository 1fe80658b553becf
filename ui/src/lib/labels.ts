// Translated labels for the codes the engine sends (sources, kinds, roles, statuses, ...), typed
// end to end: each label kind names its code type from the bindings, and every `kind.code` key
// must exist in the catalogs, so a new code without a label fails the type check (svelte-check,
// tsc), never shows up raw at run time.

import type {
  CaseStatusCode,
  ContactKindCode,
  DueWhenCode,
  GroundCode,
  OutcomeCode,
  QuestionStatusCode,
  RoleCode,
  SourceCode,
  StatusCode,
  StepCode,
  UrgencyCode,
} from "./bindings";
import { t, tOr } from "./i18n/index.svelte";
import type { MessageKey } from "./i18n/translate";

/** Each kind of label with the codes it translates (catalog key `kind.code`). */
export type CodeKinds = {
  status: CaseStatusCode;
  source: SourceCode;
  urgency: UrgencyCode;
  kind: ContactKindCode;
  role: RoleCode;
  qstatus: QuestionStatusCode;
  followup: DueWhenCode;
  rstatus: StatusCode;
  rstep: StepCode;
  outcome: OutcomeCode;
  ground: GroundCode;
};

export type CodeKind = keyof CodeKinds;

/** The catalog key of every code of every kind. */
export type CodeLabelKey = { [K in CodeKind]: `${K}.${CodeKinds[K]}` }[CodeKind];

/** The codes whose label is missing from the catalogs: must be `never`. */
type Unlabelled = Exclude<CodeLabelKey, MessageKey>;

/**
 * The compile-time check: when a code has no label, this is the missing key (e.g.
 * `"kind.email"`) and `true` does not fit it, so the build fails naming the key.
 */
export const everyCodeIsLabelled: [Unlabelled] extends [never] ? true : Unlabelled = true;

/**
 * Every code of every kind, at run time (for tests and checks of untyped text). A record, so a
 * code missing here or one the bindings do not know is a type error too.
 */
export const codes: { readonly [K in CodeKind]: Readonly<Record<CodeKinds[K], true>> } = {
  status: { open: true, closed: true },
  source: { volunteer: true, partner: true, citizen: true, the_person: true },
  urgency: { low: true, normal: true, high: true, urgent: true },
  kind: { visit: true, call: true, office: true, message: true, note: true },
  role: { client: true, partner: true, child: true, parent: true, other: true },
  qstatus: { open: true, in_progress: true, resolved: true, referred: true },
  followup: { overdue: true, today: true, week: true, later: true, none: true },
  rstatus: {
    sent: true,
    received: true,
    accepted: true,
    declined: true,
    planned: true,
    first_contact: true,
    closed: true,
    withdrawn: true,
  },
  rstep: {
    received: true,
    accepted: true,
    declined: true,
    appointment: true,
    first_contact: true,
    closed: true,
    withdrawn: true,
  },
  outcome: { helped: true, not_reached: true, no_longer_needed: true, referred_elsewhere: true },
  ground: { shared_secrecy: true, necessity: true, case_conference: true },
};

/** Whether `text` (e.g. an earlier value from a correction's history) is a code of `kind`. */
export function isCode<K extends CodeKind>(kind: K, text: string): text is CodeKinds[K] {
  return Object.prototype.hasOwnProperty.call(codes[kind], text);
}

/** A theme: the default slugs are translated, a team's own themes keep their label. */
export function themeLabel(slug: string, label?: string): string {
  return tOr(`theme.${slug}`, label ?? slug);
}

/** The label of a code of a known kind, in the current language. */
export function codeLabel<K extends CodeKind>(kind: K, code: CodeKinds[K]): string {
  // The key exists: `everyCodeIsLabelled` checks every `kind.code` against the catalog.
  return t(`${kind}.${code}` as CodeLabelKey);
}
