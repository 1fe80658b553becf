import { describe, expect, it } from "vitest";
import { Loaded, type Answer } from "./loaded.svelte";
import type { IpcError } from "./bindings";

/** A fetch whose answers the test releases one by one, in any order. */
function controlled<T>() {
  const pending: ((answer: Answer<T>) => void)[] = [];
  const fetch = () => new Promise<Answer<T>>((resolve) => pending.push(resolve));
  const answer = (question: number, with_: Answer<T>) => {
    const resolve = pending[question];
    if (!resolve) throw new Error(`question ${question} was not asked`);
    resolve(with_);
  };
  return { fetch, pending, answer };
}

const failure = { code: "internal", message: "kapot" } as unknown as IpcError;

describe("Loaded", () => {
  it("shows the data, then an error, then data again", async () => {
    const { fetch, answer } = controlled<string>();
    const loaded = new Loaded(fetch);
    expect(loaded.pending).toBe(true);
    const first = loaded.load();
    answer(0, { status: "ok", data: "een" });
    await first;
    expect(loaded.data).toBe("een");
    const second = loaded.load();
    answer(1, { status: "error", error: failure });
    await second;
    expect(loaded.error).toBe(failure);
    expect(loaded.data).toBe("een");
    const third = loaded.load();
    answer(2, { status: "ok", data: "drie" });
    await third;
    expect(loaded.error).toBeNull();
    expect(loaded.data).toBe("drie");
  });

  it("drops an answer older than the newest load", async () => {
    const { fetch, answer } = controlled<string>();
    const loaded = new Loaded(fetch);
    const slow = loaded.load();
    const fast = loaded.load();
    answer(1, { status: "ok", data: "nieuw" });
    await fast;
    answer(0, { status: "ok", data: "oud" });
    await slow;
    expect(loaded.data).toBe("nieuw");
  });

  it("drops a load's answer that comes after a save", async () => {
    const { fetch, answer } = controlled<string>();
    const loaded = new Loaded(fetch);
    const load = loaded.load();
    loaded.set("bewaard");
    answer(0, { status: "ok", data: "van voor het bewaren" });
    await load;
    expect(loaded.data).toBe("bewaard");
  });

  it("reloads only for changes that concern the screen, until stopped", async () => {
    const { fetch, pending } = controlled<string>();
    const loaded = new Loaded(fetch);
    const listeners = new Set<(ids: string[]) => void>();
    const emit = (ids: string[]) => listeners.forEach((l) => l(ids));
    const stop = loaded.follow(
      (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      (ids) => ids.includes("case-1"),
    );
    expect(pending.length).toBe(1);
    emit(["case-2"]);
    expect(pending.length).toBe(1);
    emit(["case-1"]);
    expect(pending.length).toBe(2);
    stop();
    expect(listeners.size).toBe(0);
  });

  it("adds a page unless a newer load started meanwhile", async () => {
    const { fetch, answer } = controlled<string[]>();
    const loaded = new Loaded(fetch);
    const first = loaded.load();
    answer(0, { status: "ok", data: ["a"] });
    await first;
    const more = controlled<string[]>();
    const extended = loaded.extend(more.fetch, (shown, page) => [...shown, ...page]);
    more.answer(0, { status: "ok", data: ["b"] });
    await extended;
    expect(loaded.data).toEqual(["a", "b"]);
    const late = loaded.extend(more.fetch, (shown, page) => [...shown, ...page]);
    loaded.clear();
    more.answer(1, { status: "ok", data: ["c"] });
    await late;
    expect(loaded.data).toBeNull();
  });
});
