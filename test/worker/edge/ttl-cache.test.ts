/** The Worker's small cache (src/edge/ttl-cache.ts), alone, on a clock of the test's. */
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../../src/edge/ttl-cache";

function cacheOn(opts: { maxEntries?: number } = {}) {
  const clock = { now: 0 };
  const cache = new TtlCache<string, string | undefined>({
    ttlMs: (v) => (v === undefined ? 10 : 60),
    maxEntries: opts.maxEntries ?? 100,
    now: () => clock.now,
  });
  const loads: string[] = [];
  const get = (key: string, found = true) =>
    cache.get(key, async () => {
      loads.push(key);
      return found ? `value of ${key}` : undefined;
    });
  return { clock, get, loads };
}

describe("the edge's cache", () => {
  it("looks a key up once for its time to live, calls at once waiting for the first one's answer", async () => {
    const c = cacheOn();
    expect(await Promise.all([c.get("a"), c.get("a"), c.get("a")])).toEqual(["value of a", "value of a", "value of a"]);
    expect(c.loads).toEqual(["a"]);
    c.clock.now = 59;
    expect(await c.get("a")).toBe("value of a");
    expect(c.loads).toEqual(["a"]);
    c.clock.now = 60;
    await c.get("a");
    expect(c.loads).toEqual(["a", "a"]);
  });

  it("keeps a missing key too, for its own shorter time", async () => {
    const c = cacheOn();
    expect(await c.get("nope", false)).toBeUndefined();
    c.clock.now = 9;
    await c.get("nope", false);
    expect(c.loads).toEqual(["nope"]);
    c.clock.now = 10;
    await c.get("nope", false);
    expect(c.loads).toEqual(["nope", "nope"]);
  });

  it("does not keep a lookup that failed", async () => {
    const c = cacheOn();
    const cache = new TtlCache<string, string>({ ttlMs: () => 60, maxEntries: 10, now: () => c.clock.now });
    await expect(cache.get("a", async () => Promise.reject(new Error("D1 is down")))).rejects.toThrow("D1 is down");
    expect(await cache.get("a", async () => "back")).toBe("back");
  });

  it("forgets its oldest keys past its size, so made-up keys cannot fill the isolate's memory", async () => {
    const c = cacheOn({ maxEntries: 2 });
    await c.get("a");
    await c.get("b");
    await c.get("c");
    await c.get("c");
    await c.get("b");
    expect(c.loads).toEqual(["a", "b", "c"]);
    await c.get("a");
    expect(c.loads).toEqual(["a", "b", "c", "a"]);
  });

  it("regression: never hands one request's lookup under way to another; a call whose first caller went away looks the key up itself", async () => {
    // The first caller's lookup never ends (its request was cancelled: in Workers its I/O dies
    // with it). Before, every call at once awaited that one promise and hung with it.
    const cache = new TtlCache<string, string>({ ttlMs: () => 60_000, maxEntries: 10, waitMs: 20, pollMs: 1 });
    const stuck = new Promise<string>(() => {});
    const first = cache.get("a", () => stuck);
    let secondLoads = 0;
    const second = cache.get("a", async () => {
      secondLoads += 1;
      return "looked up again";
    });
    expect(second).not.toBe(first);
    expect(await second).toBe("looked up again");
    expect(secondLoads).toBe(1);
    // Its answer is what the key holds now.
    expect(await cache.get("a", async () => "never asked")).toBe("looked up again");
  });

  it("does not keep an answer looked up while the key was forgotten", async () => {
    const cache = new TtlCache<string, string>({ ttlMs: () => 60_000, maxEntries: 10 });
    let release: (v: string) => void = () => {};
    const old = cache.get("a", () => new Promise<string>((r) => (release = r)));
    cache.forget((k) => k === "a");
    release("before the write");
    expect(await old).toBe("before the write");
    expect(await cache.get("a", async () => "after the write")).toBe("after the write");
  });
});
