/**
 * A lane's position messages (src/lanes/lane-notifier.ts), alone: over a queue of fans with
 * sockets, passes run by hand on a clock the test moves. Near fans hear every move, far fans every
 * 20 s, a pass never sends more than its budget, and nobody hears the same position twice.
 */
import { describe, expect, it } from "vitest";
import { arrivalKey } from "../../../src/lanes/key";
import {
  FAR_INTERVAL_MS,
  LaneNotifier,
  type LanePositionSource,
  NEAR_POSITION,
  type PassFan,
  POSITION_BUDGET,
} from "../../../src/lanes/lane-notifier";
import type { StateMessage } from "../../../src/messages";

const PISTA = { sector: "Pista", meia: false };

/** `n` waiting fans, each with one socket, at positions `ahead + i + 1` (the queue moves as `ahead` falls). */
function queue(n: number) {
  const fans = Array.from({ length: n }, (_, i) => ({ fanId: `usr_${i}`, key: arrivalKey(1_000 + i, `usr_${i}`) }));
  const shown = new Map<string, number>();
  const received = new Map<string, number[]>();
  let ahead = 0;
  const source: LanePositionSource = {
    classes: () => [PISTA],
    slice: (_c, after, limit) =>
      fans
        .filter((f) => after === undefined || f.key > after)
        .slice(0, limit)
        .map((f): PassFan => {
          const position = ahead + fans.indexOf(f) + 1;
          const last = shown.get(f.fanId) ?? null;
          const state = {
            status: "WAITING" as const,
            position: last === null ? position : Math.min(last, position),
            booked: [],
          };
          return { fanId: f.fanId, key: f.key, state, shown: last, shownAt: null };
        }),
    shown: (list) => {
      for (const f of list) shown.set(f.fanId, f.position);
    },
  };
  const sockets = new Map(fans.map((f) => [f.fanId, { fanId: f.fanId } as unknown as WebSocket]));
  const sink = {
    of: (fanId: string) => [sockets.get(fanId) as WebSocket],
    send: (to: WebSocket[], text: string) => {
      const m = JSON.parse(text) as StateMessage;
      for (const ws of to) {
        const id = (ws as unknown as { fanId: string }).fanId;
        received.set(id, [...(received.get(id) ?? []), m.position ?? 0]);
      }
    },
  };
  let now = 1_000_000;
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const notifier = new LaneNotifier(sink, source, clock);
  return {
    notifier,
    received,
    /** `k` fans ahead of everybody left the line. */
    advance: (k: number) => {
      ahead -= k;
    },
    tick: (ms: number) => {
      now += ms;
    },
    messages: () => [...received.values()].reduce((n, l) => n + l.length, 0),
  };
}

describe("a lane's position messages", () => {
  it(`tells the fans within ${NEAR_POSITION} of the head every move, the fans further back every ${FAR_INTERVAL_MS / 1000} s`, async () => {
    const q = queue(6_000);
    q.advance(-1_000);
    await q.notifier.pass();
    // Everybody heard once: the first round over the far fans comes with the first pass (it may take two).
    while (q.received.size < 6_000) {
      q.tick(1_000);
      await q.notifier.pass();
    }
    const before = q.messages();
    q.advance(10);
    q.tick(1_000);
    await q.notifier.pass();
    // Positions 1,001..7,000 became 991..6,990: the 1,010 fans now within 2,000 of the head hear it.
    expect(q.messages() - before).toBe(NEAR_POSITION - 990);
    expect(q.received.get("usr_1009")?.at(-1)).toBe(2_000);
    expect(q.received.get("usr_5999")?.at(-1)).toBe(7_000);
    for (let t = 0; t < FAR_INTERVAL_MS; t += 1_000) {
      q.tick(1_000);
      await q.notifier.pass();
    }
    expect(q.received.get("usr_5999")?.at(-1)).toBe(6_990);
  });

  it(`never sends more than ${POSITION_BUDGET} messages in a pass, and nobody the same position twice`, async () => {
    const q = queue(9_000);
    const sent = await q.notifier.pass();
    expect(sent).toBe(POSITION_BUDGET);
    for (let i = 0; i < 5; i++) {
      q.tick(1_000);
      expect(await q.notifier.pass()).toBeLessThanOrEqual(POSITION_BUDGET);
    }
    for (const positions of q.received.values()) expect(new Set(positions).size).toBe(positions.length);
    q.tick(1_000);
    // Nothing moved: nothing to say.
    const quiet = queue(50);
    await quiet.notifier.pass();
    quiet.tick(FAR_INTERVAL_MS);
    expect(await quiet.notifier.pass()).toBe(0);
  });

  it("sends a fan's own change at once, to each of its sockets", () => {
    const q = queue(3);
    q.notifier.changed(new Map([["usr_1", { status: "IN_PROGRESS", booked: [] }]]), () => ({
      status: "NONE",
      booked: [],
    }));
    expect(q.received.get("usr_1")).toEqual([0]);
  });
});
