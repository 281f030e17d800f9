/**
 * The draw happens on time with nobody calling (#14): the alarm draws within a second of
 * `salesOpenAt`, and every pre-queued fan hears the outcome on its socket at once: IN_PROGRESS,
 * or WAITING with the position its key gives it. Real time, real alarms.
 */
import { describe, expect, it } from "vitest";
import { createShow } from "../helpers";
import { waitingFans } from "../lanes/support";
import { enter, expectedOrder, socketOf } from "./support";

describe.each([1, 8])("the draw on time (%i lanes)", (lanes) => {
  it("is made by the alarm within 1 s of salesOpenAt, and told to every pre-queued fan on its socket", async () => {
    const salesOpenAt = Date.now() + 2_500;
    const created = await createShow({
      lanes,
      sectors: [{ name: "Pista", capacity: 2, priceCents: 5000, meiaShare: 0 }],
      salesOpenAt: new Date(salesOpenAt).toISOString(),
      prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const show = { id: created.id, lanes, salesOpenAt, commitment: created.drawCommitment ?? "" };
    const fans = await waitingFans(10);
    const sockets = await Promise.all(fans.map((f) => socketOf(show, f)));
    for (const f of fans) expect((await enter(show, f)).ok).toBe(true);
    expect(Date.now()).toBeLessThan(salesOpenAt);

    const told = (i: number) =>
      sockets[i]?.messages.find((x) => x.m.status === "IN_PROGRESS" || x.m.status === "WAITING");
    await expect
      .poll(() => fans.every((_, i) => told(i)), { timeout: salesOpenAt - Date.now() + 5_000, interval: 50 })
      .toBe(true);
    const latest = Math.max(...fans.map((_, i) => told(i)?.at ?? Number.POSITIVE_INFINITY));
    expect(latest - salesOpenAt).toBeLessThan(1_000);

    const { json } = await (await import("../helpers")).call("GET", `/api/shows/${show.id}/draw`);
    const order = await expectedOrder(json.seed, fans);
    const first = order.map((f) => told(fans.indexOf(f))?.m);
    expect(first.map((m) => (m?.status === "WAITING" ? `WAITING ${m.position}` : m?.status))).toEqual([
      "IN_PROGRESS",
      "IN_PROGRESS",
      ...order.slice(2).map((_, i) => `WAITING ${i + 1}`),
    ]);
    for (const s of sockets) s.ws.close();
  });
});
