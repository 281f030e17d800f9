/**
 * The coordinator's record of its lanes (src/show/lane-buffers.ts), alone, over a spare object's
 * storage: the order rule (never admit past a lane that may hold an earlier fan), reports that
 * replace each other by version, and fans already acted on.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { arrivalKey } from "../../../src/lanes/key";
import type { ClassReport } from "../../../src/lanes/protocol";
import { LaneBuffers } from "../../../src/show/lane-buffers";
import { ShowStore } from "../../../src/show/store";

const PISTA = { sector: "Pista", meia: false };
const k = (ms: number, fan: string) => arrivalKey(ms, fan);

function report(version: number, fans: [number, string][], more: boolean): ClassReport {
  return {
    ...PISTA,
    version,
    entries: fans.map(([ms, fanId], seq) => ({ key: k(ms, fanId), fanId, seq: seq + 1 })),
    more,
    waiting: fans.length + (more ? 100 : 0),
  };
}

async function withBuffers<T>(run: (b: LaneBuffers) => T): Promise<T> {
  return runInDurableObject(env.SHOWS.getByName(`buffers-test-${crypto.randomUUID()}`), (_o, ctx) => {
    new ShowStore(ctx.storage).saveConfig({
      id: "show_buffers",
      status: "ready",
      salesOpenAt: 0,
      prequeueOpensAt: null,
      holdSeconds: 60,
      maxTicketsPerUser: 4,
      lanes: 2,
      classes: [{ ...PISTA, priceCents: 100, total: 10 }],
    });
    return run(new LaneBuffers(ctx.storage));
  });
}

const never = () => false;
const fans = (b: LaneBuffers, n = 10) => b.heads(PISTA, n).map((e) => e.fanId);

describe("the coordinator's record of its lanes", () => {
  it("admits no fan past the last one reported by a lane that has more: a lane whose buffer ran dry holds its class there", async () => {
    await withBuffers((b) => {
      b.apply(
        0,
        report(
          1,
          [
            [1, "a"],
            [3, "c"],
            [5, "e"],
          ],
          true,
        ),
        never,
      );
      b.apply(
        1,
        report(
          1,
          [
            [2, "b"],
            [4, "d"],
            [6, "f"],
            [8, "h"],
          ],
          false,
        ),
        never,
      );
      // Lane 0 may hold a fan stamped 6 or 7: nobody after its "e" (5) may go first.
      expect(fans(b)).toEqual(["a", "b", "c", "d", "e"]);
      for (const e of b.heads(PISTA, 5)) b.taken(e);
      expect(fans(b)).toEqual([]);
      expect(b.blocked(PISTA)).toBe(true);
      // Lane 0 refills: it had "g" (7) and no more.
      b.apply(0, report(2, [[7, "g"]], false), never);
      expect(fans(b)).toEqual(["f", "g", "h"]);
      expect(b.blocked(PISTA)).toBe(false);
      expect(b.admitted(PISTA)).toBe(5);
    });
  });

  it("keeps the newest report of each lane: an older or repeated one changes nothing", async () => {
    await withBuffers((b) => {
      expect(
        b.apply(
          0,
          report(
            2,
            [
              [1, "a"],
              [2, "b"],
            ],
            false,
          ),
          never,
        )?.remail,
      ).toEqual([]);
      expect(b.apply(0, report(1, [[9, "z"]], false), never)).toBeUndefined();
      expect(b.apply(0, report(2, [[9, "z"]], false), never)).toBeUndefined();
      expect(fans(b)).toEqual(["a", "b"]);
      b.apply(0, report(3, [[2, "b"]], false), never);
      expect(fans(b)).toEqual(["b"]);
    });
  });

  it("leaves out a reported fan the coordinator already admitted from that place, and names it to mail again", async () => {
    await withBuffers((b) => {
      const acted = (fanId: string, seq: number) => fanId === "a" && seq === 1;
      expect(
        b.apply(
          1,
          report(
            1,
            [
              [1, "a"],
              [2, "b"],
            ],
            false,
          ),
          acted,
        ),
      ).toEqual({ remail: ["a"], learned: [k(2, "b")] });
      expect(fans(b)).toEqual(["b"]);
      expect(b.laneWaiting(PISTA, 2)).toEqual([0, 1]);
    });
  });
});
