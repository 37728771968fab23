// MemoryRelease: one full collection a short while after a large execution ends, none for small
// ones, none while other executions run, and one for several ends that come together.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRelease, fullCollection } from "../../../runtime/scheduler/memory-release.ts";

afterEach(() => vi.useRealTimers());

describe("MemoryRelease", () => {
  it("collects once after large executions end, only while nothing runs", () => {
    vi.useFakeTimers();
    let busy = false;
    const collect = vi.fn();
    const release = new MemoryRelease(5_000, 100, () => busy, collect);
    release.ended(4_999);
    vi.advanceTimersByTime(1_000);
    expect(collect).not.toHaveBeenCalled();

    release.ended(10_001);
    release.ended(20_000);
    vi.advanceTimersByTime(99);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);

    busy = true;
    release.ended(10_001);
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);

    busy = false;
    release.ended(10_001);
    release.stop();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it("reaches V8's full collection in this process", () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf("function");
    const before = process.memoryUsage().heapUsed;
    let garbage: number[][] | undefined = Array.from({ length: 200 }, () => Array.from({ length: 1_000 }, (_, i) => i));
    expect(garbage.length).toBe(200);
    garbage = undefined;
    gc!();
    expect(process.memoryUsage().heapUsed).toBeLessThan(before + 1_000_000);
  });
});
