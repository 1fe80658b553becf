// Validation errors from the commands name a field (as the engine names it, e.g. `client_name`)
// and a problem code. These helpers put the translated message next to the right field.

import type { IpcError } from "./bindings";
import type { MessageKey } from "./i18n/translate";

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** `client_name`, `clientName` and `ClientName` all name the same field. */
function normalise(field: string): string {
  return field.replace(/_/g, "").toLowerCase();
}

/** Whether `error` is a validation error on one of `fields`. */
export function isOnField(error: IpcError | null | undefined, fields: string | string[]): boolean {
  if (!error || error.code !== "invalid" || !error.field) return false;
  const wanted = (Array.isArray(fields) ? fields : [fields]).map(normalise);
  return wanted.includes(normalise(error.field));
}

/** The message for a validation problem, in the UI language. */
export function problemMessage(error: IpcError, tr: Translate): string {
  switch (error.problem) {
    case "empty":
      return tr("problem.empty");
    case "too_long":
      return tr("problem.too_long", { max: error.max ?? "?" });
    case "invalid_date":
      return tr("problem.invalid_date");
    case "out_of_range":
      return tr("problem.out_of_range");
    case "in_future":
      return tr("problem.in_future");
    case "not_a_year":
      return tr("problem.not_a_year");
    case "before_start":
      return tr("problem.before_start");
    case "not_found":
      return tr("problem.not_found");
    case "not_allowed_now":
      return tr("problem.not_allowed_now");
    case "needs_https":
      return tr("problem.needs_https");
    case "unconfirmed":
      return tr("problem.unconfirmed");
    case "not_an_email":
      return tr("problem.not_an_email");
    case "not_a_phone":
      return tr("problem.not_a_phone");
    case "not_a_web_address":
      return tr("problem.not_a_web_address");
    case "duplicate":
      return tr("problem.duplicate");
    case "missing_column":
      return tr("problem.missing_column");
    case "unknown_column":
      return tr("problem.unknown_column");
    case "repeated_column":
      return tr("problem.repeated_column");
    case "too_many_fields":
      return tr("problem.too_many_fields");
    case "unknown_theme":
      return tr("problem.unknown_theme");
    case "not_yes_no":
      return tr("problem.not_yes_no");
    default:
      return tr("error.invalid.body");
  }
}

/** The message to show next to `field`, or null when the error is not about it. */
export function fieldMessage(
  error: IpcError | null | undefined,
  fields: string | string[],
  tr: Translate,
): string | null {
  return error && isOnField(error, fields) ? problemMessage(error, tr) : null;
}

/** Whether an error needs a general panel (it is not shown next to one of the form's fields). */
export function needsPanel(error: IpcError | null | undefined, formFields: string[]): boolean {
  return !!error && !isOnField(error, formFields);
}
