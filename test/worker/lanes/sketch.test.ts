/**
 * Positions far back from the lanes' samples (src/lanes/sketch.ts): each lane samples its own
 * queue, the coordinator merges the samples, a lane reads a position from the merge. Whatever the
 * lanes, the sizes, the keys and the admissions since the lanes sampled, a position read from the
 * merge is within max(10, 1%) of the true number ahead, and exact near the head.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arrivalKey, laneOf } from "../../../src/lanes/key";
import { BUFFER_SIZE } from "../../../src/lanes/protocol";
import { estimateAhead, type LaneQueue, mergeSamples, sampleRanks } from "../../../src/lanes/sketch";

/** A show's waiting fans, spread over `lanes` lanes, after `admitted` of the first were admitted since the lanes sampled. */
function queues(keys: string[], lanes: number, admitted: number) {
  const byLane: string[][] = Array.from({ length: lanes }, () => []);
  for (const k of keys) byLane[laneOf("show_sketch", k, lanes)]?.push(k);
  const gone = new Set(keys.slice(0, admitted));
  const laneQueues: LaneQueue[] = byLane.map((q) => {
    const reported = q.slice(0, BUFFER_SIZE);
    const consumed = reported.filter((k) => gone.has(k)).length;
    return {
      head: reported.filter((k) => !gone.has(k)),
      sample: sampleRanks(BUFFER_SIZE, q.length).map((r) => [q[r] as string, r - consumed]),
      waiting: q.length - consumed,
    };
  });
  return { laneQueues, waiting: keys.slice(admitted) };
}

function keysOf(n: number, perMs: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    arrivalKey(1_800_000_000_000 + Math.floor(i / perMs), `usr_${crypto.randomUUID().slice(0, 13)}`),
  ).sort();
}

describe("positions from the lanes' samples", () => {
  it("samples every rank near the head, more sparsely further back, and always the last fan", () => {
    expect(sampleRanks(0, 5)).toEqual([0, 1, 2, 3, 4]);
    const ranks = sampleRanks(256, 100_000);
    expect(ranks[0]).toBe(256);
    expect(ranks.at(-1)).toBe(99_999);
    for (let i = 1; i < ranks.length; i++) {
      expect((ranks[i] as number) - (ranks[i - 1] as number)).toBeLessThanOrEqual(
        Math.max(1, (ranks[i - 1] as number) / 128),
      );
    }
    expect(ranks.length).toBeLessThan(1_000);
  });

  it("reads every position within max(10, 1%) of the true number ahead, over random lanes, sizes and admissions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 64 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 400 }),
        (lanes, n, perMs, admitted) => {
          const keys = keysOf(n, perMs);
          const { laneQueues, waiting } = queues(keys, lanes, Math.min(admitted, n));
          const merged = mergeSamples(laneQueues);
          for (let i = 0; i < waiting.length; i += Math.max(1, Math.floor(waiting.length / 300))) {
            const read = estimateAhead(merged, waiting[i] as string) ?? -1;
            expect(Math.abs(read - i)).toBeLessThanOrEqual(Math.max(10, i / 100));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("is exact for the first 256 fans in line while the lanes' reported fans reach that far", () => {
    const keys = keysOf(600, 3);
    const { laneQueues, waiting } = queues(keys, 8, 17);
    const merged = mergeSamples(laneQueues);
    expect(waiting.slice(0, 256).map((k) => estimateAhead(merged, k))).toEqual(waiting.slice(0, 256).map((_, i) => i));
  });

  it("keeps only the points after the head the lanes learn exactly, and says nothing of an empty queue", () => {
    const keys = keysOf(2_000, 2);
    const { laneQueues } = queues(keys, 4, 0);
    const after = keys[127] as string;
    const merged = mergeSamples(laneQueues, after);
    expect(merged.every(([k]) => k > after)).toBe(true);
    expect(merged.at(-1)).toEqual([keys.at(-1), 1_999]);
    expect(estimateAhead([], "1.x")).toBeUndefined();
  });
});
