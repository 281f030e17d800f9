/**
 * The draw at the opening (#14), with one lane (the show's object keeps the line) and with eight
 * (each lane draws its own fans, the coordinator merges by key): keys and order exactly as the
 * issue specifies them, the seed matching the commitment published at creation, late arrivals
 * behind every pre-queued fan, cancels before and after, restarts before and after.
 */
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { laneOf } from "../../../src/lanes/key";
import { restart, restartLane } from "../faults/inject";
import { call, settled, showStub, ticketRows } from "../helpers";
import { waitingFans } from "../lanes/support";
import { clockAt, enter, expectedOrder, leave, opening, prequeueShow, sha256Hex, stateOf } from "./support";

async function drawOf(showId: string) {
  const res = await call("GET", `/api/shows/${showId}/draw`);
  expect(res.status).toBe(200);
  return res.json as {
    commitment: string;
    seed: string | null;
    drawnAt: string | null;
    entrants: { sector: string; meia: boolean; fanIds: string[] }[] | null;
  };
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
}

/** Each fan's state, in the order given: status and position. */
async function outcomes(show: Parameters<typeof stateOf>[0], fanIds: string[]) {
  const states = await Promise.all(fanIds.map((f) => stateOf(show, f)));
  return states.map((s) => (s.status === "WAITING" ? `WAITING ${s.position}` : s.status));
}

describe.each([1, 8])("the draw at the opening, %i lane(s)", (lanes) => {
  it("admits the pre-queue by ascending sha256(seed:fanId) when the alarm fires, and reveals the committed seed", async () => {
    const show = await prequeueShow({ lanes, tickets: 3 });
    const fans = await waitingFans(12);
    for (const f of fans) await enter(show, f);
    if (lanes > 1) expect(new Set(fans.map((f) => laneOf(show.id, f, lanes))).size).toBeGreaterThan(3);

    await opening(show);

    const draw = await drawOf(show.id);
    expect(draw.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(await sha256Hex(hexBytes(draw.seed ?? ""))).toBe(show.commitment);
    expect(draw.commitment).toBe(show.commitment);
    expect(Date.parse(draw.drawnAt ?? "")).toBe(show.salesOpenAt);
    const order = await expectedOrder(draw.seed ?? "", fans);
    expect(draw.entrants).toEqual([{ sector: "Pista", meia: false, fanIds: order }]);
    expect(await outcomes(show, order)).toEqual([
      "IN_PROGRESS",
      "IN_PROGRESS",
      "IN_PROGRESS",
      ...order.slice(3).map((_, i) => `WAITING ${i + 1}`),
    ]);
  });

  it("keeps the commitment the show was created with, and the Show keeps publishing it", async () => {
    const show = await prequeueShow({ lanes });
    const before = await drawOf(show.id);
    expect(before).toMatchObject({ commitment: show.commitment, seed: null, drawnAt: null, entrants: null });
    await enter(show, (await waitingFans(1))[0] as string);
    await opening(show);
    expect((await drawOf(show.id)).commitment).toBe(show.commitment);
    expect((await call("GET", `/api/shows/${show.id}`)).json.show.drawCommitment).toBe(show.commitment);
  });

  it("puts every fan who arrives after the opening behind every pre-queued fan, in arrival order", async () => {
    const show = await prequeueShow({ lanes, tickets: 1 });
    const early = await waitingFans(6);
    for (const f of early) await enter(show, f);
    await opening(show, 5);
    const late = await waitingFans(3);
    for (const f of late) await enter(show, f);
    if (lanes > 1) await settled(show.id);
    const order = await expectedOrder((await drawOf(show.id)).seed ?? "", early);
    expect(await outcomes(show, [...order, ...late])).toEqual([
      "IN_PROGRESS",
      "WAITING 1",
      "WAITING 2",
      "WAITING 3",
      "WAITING 4",
      "WAITING 5",
      "WAITING 6",
      "WAITING 7",
      "WAITING 8",
    ]);
    expect((await drawOf(show.id)).entrants?.[0]?.fanIds).toEqual(order);
  });

  it("leaves a fan who cancelled before the draw out of it, and gives a ticket given back after it to the next by key", async () => {
    const show = await prequeueShow({ lanes, tickets: 1 });
    const fans = await waitingFans(5);
    for (const f of fans) await enter(show, f);
    const [gone, ...rest] = fans as [string, ...string[]];
    expect(await leave(show, gone)).toMatchObject({ ok: true, state: { status: "CANCELLED" } });
    await opening(show);
    const draw = await drawOf(show.id);
    const order = await expectedOrder(draw.seed ?? "", rest);
    expect(draw.entrants?.[0]?.fanIds).toEqual(order);
    expect((await stateOf(show, gone)).status).toBe("CANCELLED");

    const [first, second] = order as [string, string];
    expect((await stateOf(show, first)).status).toBe("IN_PROGRESS");
    await leave(show, first);
    if (lanes > 1) await settled(show.id);
    expect(await outcomes(show, order)).toEqual(["CANCELLED", "IN_PROGRESS", "WAITING 1", "WAITING 2"]);
    expect(second).toBe(order[1]);
  });

  it("draws the same seed and the same order when its objects restart before and after the draw", async () => {
    const show = await prequeueShow({ lanes, tickets: 2 });
    const fans = await waitingFans(8);
    for (const f of fans) await enter(show, f);
    await restart(show.id);
    for (let lane = 0; lane < lanes && lanes > 1; lane++) await restartLane(show.id, lane);
    expect((await stateOf(show, fans[0] as string)).status).toBe("PRE_QUEUE");
    await opening(show);
    const draw = await drawOf(show.id);
    const order = await expectedOrder(draw.seed ?? "", fans);
    const states = await outcomes(show, order);

    await restart(show.id);
    for (let lane = 0; lane < lanes && lanes > 1; lane++) await restartLane(show.id, lane);
    expect(await drawOf(show.id)).toEqual(draw);
    expect(await sha256Hex(hexBytes(draw.seed ?? ""))).toBe(show.commitment);
    expect(await outcomes(show, order)).toEqual(states);
    expect(states.slice(0, 3)).toEqual(["IN_PROGRESS", "IN_PROGRESS", "WAITING 1"]);
  });

  it("draws each class on its own: a class's pre-queue is ordered among itself", async () => {
    const show = await prequeueShow({
      lanes,
      sectors: [{ name: "Pista", capacity: 2, priceCents: 5000, meiaShare: 0.5 }],
    });
    const full = await waitingFans(4);
    const meia = await waitingFans(4);
    for (const f of full) await enter(show, f);
    for (const f of meia) await enter(show, f, { sector: "Pista", meia: true });
    await opening(show);
    const draw = await drawOf(show.id);
    expect(draw.entrants).toEqual([
      { sector: "Pista", meia: false, fanIds: await expectedOrder(draw.seed ?? "", full) },
      { sector: "Pista", meia: true, fanIds: await expectedOrder(draw.seed ?? "", meia) },
    ]);
    const meiaOrder = await expectedOrder(draw.seed ?? "", meia);
    expect(await outcomes(show, meiaOrder)).toEqual(["IN_PROGRESS", "WAITING 1", "WAITING 2", "WAITING 3"]);
  });
});

describe("the cron's safety net for the draw", () => {
  it("draws a show whose alarm was lost, with no fan calling, at the next cron after the opening", async () => {
    const show = await prequeueShow({ tickets: 2 });
    const fans = await waitingFans(4);
    for (const f of fans) await enter(show, f);
    await runInDurableObject(showStub(show.id), (_o, ctx) => ctx.storage.deleteAlarm());
    clockAt(show, show.salesOpenAt + 30_000);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: show.salesOpenAt + 30_000 }), env, ctx);
    await waitOnExecutionContext(ctx);

    // D1's record alone, read before any call could reach the object: the cron's poke drew it.
    const held = (await ticketRows(show.id)).filter((t) => t.status === "IN_PROGRESS").map((t) => t.userId);
    const draw = await drawOf(show.id);
    expect(new Set(held)).toEqual(new Set((await expectedOrder(draw.seed ?? "", fans)).slice(0, 2)));
  });
});
