/**
 * The order key and a fan's lane (src/lanes/key.ts): plain functions every part shares.
 */
import { describe, expect, it } from "vitest";
import { arrivalKey, drawKey, laneName, laneOf, parseLaneName, stampOf } from "../../../src/lanes/key";

const sorted = (keys: string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe("the order key", () => {
  it("sorts arrivals by stamp, then by fan id, however many digits the stamps have", () => {
    const keys = [
      arrivalKey(1_700_000_000_123, "usr_b"),
      arrivalKey(999, "usr_z"),
      arrivalKey(1_700_000_000_123, "usr_a"),
      arrivalKey(1_700_000_000_124, "usr_0"),
    ];
    expect(sorted(keys)).toEqual([keys[1], keys[2], keys[0], keys[3]]);
    expect(stampOf(keys[0] as string)).toBe(1_700_000_000_123);
  });

  it("puts every drawn key (#14's pre-queue) before every arrival, drawn keys by their hash", () => {
    const early = arrivalKey(0, "usr_a");
    const drawnHigh = drawKey("f".repeat(64), "usr_a");
    const drawnLow = drawKey(`0${"a".repeat(63)}`, "usr_b");
    expect(sorted([early, drawnHigh, drawnLow])).toEqual([drawnLow, drawnHigh, early]);
    expect(stampOf(drawnLow)).toBeUndefined();
    expect(() => drawKey("not-a-hash", "usr_a")).toThrow(/64 lowercase hex/);
  });
});

describe("a fan's lane", () => {
  it("is the same for the same show and fan, and another show spreads the fans differently", () => {
    expect(laneOf("show_a", "usr_1", 16)).toBe(laneOf("show_a", "usr_1", 16));
    expect(laneOf("show_a", "usr_1", 1)).toBe(0);
    const fans = Array.from({ length: 64 }, (_, i) => `usr_${i}`);
    expect(fans.map((f) => laneOf("show_a", f, 16))).not.toEqual(fans.map((f) => laneOf("show_b", f, 16)));
  });

  it.each([4, 16, 64, 256])("spreads 20,000 fans over %i lanes with no lane above 1.5/K of them", (lanes) => {
    const counts = new Array<number>(lanes).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const fanId = `usr_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
      counts[laneOf("show_rush", fanId, lanes)]! += 1;
    }
    expect(Math.max(...counts) / 20_000).toBeLessThan(1.5 / lanes);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it("names each lane object after its show and number, and reads the name back", () => {
    expect(laneName("show_x", 7)).toBe("show_x/lane/7");
    expect(parseLaneName("show_x/lane/7")).toEqual({ showId: "show_x", lane: 7 });
    expect(parseLaneName("show_x")).toBeUndefined();
  });
});
