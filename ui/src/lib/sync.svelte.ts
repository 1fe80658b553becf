// Sync with the team at a glance: the status shown in the top bar, refreshed when the sync node
// reports something, and a way for screens to reload what they show when documents come in.

import { commands, events, type SyncStatusView } from "./bindings";

type Listener = (docIds: string[]) => void;

class Sync {
  status = $state<SyncStatusView | null>(null);
  /** Set when this device was told it is revoked (its team data is wiped). */
  revoked = $state(false);
  private listeners = new Set<Listener>();
  private started = false;

  /** Reload the status. */
  async refresh(): Promise<void> {
    const result = await commands.syncStatus();
    if (result.status === "ok") {
      this.status = result.data;
      if (result.data.revoked) this.revoked = true;
    }
  }

  /** Listen to the sync node (once) and refresh now and every few seconds. */
  async start(onRevoked: () => void): Promise<void> {
    if (this.started) return;
    this.started = true;
    await events.syncPush.listen((event) => {
      const push = event.payload;
      if (push.kind === "revoked") {
        this.revoked = true;
        onRevoked();
      } else if (push.kind === "changed") {
        for (const listener of this.listeners) listener(push.docIds);
      }
      void this.refresh();
    });
    await this.refresh();
    // "Last synced" and unsent counts also change without an event (a local edit).
    setInterval(() => void this.refresh(), 3000);
  }

  /** Call `listener` with the ids of documents that came in by sync (empty: maybe many).
   * Returns the function that stops listening. A property, so that it can be handed on as is
   * (`loaded.follow(sync.onChanged)`). */
  onChanged = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export const sync = new Sync();

/** Whether a change concerns document `id` (an empty list means "possibly everything"). */
export function concerns(docIds: string[], id: string): boolean {
  return docIds.length === 0 || docIds.includes(id);
}
