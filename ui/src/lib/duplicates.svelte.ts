// The duplicate check before a case is made ("Nieuw dossier", "Dossier maken" at the front
// door): the clients already known under this name (or a close spelling) and birth year, asked
// once per name and birth date; after "make a new case anyway" the same name and birth date are
// not asked again.

import { commands, type SimilarClientView_Serialize } from "./bindings";

export class DuplicateCheck {
  /** The clients found for the name and birth date last asked about. */
  matches = $state<SimilarClientView_Serialize[] | null>(null);
  #askedFor = $state("");
  #confirmed = "";

  /** Whether the clients found should be shown (the name and birth date still as asked). */
  showing(name: string, birthDate: string | null): boolean {
    return this.matches !== null && this.#askedFor === key(name, birthDate);
  }

  /** Ask before saving: true when known clients are shown and the save should wait. */
  async ask(name: string, birthDate: string | null): Promise<boolean> {
    const asked = key(name, birthDate);
    if (!name.trim() || asked === this.#confirmed) return false;
    const found = await commands.similarClients(name, birthDate);
    if (found.status !== "ok" || found.data.length === 0) return false;
    this.matches = found.data;
    this.#askedFor = asked;
    return true;
  }

  /** The worker makes a new case anyway: do not ask again for this name and birth date. */
  confirm(name: string, birthDate: string | null) {
    this.#confirmed = key(name, birthDate);
    this.matches = null;
  }

  /** Forget what was found (the form was saved or closed). */
  reset() {
    this.matches = null;
    this.#confirmed = "";
  }
}

function key(name: string, birthDate: string | null): string {
  return `${name.trim()}|${birthDate ?? ""}`;
}
