/**
 * Fault injection: the show object crashes between its D1 write and its own storage write (both
 * orders), D1 fails (before a call, or after committing it with the answer lost), alarms throw,
 * fire late, early or twice, and calls race on the same hold. After recovery the sale's invariants
 * hold (test/worker/invariants.ts): nothing oversold, nothing lost, nothing stuck.
 *
 * The object's clock is the test's (through its seam, test/worker/faults/inject.ts), moved forward
 * from the real time; the tests that restart keep the real clock, and the two that need a hold to
 * expire on real time use one-second holds and the real alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../../src/db/database";
import { approvePayment, createPayment } from "../../../src/db/queries";
import type { ShowQueue } from "../../../src/show/show-queue";
import type { Outcome } from "../../../src/show/types";
import { call, createShow, paymentRows, showStub, signInMany, type TestFan, ticketRows } from "../helpers";
import { expectInvariants } from "../invariants";
import type { D1Op, FaultPlan } from "./faulty-d1";
import { clockOf, crashAt, failD1, healD1, injectD1, restart, setClock } from "./inject";

const HOLD_SECONDS = 60;
const HOLD_MS = HOLD_SECONDS * 1000;

/** A one-sector show with `seats` full-price tickets and `fans` signed-in fans. */
async function sale(seats: number, fanCount: number, opts: { clock?: "test" | "real" } = {}) {
  const show = await createShow({
    sectors: [{ name: "Pista", capacity: seats, priceCents: 10_000, meiaShare: 0 }],
    holdSeconds: HOLD_SECONDS,
    salesOpenAt: "2020-01-01T00:00:00Z",
  });
  const fans = await signInMany(fanCount);
  const stub = showStub(show.id);
  const mode = opts.clock ?? "test";
  let clock = Date.now();
  if (mode === "test") setClock(show.id, clock);
  const names = new Map(fans.map((f, i) => [f.id, `fan${i}`]));
  const fanIds = fans.map((f) => f.id);
  const s = {
    show,
    stub,
    fans,
    request: (f: TestFan) => stub.request(show.id, f.id, { sector: "Pista", meia: false }),
    cancel: (f: TestFan) => stub.cancel(show.id, f.id),
    book: (f: TestFan, ticketId: string, paymentId: string) => stub.book(show.id, f.id, ticketId, paymentId),
    state: async (f: TestFan) => ok(await stub.state(show.id, f.id)),
    now: () => (mode === "real" ? Date.now() : clock),
    advance: async (ms: number) => {
      clock += ms;
      setClock(show.id, clock);
    },
    /** The provider approves a payment for this ticket, at the sale's clock. */
    pay: async (f: TestFan, ticketId: string) => {
      const db = database(env.DB);
      const p = await createPayment(db, {
        showId: show.id,
        ticketId,
        userId: f.id,
        amountCents: 10_000,
        provider: "sandbox",
      });
      return (await approvePayment(db, p.id, f.id, mode === "real" ? Date.now() : clock))!;
    },
    /** The invariants, at the sale's clock (or the real one after a restart). */
    check: async () => expectInvariants(show.id, fanIds, clockOf(show.id), names),
  };
  return s;
}

function ok(out: Outcome) {
  if (!out.ok) throw new Error(`expected a state, got ${out.code}: ${out.message}`);
  return out.state;
}

/**
 * Make `call` with the object crashing at D1 `op` (before it was sent, or after it committed). What
 * the caller got does not matter (an error, or an answer the dying instance still gave): what counts
 * is the state after the restart.
 */
async function crashDuring(showId: string, op: D1Op, when: "before" | "after", call: () => Promise<unknown>) {
  const crash = crashAt(op, when);
  injectD1(showId, crash);
  await call().catch(() => undefined);
  expect(crash.crashed()).toBe(true);
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the call to fail");
}

const tick = () => new Promise((r) => setTimeout(r, 1));

async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Hold the object at one D1 call until the test lets it go, so other calls can arrive meanwhile.
 * Both sides poll a flag: a promise resolved in the object's context would carry the test's
 * continuation into it (and the other way round), and I/O there belongs to the wrong context.
 */
function pauseAt(op: D1Op, when: "before" | "after" = "before") {
  let state: "armed" | "paused" | "released" = "armed";
  const hook = async (o: D1Op) => {
    if (o !== op || state !== "armed") return;
    state = "paused";
    while (state === "paused") await tick();
  };
  const plan: FaultPlan = when === "before" ? { before: hook } : { after: hook };
  return {
    plan,
    reached: async () => {
      while (state === "armed") await tick();
    },
    release: () => {
      state = "released";
    },
  };
}

describe("a crash after D1 committed and before the object recorded it", () => {
  it("adopts an admission D1 granted: the fan holds that very ticket after the restart", async () => {
    const s = await sale(1, 1, { clock: "real" });
    const [ana] = s.fans as [TestFan];
    await crashDuring(s.show.id, "claim", "after", () => s.request(ana));
    const [row] = await ticketRows(s.show.id);
    expect(row).toMatchObject({ status: "IN_PROGRESS", userId: ana.id });

    await restart(s.show.id);
    const st = await s.state(ana);
    expect(st).toMatchObject({ status: "IN_PROGRESS", ticket: { id: row!.id } });
    await s.check();
  });

  it("recovers a cancel whose release and next admission D1 committed together, from the alarm, without any fan calling", async () => {
    const s = await sale(1, 2, { clock: "real" });
    const [ana, bia] = s.fans as [TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    // The release and the next fan's claim are one D1 transaction (src/show/ledger.ts releaseAndClaim).
    await crashDuring(s.show.id, "release", "after", () => s.cancel(ana));
    expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "IN_PROGRESS", userId: bia.id });

    await restart(s.show.id);
    // Ana's hold set an alarm; it wakes the restarted object, which reconciles: Bia holds the ticket.
    expect(await runDurableObjectAlarm(s.stub)).toBe(true);
    expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "IN_PROGRESS", userId: bia.id });
    expect((await s.state(ana)).status).toBe("CANCELLED");
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("keeps a cancel's release and the next fan's admission, both committed in D1 before the crash", async () => {
    const s = await sale(1, 2, { clock: "real" });
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const held = ok(await s.request(ana));
    ok(await s.request(bia));
    await crashDuring(s.show.id, "release", "after", () => s.cancel(ana));

    // The next fan's call after the restart sees what D1 did.
    await restart(s.show.id);
    expect(await s.state(bia)).toMatchObject({ status: "IN_PROGRESS", ticket: { id: held.ticket?.id } });
    expect((await s.state(ana)).status).toBe("CANCELLED");
    await s.check();
  });

  it("drops a hold whose release alone D1 committed, and admits the next fan", async () => {
    const s = await sale(1, 2, { clock: "real" });
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const held = ok(await s.request(ana));
    ok(await s.request(bia));
    // Ana's ticket went back in D1 (and no claim with it); the object never learned it.
    await env.DB.prepare("UPDATE tickets SET status = 'AVAILABLE', user_id = NULL, hold_expires_at = NULL WHERE id = ?")
      .bind(held.ticket!.id)
      .run();

    await restart(s.show.id);
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    expect((await s.state(ana)).status).toBe("CANCELLED");
    expect((await ticketRows(s.show.id)).map((t) => [t.status, t.userId])).toEqual([["IN_PROGRESS", bia.id]]);
    await s.check();
  });

  it("keeps a booking D1 recorded: the fan is BOOKED after the restart and the retried book answers 200", async () => {
    const s = await sale(1, 2, { clock: "real" });
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const held = ok(await s.request(ana));
    ok(await s.request(bia));
    const ticketId = held.ticket!.id;
    const payment = await s.pay(ana, ticketId);
    await crashDuring(s.show.id, "book", "after", () => s.book(ana, ticketId, payment.id));

    await restart(s.show.id);
    expect(await s.state(ana)).toMatchObject({ status: "BOOKED", booked: [{ id: ticketId }] });
    const retried = ok(await s.book(ana, ticketId, payment.id));
    expect(retried).toMatchObject({ status: "BOOKED", booked: [{ id: ticketId }] });
    expect((await s.state(bia)).status).toBe("SOLD_OUT");
    await s.check();
  });

  it("finishes an expiry whose release D1 committed in the alarm: the holder is EXPIRED and the next fan admitted", async () => {
    // Real time, a one-second hold and the real alarm, so that the restart's clock is past the expiry.
    const show = await createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 10_000, meiaShare: 0 }],
      holdSeconds: 1,
    });
    const [ana, bia] = (await signInMany(2)) as [TestFan, TestFan];
    const stub = showStub(show.id);
    ok(await stub.request(show.id, ana.id, { sector: "Pista", meia: false }));
    ok(await stub.request(show.id, bia.id, { sector: "Pista", meia: false }));
    const crash = crashAt("release", "after");
    injectD1(show.id, crash);
    await until(() => crash.crashed(), "the alarm to release the expired hold");
    // Released and claimed for Bia in one transaction: D1 has her hold, the object does not.
    expect((await ticketRows(show.id))[0]).toMatchObject({ status: "IN_PROGRESS", userId: bia.id });

    await restart(show.id);
    expect(ok(await stub.state(show.id, ana.id)).status).toBe("EXPIRED");
    expect(ok(await stub.state(show.id, bia.id)).status).toBe("IN_PROGRESS");
    await expectInvariants(show.id, [ana.id, bia.id], Date.now());
  });
});

describe("a crash after the object wrote its storage and before D1 was written", () => {
  it("admits a fan the object queued before D1's claim was sent", async () => {
    const s = await sale(1, 1, { clock: "real" });
    const [ana] = s.fans as [TestFan];
    await crashDuring(s.show.id, "claim", "before", () => s.request(ana));
    expect((await ticketRows(s.show.id))[0]!.status).toBe("AVAILABLE");

    await restart(s.show.id);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("loses nothing when the crash came before a cancel's release: the fan still holds and can cancel again", async () => {
    const s = await sale(1, 2, { clock: "real" });
    const [ana, bia] = s.fans as [TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    await crashDuring(s.show.id, "release", "before", () => s.cancel(ana));

    await restart(s.show.id);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    expect(ok(await s.cancel(ana)).status).toBe("CANCELLED");
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("keeps the hold when the crash came before the booking reached D1, and the retried book succeeds", async () => {
    const s = await sale(1, 1, { clock: "real" });
    const [ana] = s.fans as [TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    const payment = await s.pay(ana, ticketId);
    await crashDuring(s.show.id, "book", "before", () => s.book(ana, ticketId, payment.id));

    await restart(s.show.id);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    expect(ok(await s.book(ana, ticketId, payment.id)).status).toBe("BOOKED");
    await s.check();
  });
});

describe("D1 failing under a live object", () => {
  it("regression: the retry alarm set after a failed admission was deleted by the same call, leaving fans waiting", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    injectD1(s.show.id, failD1("claim", "before", Number.POSITIVE_INFINITY));
    const first = await s.request(ana);
    expect(first).toMatchObject({ ok: true, httpStatus: 202, state: { status: "WAITING", position: 1 } });
    ok(await s.request(bia));
    expect((await s.state(bia)).position).toBe(2);
    healD1(s.show.id);

    expect(await runDurableObjectAlarm(s.stub)).toBe(true);
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    expect((await s.state(bia)).position).toBe(1);
    await s.check();
  });

  it("regression: a claim retried after its answer was lost gave the fan a second ticket", async () => {
    const s = await sale(3, 1);
    const [ana] = s.fans as [TestFan];
    injectD1(s.show.id, failD1("claim", "after"));
    await s.request(ana);
    await runDurableObjectAlarm(s.stub);
    await s.state(ana);

    const mine = (await ticketRows(s.show.id)).filter((t) => t.userId === ana.id);
    expect(mine.map((t) => t.status)).toEqual(["IN_PROGRESS"]);
    expect(await s.state(ana)).toMatchObject({ status: "IN_PROGRESS", ticket: { id: mine[0]!.id } });
    await s.check();
  });

  it("regression: after a lost claim answer the same call admitted again and gave the fan a second ticket", async () => {
    const s = await sale(2, 4);
    const [x, y, ana, bia] = s.fans as [TestFan, TestFan, TestFan, TestFan];
    ok(await s.request(x));
    ok(await s.request(y));
    ok(await s.request(ana));
    await s.advance(HOLD_MS);
    // Bia's request first ends both holds and admits Ana (D1 commits, the answer is lost), then
    // queues Bia and admits again.
    injectD1(s.show.id, failD1("claim", "after"));
    await s.request(bia);
    healD1(s.show.id);

    const rows = await ticketRows(s.show.id);
    expect(rows.filter((t) => t.userId === ana.id)).toHaveLength(1);
    expect(rows.filter((t) => t.userId === bia.id)).toHaveLength(1);
    await s.check();
  });

  it("regression: a release whose answer was lost left the next fan WAITING while the ticket was AVAILABLE", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    injectD1(s.show.id, failD1("release", "after"));
    await rejects(s.cancel(ana));

    // The next call to the object, whoever makes it, finds out what D1 did.
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    expect((await s.state(ana)).status).toBe("CANCELLED");
    await s.check();
  });

  it("regression: a booking whose answer was lost made the retried book answer 402 and the fan lose the ticket", async () => {
    const s = await sale(1, 1);
    const [ana] = s.fans as [TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    const payment = await s.pay(ana, ticketId);
    injectD1(s.show.id, failD1("book", "after"));
    await rejects(s.book(ana, ticketId, payment.id));

    expect(ok(await s.book(ana, ticketId, payment.id))).toMatchObject({
      status: "BOOKED",
      booked: [{ id: ticketId }],
    });
    // The fan keeps the ticket when the hold's time passes.
    await s.advance(HOLD_MS);
    expect((await s.state(ana)).status).toBe("BOOKED");
    await s.check();
  });

  it("changes nothing when D1 is down at book, and the fan books once it is back", async () => {
    const s = await sale(1, 1);
    const [ana] = s.fans as [TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    const payment = await s.pay(ana, ticketId);
    injectD1(s.show.id, failD1("book", "before"));
    await rejects(s.book(ana, ticketId, payment.id));
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    expect(ok(await s.book(ana, ticketId, payment.id)).status).toBe("BOOKED");
    await s.check();
  });

  it("answers a fan's call with an error while D1 is down and an expiry is due, and serves it again afterwards", async () => {
    const s = await sale(1, 1);
    const [ana] = s.fans as [TestFan];
    ok(await s.request(ana));
    injectD1(s.show.id, failD1("any", "before", Number.POSITIVE_INFINITY));
    await s.advance(HOLD_MS);
    // An expiry is due: the object cannot release it while D1 is down, so it answers an error.
    await rejects(s.state(ana));
    healD1(s.show.id);
    expect((await s.state(ana)).status).toBe("EXPIRED");
    await s.check();
  });
});

describe("D1 failing while the object starts", () => {
  it("regression: an object waking up while D1 failed reset itself in its constructor, failing every call and the alarm's backoff", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    await s.advance(HOLD_MS);
    // The object wakes up (a deploy, an eviction) in the middle of a D1 outage, with Ana's hold due.
    const outage = failD1("any", "before", Number.POSITIVE_INFINITY);
    await restart(s.show.id, { d1: outage });

    // Fans are told to come back in a moment, in the contract's shape.
    for (const fan of [ana, bia]) {
      const answer = await call("GET", `/${s.show.id}/ingresso`, { token: fan.token });
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ error: { code: "UNAVAILABLE", message: expect.any(String) } });
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // The alarm does its own retries, backing off, however long the outage lasts.
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await runDurableObjectAlarm(s.stub)).toBe(true);
      delays.push((await runInDurableObject(s.stub, (_o, ctx) => ctx.storage.getAlarm()))! - s.now());
    }
    expect(delays).toEqual([2_000, 4_000, 8_000]);
    expect(outage.failures()).toBeGreaterThan(0);

    // D1 is back: the next alarm catches up, and nothing was lost.
    healD1(s.show.id);
    expect(await runDurableObjectAlarm(s.stub)).toBe(true);
    expect((await s.state(ana)).status).toBe("EXPIRED");
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });
});

describe("alarms", () => {
  it("retries an alarm whose settle failed: the object re-arms it, and the retry expires the hold and admits the next fan", async () => {
    // Real time, a one-second hold and the real alarm: the alarm's own retry is what is under test.
    const show = await createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 10_000, meiaShare: 0 }],
      holdSeconds: 1,
    });
    const [ana, bia] = (await signInMany(2)) as [TestFan, TestFan];
    const stub = showStub(show.id);
    ok(await stub.request(show.id, ana.id, { sector: "Pista", meia: false }));
    ok(await stub.request(show.id, bia.id, { sector: "Pista", meia: false }));
    const failure = failD1("release", "before");
    injectD1(show.id, failure);
    await until(async () => (await ticketRows(show.id))[0]?.userId === bia.id, "the alarm to retry", 20_000);
    expect(failure.failures()).toBe(1);
    expect(ok(await stub.state(show.id, ana.id)).status).toBe("EXPIRED");
    await expectInvariants(show.id, [ana.id, bia.id], Date.now());
  });

  it("never gives up while D1 is down: every failed alarm re-arms itself, backing off, and the first one after D1 is back catches up", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    await s.advance(HOLD_MS);
    injectD1(s.show.id, failD1("any", "before", Number.POSITIVE_INFINITY));
    // More failures in a row than the runtime would retry a throwing alarm.
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(await runDurableObjectAlarm(s.stub)).toBe(true);
      const next = await runInDurableObject(s.stub, (_o, ctx) => ctx.storage.getAlarm());
      expect(next).not.toBeNull();
      delays.push(next! - s.now());
    }
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);

    healD1(s.show.id);
    expect(await runDurableObjectAlarm(s.stub)).toBe(true);
    expect((await s.state(ana)).status).toBe("EXPIRED");
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("expires every overdue hold when the alarm fires late, and the next fans get a full hold from now", async () => {
    const s = await sale(2, 4);
    const [ana, bia, caio, dani] = s.fans as [TestFan, TestFan, TestFan, TestFan];
    for (const f of s.fans) ok(await s.request(f));
    await s.advance(HOLD_MS * 5);
    expect(await runDurableObjectAlarm(s.stub)).toBe(true);

    const rows = await ticketRows(s.show.id);
    expect(rows.map((r) => r.userId).sort()).toEqual([caio.id, dani.id].sort());
    expect(rows.map((r) => r.holdExpiresAt)).toEqual([s.now() + HOLD_MS, s.now() + HOLD_MS]);
    expect((await s.state(ana)).status).toBe("EXPIRED");
    expect((await s.state(bia)).status).toBe("EXPIRED");
    await s.check();
  });

  it("changes nothing when the alarm fires twice", async () => {
    const s = await sale(1, 3);
    const [ana, bia, caio] = s.fans as [TestFan, TestFan, TestFan];
    for (const f of s.fans) ok(await s.request(f));
    await s.advance(HOLD_MS);
    await runInDurableObject(s.stub, (o: ShowQueue) => o.alarm());
    const after = await ticketRows(s.show.id);
    expect(after.map((t) => [t.status, t.userId])).toEqual([["IN_PROGRESS", bia.id]]);
    await runInDurableObject(s.stub, (o: ShowQueue) => o.alarm());
    expect(await ticketRows(s.show.id)).toEqual(after);
    expect((await s.state(ana)).status).toBe("EXPIRED");
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    expect((await s.state(caio)).position).toBe(1);
    await s.check();
  });

  it("changes nothing when the alarm fires early, and keeps it set for the hold's expiry", async () => {
    const s = await sale(1, 2);
    const [ana] = s.fans as [TestFan, TestFan];
    const held = ok(await s.request(ana));
    for (const f of s.fans.slice(1)) ok(await s.request(f));
    await s.advance(HOLD_MS - 1);
    await runInDurableObject(s.stub, (o: ShowQueue) => o.alarm());
    expect((await s.state(ana)).status).toBe("IN_PROGRESS");
    expect(await runInDurableObject(s.stub, (_o, ctx) => ctx.storage.getAlarm())).toBe(Date.parse(held.expiresAt!));
    await s.check();
  });
});

describe("races on one hold", () => {
  it("book and expiry racing at the hold's last moment: the book wins, the alarm takes nothing back", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    ok(await s.request(bia));
    const payment = await s.pay(ana, ticketId);
    await s.advance(HOLD_MS - 1);
    const [booked] = await Promise.all([
      s.book(ana, ticketId, payment.id),
      runInDurableObject(s.stub, (o: ShowQueue) => o.alarm()),
    ]);
    expect(ok(booked).status).toBe("BOOKED");
    await s.advance(1);
    await runInDurableObject(s.stub, (o: ShowQueue) => o.alarm());
    expect((await s.state(ana)).status).toBe("BOOKED");
    expect((await s.state(bia)).status).toBe("SOLD_OUT");
    await s.check();
  });

  it("book and expiry racing at the instant of expiry: the hold is gone, the next fan has it and the payment is owed back", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    ok(await s.request(bia));
    const payment = await s.pay(ana, ticketId);
    await s.advance(HOLD_MS);
    const [late] = await Promise.all([
      s.book(ana, ticketId, payment.id),
      runInDurableObject(s.stub, (o: ShowQueue) => o.alarm()),
    ]);
    expect(late).toMatchObject({ ok: false, code: "HOLD_EXPIRED" });
    expect((await s.state(bia)).ticket?.id).toBe(ticketId);
    expect((await paymentRows(s.show.id)).map((p) => p.status)).toEqual(["REFUND_DUE"]);
    await s.check();
  });

  it("lets a booking in flight finish when the hold's time passes meanwhile: the expiry does not undo it", async () => {
    const s = await sale(1, 2);
    const [ana, bia] = s.fans as [TestFan, TestFan];
    const ticketId = ok(await s.request(ana)).ticket!.id;
    ok(await s.request(bia));
    const payment = await s.pay(ana, ticketId);
    const pause = pauseAt("book");
    injectD1(s.show.id, pause.plan);
    const booking = s.book(ana, ticketId, payment.id);
    await pause.reached();
    // The hold's time passes and the alarm arrives while D1 is booking.
    await s.advance(HOLD_MS);
    const alarm = runInDurableObject(s.stub, (o: ShowQueue) => o.alarm());
    pause.release();
    expect(ok(await booking).status).toBe("BOOKED");
    await alarm;
    expect((await s.state(ana)).status).toBe("BOOKED");
    expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "BOOKED", userId: ana.id });
    await s.check();
  });

  it("a cancel racing the admission it causes: the admitted fan's own cancel, arriving meanwhile, still ends their hold", async () => {
    const s = await sale(1, 3);
    const [ana, bia, caio] = s.fans as [TestFan, TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    ok(await s.request(caio));
    // Ana's release and Bia's admission are one D1 transaction: Bia cancels while it is in flight.
    const pause = pauseAt("release");
    injectD1(s.show.id, pause.plan);
    const anaCancel = s.cancel(ana);
    await pause.reached();
    const biaCancel = s.cancel(bia);
    pause.release();
    expect(ok(await anaCancel).status).toBe("CANCELLED");
    expect(ok(await biaCancel).status).toBe("CANCELLED");
    // Bia's ticket went to Caio, the next in line.
    expect((await s.state(caio)).status).toBe("IN_PROGRESS");
    await s.check();
  });

  it("a waiting fan's cancel racing their admission: whichever comes first, the fan ends CANCELLED and the ticket is not lost", async () => {
    for (const order of ["cancel-first", "admission-first"] as const) {
      const s = await sale(1, 2);
      const [ana, bia] = s.fans as [TestFan, TestFan];
      ok(await s.request(ana));
      ok(await s.request(bia));
      const [first, second] = order === "cancel-first" ? [bia, ana] : [ana, bia];
      await Promise.all([s.cancel(first), s.cancel(second)]);
      expect((await s.state(bia)).status).toBe("CANCELLED");
      expect((await ticketRows(s.show.id))[0]).toMatchObject({ status: "AVAILABLE", userId: null });
      await s.check();
    }
  });

  it("a request arriving while an admission is in flight queues behind the fan being admitted", async () => {
    const s = await sale(1, 3);
    const [ana, bia, caio] = s.fans as [TestFan, TestFan, TestFan];
    ok(await s.request(ana));
    ok(await s.request(bia));
    // Ana's release and Bia's admission are one D1 transaction: Caio asks while it is in flight.
    const pause = pauseAt("release");
    injectD1(s.show.id, pause.plan);
    const anaCancel = s.cancel(ana);
    await pause.reached();
    const caioRequest = s.request(caio);
    pause.release();
    await anaCancel;
    expect(ok(await caioRequest)).toMatchObject({ status: "WAITING", position: 1 });
    expect((await s.state(bia)).status).toBe("IN_PROGRESS");
    await s.check();
  });
});
