import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { debounce, journalDraftKey } from "./debounce";

describe("debounce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("saves a draft once typing pauses, with the last text", () => {
    const save = vi.fn();
    const saveDraft = debounce((key: string, text: string) => save(key, text), 400);
    saveDraft(journalDraftKey("c1"), "H");
    vi.advanceTimersByTime(200);
    saveDraft(journalDraftKey("c1"), "Huis");
    vi.advanceTimersByTime(399);
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(save).toHaveBeenCalledExactlyOnceWith("journal.c1", "Huis");
  });

  it("flushes a pending call at once and cancels it on request", () => {
    const fn = vi.fn();
    const d = debounce(fn, 120);
    d("a");
    d.flush();
    expect(fn).toHaveBeenCalledExactlyOnceWith("a");
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
    d("b");
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
