/**
 * Arrival order across lanes: fans are admitted by the stamp the Worker took when their request
 * reached it, whatever lane holds them and whatever order their calls reached the lanes in; a
 * repeated request keeps its first stamp; a tie goes the same way in every lane. The exact
 * guarantee (README, Design): strict by stamp among the joins the coordinator knows of; a join
 * still on its way can be overtaken only by fans stamped less than its time on the way after it.
 */
import { describe, expect, it } from "vitest";
import { laneOf } from "../../../src/lanes/key";
import { createShow, settled } from "../helpers";
import { fanLane, join, stateAt, waitingFans } from "./support";

const pista = (capacity: number) => [{ name: "Pista", capacity, priceCents: 5000, meiaShare: 0 }];

async function showWith(lanes: number, tickets = 1) {
  const show = await createShow({ sectors: pista(tickets), lanes, salesOpenAt: "2020-01-01T00:00:00Z" });
  return { id: show.id, lanes };
}

/** Cancel the holder, and answer whom the coordinator admitted next. */
async function handOver(show: { id: string; lanes: number }, holder: string, fans: string[]) {
  await fanLane(show, holder).cancel(show.id, holder);
  await settled(show.id);
  const states = await Promise.all(fans.map((f) => stateAt(show, f)));
  return fans.filter((_, i) => states[i]?.status === "IN_PROGRESS");
}

describe("arrival order across lanes", () => {
  it("admits by the Worker's stamp, whatever order the joins reached their lanes in", async () => {
    const show = await showWith(8);
    const [holder, ...fans] = await waitingFans(13);
    expect((await join(show, holder!, 1_000)).ok).toBe(true);
    // Later stamps reach their lanes first.
    const stamps = fans.map((_, i) => 2_000 + i);
    const order = fans.map((_, i) => i).sort(() => Math.random() - 0.5);
    for (const i of order) await join(show, fans[i]!, stamps[i]!);
    expect(new Set(fans.map((f) => laneOf(show.id, f, 8))).size).toBeGreaterThan(3);

    const admitted: string[] = [];
    let current = holder!;
    for (let i = 0; i < fans.length; i++) {
      const next = await handOver(
        show,
        current,
        fans.filter((f) => !admitted.includes(f)),
      );
      expect(next).toHaveLength(1);
      admitted.push(next[0]!);
      current = next[0]!;
    }
    expect(admitted).toEqual(fans);
  });

  it("keeps a repeated request's first stamp", async () => {
    const show = await showWith(4);
    const [holder, ana, bia] = (await waitingFans(3)) as [string, string, string];
    await join(show, holder, 1_000);
    await join(show, ana, 2_000);
    await join(show, bia, 3_000);
    const again = await join(show, ana, 9_000);
    expect(again).toMatchObject({ ok: true, httpStatus: 202 });
    await settled(show.id);
    expect((await stateAt(show, ana)).position).toBe(1);
    expect((await stateAt(show, bia)).position).toBe(2);
    expect(await handOver(show, holder, [ana, bia])).toEqual([ana]);
  });

  it("orders two fans stamped in the same millisecond in different lanes by their ids, the same way everywhere", async () => {
    const show = await showWith(8);
    const [holder, ...fans] = await waitingFans(12);
    await join(show, holder!, 1_000);
    // Two fans in different lanes, both stamped 5,000.
    const [a, b] = fans.filter((f, _, all) => laneOf(show.id, f, 8) !== laneOf(show.id, all[0]!, 8) || f === all[0]);
    const [first, second] = [a!, b!].sort();
    await join(show, second!, 5_000);
    await join(show, first!, 5_000);
    await settled(show.id);
    expect((await stateAt(show, first!)).position).toBe(1);
    expect((await stateAt(show, second!)).position).toBe(2);
    expect(await handOver(show, holder!, [first!, second!])).toEqual([first]);
  });

  it("lets a join still on its way be overtaken only by fans stamped less than its time on the way after it; once there, it goes before every later stamp", async () => {
    const show = await showWith(4);
    const [holder, late, ana, bia] = (await waitingFans(4)) as [string, string, string, string];
    await join(show, holder, 1_000);
    // `late` was stamped 2,000 by its Worker, and its call is still on its way to its lane.
    await join(show, ana, 2_010);
    await join(show, bia, 2_020);
    // The ticket comes free meanwhile: Ana, stamped 10 ms after `late`, goes first (the coordinator knows of no earlier fan).
    expect(await handOver(show, holder, [ana, bia])).toEqual([ana]);
    // `late` reaches its lane: ahead of Bia, stamped after it, who still waits. Bia was shown 1 and
    // is never shown a later place: she reads 1 until the queue moves past `late`.
    expect(await join(show, late, 2_000)).toMatchObject({ ok: true, httpStatus: 202 });
    await settled(show.id);
    expect((await stateAt(show, late)).position).toBe(1);
    expect((await stateAt(show, bia)).position).toBe(1);
    expect(await handOver(show, ana, [late, bia])).toEqual([late]);
    expect((await stateAt(show, bia)).position).toBe(1);
    expect(await handOver(show, late, [bia])).toEqual([bia]);
  });
});
