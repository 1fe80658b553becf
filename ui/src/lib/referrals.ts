// The shared-secrecy gate's refusals, as the referral dialog shows them: each names the
// condition it concerns, next to the field it is about (the engine names the field).

import type { IpcError } from "./bindings";
import { problemMessage, type Translate } from "./errors";

/** Where in the dialog a refusal belongs. */
export type GateSpot =
  | "partner"
  | "consent"
  | "goal"
  | "disclose"
  | "summary"
  | "unbound"
  | "mission"
  | "reason"
  | "other";

/** The spot of a refusal and its message (Dutch in the UI's catalog). */
export function gateMessage(
  error: IpcError | null,
  tr: Translate,
): { spot: GateSpot; message: string } | null {
  if (!error || error.code !== "invalid" || !error.field) return null;
  const field = error.field;
  const problem = error.problem;
  switch (field) {
    case "partner":
      return { spot: "partner", message: tr("refer.error.partner") };
    case "consent":
      if (problem === "out_of_range")
        return { spot: "consent", message: tr("refer.error.consentOther") };
      if (problem === "not_allowed_now")
        return { spot: "consent", message: tr("refer.error.consentWithdrawn") };
      return { spot: "consent", message: tr("refer.error.consent") };
    case "consent_what":
    case "consent_date":
      return { spot: "consent", message: problemMessage(error, tr) };
    case "goal":
      return {
        spot: "goal",
        message: problem === "empty" ? tr("refer.error.goal") : problemMessage(error, tr),
      };
    case "disclose":
      return { spot: "disclose", message: tr("refer.error.disclose") };
    case "summary":
      return { spot: "summary", message: problemMessage(error, tr) };
    case "unbound_consent":
      return { spot: "unbound", message: tr("refer.error.unbound") };
    case "shared_mission":
      return { spot: "mission", message: tr("refer.error.mission") };
    case "reason":
      return { spot: "reason", message: tr("refer.error.reason") };
    default:
      if (field.startsWith("disclose_"))
        return { spot: "disclose", message: tr("refer.error.missing") };
      return { spot: "other", message: problemMessage(error, tr) };
  }
}
