// What a screen shows, loaded from the engine: the data or the error, reloaded when a teammate's
// change comes in by sync, and never overwritten by an answer older than the newest question
// (a slow first load must not replace what a later load, or a save, already showed).

import type { IpcError } from "./bindings";

/** An engine call's answer, as tauri-specta's commands return it. */
export type Answer<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/** Sync's subscription: calls its listener with the ids of documents that came in (empty:
 * possibly many); returns the function that stops listening. */
export type OnChanged = (listener: (docIds: string[]) => void) => () => void;

export class Loaded<T> {
  /** The newest data (kept while a reload runs, so the screen does not flash). */
  data = $state<T | null>(null);
  /** Why the newest load failed; `null` after a load or a save that succeeded. */
  error = $state<IpcError | null>(null);
  /** The number of the newest question asked; answers to older ones are dropped. */
  #asked = 0;

  constructor(private readonly fetch: () => Promise<Answer<T>>) {}

  /** Whether nothing is shown yet: no data and no error. */
  get pending(): boolean {
    return this.data === null && this.error === null;
  }

  /** Load now; an answer that comes after a newer load or save was started is dropped. */
  async load(): Promise<void> {
    const question = ++this.#asked;
    const answer = await this.fetch();
    if (question !== this.#asked) return;
    if (answer.status === "ok") {
      this.data = answer.data;
      this.error = null;
    } else this.error = answer.error;
  }

  /** Fetch more (the next page) and `merge` it into what is shown; dropped when a newer load,
   * save or clear started meanwhile. */
  async extend<U>(fetch: () => Promise<Answer<U>>, merge: (data: T, more: U) => T): Promise<void> {
    const question = this.#asked;
    if (this.data === null) return;
    const answer = await fetch();
    if (question !== this.#asked || this.data === null) return;
    if (answer.status === "ok") this.data = merge(this.data, answer.data);
    else this.error = answer.error;
  }

  /** Show nothing (and drop every answer still under way). */
  clear(): void {
    this.#asked++;
    this.data = null;
    this.error = null;
  }

  /** Show what a save answered (newer than any load still under way). */
  set(data: T): void {
    this.#asked++;
    this.data = data;
    this.error = null;
  }

  /** Load now and whenever sync brings documents that `concerns` this screen (every change
   * when omitted); returns the function that stops following, for `onMount`. */
  follow(onChanged: OnChanged, concerns: (docIds: string[]) => boolean = () => true): () => void {
    void this.load();
    return onChanged((docIds) => {
      if (concerns(docIds)) void this.load();
    });
  }
}
