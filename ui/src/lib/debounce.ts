// Debounced calls, for instant search and for saving drafts while typing.

export type Debounced<A extends unknown[]> = {
  (...args: A): void;
  /** Run a pending call now. */
  flush(): void;
  /** Forget a pending call. */
  cancel(): void;
};

/** Call `fn` once `ms` have passed without a new call, with the last arguments. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const run = () => {
    timer = undefined;
    const args = pending;
    pending = undefined;
    if (args) fn(...args);
  };
  const debounced = (...args: A) => {
    pending = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    run();
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = undefined;
  };
  return debounced;
}

/** The draft key of a case's new journal entry. */
export function journalDraftKey(caseId: string): string {
  return `journal.${caseId}`;
}
