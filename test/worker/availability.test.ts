/**
 * Live availability from the show object, not D1: the object answers each class's free and held
 * tickets from its own counts (`ShowQueue.availability`), and tells every socket of the show when
 * they change (the `availability` message), at most about once a second
 * (src/show/availability-broadcast.ts).
 */

import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countingD1 } from "../../src/db/counting-d1";
import { replaceIo } from "../../src/do/io";
import { AVAILABILITY_INTERVAL_MS, type AvailabilityMessage } from "../../src/messages";
import { AvailabilityBroadcast } from "../../src/show/availability-broadcast";
import type { ClassAvailability } from "../../src/show/types";
import { advanceClock, failD1, healD1, restart } from "./faults/inject";
import {
  call,
  createShow,
  expireSharedAnswers,
  inDays,
  payAndBook,
  requestTicket,
  showStub,
  signInMany,
} from "./helpers";
import { connect } from "./sockets";

const pistaWithOneMeia = [{ name: "Pista", capacity: 2, priceCents: 10000, meiaShare: 0.5 }];

const counts = (full: [number, number], meia: [number, number]): ClassAvailability[] => [
  { sector: "Pista", meia: false, available: full[0], inProgress: full[1] },
  { sector: "Pista", meia: true, available: meia[0], inProgress: meia[1] },
];

describe("the show object's availability", () => {
  it("answers each class's free and held tickets from its own counts, holds past their time ended first, with no D1", async () => {
    const show = await createShow({ sectors: pistaWithOneMeia, holdSeconds: 60 });
    const [ana, bia] = await signInMany(2);
    const stub = showStub(show.id);
    expect(await stub.availability(show.id)).toEqual({ ok: true, classes: counts([1, 0], [1, 0]) });

    const held = await requestTicket(show.id, ana!, "Pista", true);
    await payAndBook(show.id, ana!, held.json.ticket.id);
    await requestTicket(show.id, bia!, "Pista", false);
    const counter = countingD1(env.DB);
    replaceIo(show.id, { d1: counter.d1 });
    expect(await stub.availability(show.id)).toEqual({ ok: true, classes: counts([0, 1], [0, 0]) });
    expect(counter.count()).toBe(0);

    // Bia's hold runs out: the call ends it first (a release, in D1, like any call's), then counts it free.
    advanceClock(show.id, 61_000);
    expect(await stub.availability(show.id)).toEqual({ ok: true, classes: counts([1, 0], [0, 0]) });
  });

  it("is counted in D1 instead when the object cannot answer, so the catalogue still lists the show", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 1000, meiaShare: 0 }] });
    await requestTicket(show.id, (await signInMany(1))[0]!);
    // The object wakes owing a reconcile, and D1 fails under it: its calls answer 503.
    await restart(show.id, { d1: failD1("any", "before", 1_000) });
    expireSharedAnswers();
    const listed = await call("GET", `/api/shows/${show.id}`);
    expect(listed.status).toBe(200);
    expect(listed.json.show.sectors[0]).toMatchObject({
      available: { full: 2, meia: 0 },
      inProgress: { full: 1, meia: 0 },
    });
    healD1(show.id);
  });

  it("is counted from the show's row while nothing can have been sold: the catalogue wakes no object for it", async () => {
    const show = await createShow({
      salesOpenAt: inDays(10),
      sectors: [{ name: "Pista", capacity: 7, priceCents: 1000, meiaShare: 0 }],
    });
    const listed = await call("GET", `/api/shows/${show.id}`);
    expect(listed.json.show.sectors[0]).toMatchObject({
      available: { full: 7, meia: 0 },
      inProgress: { full: 0, meia: 0 },
    });
    const objects = (await listDurableObjectIds(env.SHOWS)).map((id) => id.toString());
    expect(objects).not.toContain(env.SHOWS.idFromName(show.id).toString());
  });

  it("refuses a show still being prepared, as every call on it", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 5_000, priceCents: 1000, meiaShare: 0 }] });
    expect(await showStub(show.id).availability(show.id)).toMatchObject({ ok: false, code: "SALES_NOT_OPEN" });
  });
});

describe.each([1, 8])("the availability message, on every socket of the show (%i lanes)", (lanes) => {
  it("greets each socket with the counts, then tells every socket when they change: the last meia ticket booked reads sold out", async () => {
    const show = await createShow({ sectors: pistaWithOneMeia, lanes });
    const [ana, bia, cris] = await signInMany(3);
    // Bia and Cris only look at the page: neither is in any queue.
    const biaSock = await connect(show.id, bia!);
    const crisSock = await connect(show.id, cris!);
    for (const s of [biaSock, crisSock]) {
      expect((await s.nextAvailability(() => true)).classes).toEqual(counts([1, 0], [1, 0]));
    }

    const held = await requestTicket(show.id, ana!, "Pista", true);
    const heldMeia = (m: AvailabilityMessage) => m.classes[1]?.inProgress === 1;
    for (const s of [biaSock, crisSock]) {
      expect((await s.nextAvailability(heldMeia, 3_000)).classes).toEqual(counts([1, 0], [0, 1]));
    }

    await payAndBook(show.id, ana!, held.json.ticket.id);
    const soldOut = (m: AvailabilityMessage) => m.classes[1]?.available === 0 && m.classes[1]?.inProgress === 0;
    for (const s of [biaSock, crisSock]) {
      const m = await s.nextAvailability(soldOut, 3_000);
      expect(m.classes).toEqual(counts([1, 0], [0, 0]));
      expect(Date.parse(m.serverTime)).toBeGreaterThan(0);
    }
    // Their own state never moved: the availability is not a state message.
    expect(biaSock.messages.map((m) => m.status)).toEqual(["NONE"]);
    for (const s of [biaSock, crisSock]) s.ws.close(1000);
  });

  it("coalesces: a burst of twelve admissions costs each socket at most two messages, the last one true", async () => {
    const show = await createShow({
      sectors: [{ name: "Pista", capacity: 20, priceCents: 1000, meiaShare: 0 }],
      lanes,
    });
    const [watcher, ...fans] = await signInMany(13);
    const sock = await connect(show.id, watcher!);
    await sock.nextAvailability(() => true);
    await Promise.all(fans.map((f) => requestTicket(show.id, f)));
    const settled = (m: AvailabilityMessage) => m.classes[0]?.inProgress === 12;
    expect((await sock.nextAvailability(settled, 3_000)).classes[0]).toEqual({
      sector: "Pista",
      meia: false,
      available: 8,
      inProgress: 12,
    });
    await new Promise((r) => setTimeout(r, AVAILABILITY_INTERVAL_MS + 200));
    // The greeting, then one or two coalesced messages: never one per admission.
    expect(sock.availability.length).toBeLessThanOrEqual(3);
    sock.ws.close(1000);
  });
});

describe("the availability broadcast, alone", () => {
  /** A clock the test moves, whose sleeps end when it gets there. */
  function testClock() {
    let now = 0;
    const sleepers: { until: number; wake: () => void }[] = [];
    return {
      now: () => now,
      sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ until: now + ms, wake })),
      async advance(ms: number) {
        now += ms;
        for (const s of sleepers.filter((x) => x.until <= now)) {
          sleepers.splice(sleepers.indexOf(s), 1);
          s.wake();
        }
        await new Promise((r) => setTimeout(r, 0));
      },
    };
  }

  it("sends at once after a quiet spell, then at most once per interval, and nothing when the counts did not move", async () => {
    const clock = testClock();
    let classes = counts([2, 0], [1, 0]);
    const sent: AvailabilityMessage[] = [];
    const feed = new AvailabilityBroadcast(
      () => classes,
      async (text) => {
        sent.push(JSON.parse(text));
      },
      clock,
    );
    classes = counts([1, 1], [1, 0]);
    feed.changed();
    await clock.advance(0);
    expect(sent.map((m) => m.classes)).toEqual([counts([1, 1], [1, 0])]);

    // Three changes within the interval: one message, at its end, with the counts as they are then.
    classes = counts([0, 2], [1, 0]);
    feed.changed();
    classes = counts([0, 2], [0, 1]);
    feed.changed();
    feed.changed();
    await clock.advance(AVAILABILITY_INTERVAL_MS - 1);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect(sent.map((m) => m.classes)).toEqual([counts([1, 1], [1, 0]), counts([0, 2], [0, 1])]);

    // A change that moved no count (a fan joining a queue) sends nothing.
    feed.changed();
    await clock.advance(AVAILABILITY_INTERVAL_MS);
    expect(sent).toHaveLength(2);
    expect(JSON.parse(feed.greeting() ?? "{}")).toMatchObject({
      type: "availability",
      classes: counts([0, 2], [0, 1]),
    });
  });

  it("says nothing while the object has no show on sale", async () => {
    const clock = testClock();
    const sent: string[] = [];
    const feed = new AvailabilityBroadcast(
      () => undefined,
      async (text) => {
        sent.push(text);
      },
      clock,
    );
    feed.changed();
    await clock.advance(AVAILABILITY_INTERVAL_MS);
    expect(sent).toEqual([]);
    expect(feed.greeting()).toBeUndefined();
  });
});
