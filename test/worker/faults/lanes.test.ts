/**
 * Fault injection with lanes (#13): a lane or the coordinator restarting, crashing between its
 * write and the other's, or a call between them failing before it was sent, after it was served
 * (its answer lost) or reaching the other side twice. After recovery the sale's invariants hold
 * (test/worker/invariants.ts): nothing lost, no fan admitted twice or skipped, nothing stuck.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { laneName, laneOf } from "../../../src/lanes/key";
import { createShow, settled, showStub, ticketRows } from "../helpers";
import { expectInvariants } from "../invariants";
import { fanLane, join, laneStub, socketAt, stateAt, waitingFans } from "../lanes/support";
import { crashAt, failCalls, healCalls, injectD1, repeatCalls, restart, restartLane } from "./inject";

const LANES = 4;

/** A show of `seats` seats over four lanes, and `n` fans, each in its own lane when it can be. */
async function sale(seats: number, n: number) {
  const created = await createShow({
    sectors: [{ name: "Pista", capacity: seats, priceCents: 8000, meiaShare: 0 }],
    lanes: LANES,
    salesOpenAt: "2020-01-01T00:00:00Z",
  });
  const show = { id: created.id, lanes: LANES };
  // Spread over lanes: the i-th fan in lane i mod LANES (fans are drawn until every lane wanted has one).
  const pool: string[] = [];
  const fans: string[] = [];
  for (let i = 0; i < n; i++) {
    const want = i % LANES;
    const inLane = (id: string) => !fans.includes(id) && laneOf(show.id, id, LANES) === want;
    while (!pool.some(inLane)) pool.push(...(await waitingFans(8)));
    fans.push(pool.find(inLane) as string);
  }
  let stamp = 1_000;
  const lane = (fanId: string) => laneOf(show.id, fanId, LANES);
  return {
    show,
    fans,
    lane,
    laneName: (fanId: string) => laneName(show.id, lane(fanId)),
    join: (fanId: string) => {
      stamp += 10;
      return join(show, fanId, stamp);
    },
    cancel: (fanId: string) => fanLane(show, fanId).cancel(show.id, fanId),
    state: (fanId: string) => stateAt(show, fanId),
    check: () => expectInvariants(show.id, fans, Date.now()),
  };
}

describe("a call between a lane and its coordinator failing", () => {
  it("a report that never reached the coordinator is sent again by the lane's alarm, and the fan admitted", async () => {
    const s = await sale(1, 1);
    const [ana] = s.fans as [string];
    const calls = failCalls(s.laneName(ana), "before");
    expect(await s.join(ana)).toMatchObject({ ok: true, httpStatus: 202, state: { status: "WAITING" } });
    expect(calls.failures()).toBeGreaterThan(0);
    expect((await ticketRows(s.show.id))[0]?.status).toBe("AVAILABLE");
    healCalls(s.laneName(ana));
    expect(await runDurableObjectAlarm(laneStub(s.show.id, s.lane(ana)))).toBe(true);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("an overloaded coordinator is not called again at once: the lane answers its fans and its alarm retries, backing off", async () => {
    const s = await sale(1, 5);
    const [, ana] = s.fans as [string, string];
    const inAnasLane = s.fans.filter((f) => s.lane(f) === s.lane(ana));
    const calls = failCalls(s.laneName(ana), "before", { overloaded: true });
    for (const f of inAnasLane) expect(await s.join(f)).toMatchObject({ ok: true, httpStatus: 202 });
    // One attempt, then the lane waits for its alarm: not one call per join.
    expect(calls.attempts()).toBe(1);
    const alarm = await runInDurableObject(laneStub(s.show.id, s.lane(ana)), (_o, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now());
    healCalls(s.laneName(ana));
    await runDurableObjectAlarm(laneStub(s.show.id, s.lane(ana)));
    expect((await s.state(inAnasLane[0] as string)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("a report whose answer was lost: the coordinator admitted the fan once, and its lane hears it from the courier", async () => {
    const s = await sale(3, 1);
    const [ana] = s.fans as [string];
    failCalls(s.laneName(ana), "after", { times: 1 });
    expect(await s.join(ana)).toMatchObject({ ok: true, httpStatus: 202 });
    await settled(s.show.id);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    // The lane reports the fan again (its answer never came): the coordinator admits nobody twice.
    await runDurableObjectAlarm(laneStub(s.show.id, s.lane(ana)));
    expect((await ticketRows(s.show.id)).filter((t) => t.userId === ana)).toHaveLength(1);
    await s.check();
  });

  it("a delivery to a lane that fails is made again, by the coordinator's alarm, and nothing is given twice", async () => {
    const s = await sale(1, 2);
    const [holder, bia] = s.fans as [string, string];
    await s.join(holder);
    await s.join(bia);
    failCalls(s.laneName(bia), "before");
    const coordinator = failCalls(s.show.id, "before");
    await s.cancel(holder);
    // D1 has Bia's hold; her lane does not know it yet.
    expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "IN_PROGRESS", userId: bia });
    expect(coordinator.failures()).toBeGreaterThan(0);
    expect(await runInDurableObject(showStub(s.show.id), (_o, ctx) => ctx.storage.getAlarm())).not.toBeNull();
    healCalls(s.show.id);
    healCalls(s.laneName(bia));
    expect(await runDurableObjectAlarm(showStub(s.show.id))).toBe(true);
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("a delivery that reaches its lane twice, or whose receipt is lost, is applied once", async () => {
    const s = await sale(1, 3);
    const [holder, bia, caio] = s.fans as [string, string, string];
    for (const f of [holder, bia, caio]) await s.join(f);
    repeatCalls(s.show.id);
    await s.cancel(holder);
    await settled(s.show.id);
    failCalls(s.show.id, "after", { times: 1 });
    await s.cancel(bia);
    await settled(s.show.id);
    healCalls(s.show.id);
    expect((await s.state(bia)).status).toBe("CANCELLED");
    expect((await s.state(caio)).status).toBe("IN_PROGRESS");
    expect((await ticketRows(s.show.id)).map((t) => t.userId)).toEqual([caio]);
    await s.check();
  });

  it("a waiting fan's cancel that the coordinator had not heard of when it admitted her: she stays CANCELLED and the ticket goes on", async () => {
    const s = await sale(1, 3);
    const [holder, bia, caio] = s.fans as [string, string, string];
    for (const f of [holder, bia, caio]) await s.join(f);
    // Bia leaves the line; her lane's report of it does not reach the coordinator.
    failCalls(s.laneName(bia), "before");
    expect((await s.cancel(bia)).ok).toBe(true);
    await s.cancel(holder);
    await settled(s.show.id);
    // The coordinator admitted Bia (she held the ticket for a moment), her lane declined it, the ticket went to Caio.
    const held = await runInDurableObject(showStub(s.show.id), (_o, ctx) =>
      ctx.storage.sql
        .exec("SELECT fan_id FROM past_holds")
        .toArray()
        .map((r) => r.fan_id),
    );
    expect(held).toContain(bia);
    expect((await s.state(bia)).status).toBe("CANCELLED");
    healCalls(s.laneName(bia));
    await runDurableObjectAlarm(laneStub(s.show.id, s.lane(bia)));
    await settled(s.show.id);
    expect((await s.state(caio)).status).toBe("IN_PROGRESS");
    expect((await ticketRows(s.show.id)).map((t) => t.userId)).toEqual([caio]);
    await s.check();
  });
});

describe("a lane or the coordinator restarting", () => {
  it("a lane restarting keeps its waiting fans in their places, and its fans' sockets still hear", async () => {
    const s = await sale(1, 6);
    for (const f of s.fans) await s.join(f);
    await settled(s.show.id);
    const next = s.fans[1] as string;
    const socket = await socketAt(s.show, next);
    for (let lane = 0; lane < LANES; lane++) await restartLane(s.show.id, lane);
    expect((await Promise.all(s.fans.slice(1).map(s.state))).map((x) => x.position)).toEqual([1, 2, 3, 4, 5]);
    await s.cancel(s.fans[0] as string);
    for (let i = 0; i < 40 && socket.messages.at(-1)?.m.status !== "IN_PROGRESS"; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(socket.messages.at(-1)?.m.status).toBe("IN_PROGRESS");
    socket.ws.close(1000);
    await s.check();
  });

  it("the coordinator restarting keeps what the lanes reported: the next fans by stamp are admitted, none twice", async () => {
    const s = await sale(2, 6);
    for (const f of s.fans) await s.join(f);
    await restart(s.show.id);
    await s.cancel(s.fans[0] as string);
    await restart(s.show.id);
    await s.cancel(s.fans[1] as string);
    await settled(s.show.id);
    const statuses = (await Promise.all(s.fans.map(s.state))).map((x) => x.status);
    expect(statuses).toEqual(["CANCELLED", "CANCELLED", "IN_PROGRESS", "IN_PROGRESS", "WAITING", "WAITING"]);
    await s.check();
  });

  it("the coordinator dying after D1 gave the admission and before it wrote it: the hold reaches the fan's lane after the restart", async () => {
    const s = await sale(1, 1);
    const [ana] = s.fans as [string];
    const crash = crashAt("claim", "after");
    injectD1(s.show.id, crash);
    await s.join(ana).catch(() => undefined);
    // The admission may come from the lane's report after the join answered (on a loaded machine
    // it often does): wait for it, running the lane's alarm meanwhile.
    await vi.waitFor(
      async () => {
        if (!crash.crashed()) await runDurableObjectAlarm(fanLane(s.show, ana));
        expect(crash.crashed()).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "IN_PROGRESS", userId: ana });
    await restart(s.show.id);
    await settled(s.show.id);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    await s.check();
  });
});
