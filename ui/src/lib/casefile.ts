// Every case mutation answers with the updated case file; sections share one way to apply it.

import type { CaseView_Serialize, IpcError } from "./bindings";

export type CaseResult =
  { status: "ok"; data: CaseView_Serialize } | { status: "error"; error: IpcError };

/** Run a mutation: on success the case file is replaced, on failure the error is returned. */
export type Run = (call: Promise<CaseResult>) => Promise<IpcError | null>;
