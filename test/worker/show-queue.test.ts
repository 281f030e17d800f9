import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { advanceClock } from "./faults/inject";
import {
  call,
  createShow,
  payAndBook,
  requestTicket,
  type SectorSpec,
  settled,
  showStub,
  signIn,
  signInMany,
  state,
  ticketRows,
} from "./helpers";

const pista = (capacity: number): SectorSpec[] => [{ name: "Pista", capacity, priceCents: 12000, meiaShare: 0 }];

describe.each([1, 8])("the show's queue (%i lanes)", (lanes) => {
  it("gives 100 concurrent fans on 20 tickets exactly 20 distinct holds and positions 1..80", async () => {
    const show = await createShow({ sectors: pista(20), lanes });
    const fans = await signInMany(100);
    const answers = await Promise.all(fans.map((f) => requestTicket(show.id, f)));

    const holding = answers.filter((a) => a.status === 200);
    const waiting = answers.filter((a) => a.status === 202);
    expect(holding).toHaveLength(20);
    expect(waiting).toHaveLength(80);
    expect(new Set(holding.map((a) => a.json.ticket.id)).size).toBe(20);
    // With lanes an answer's position is provisional; the positions settle as the view reaches every lane.
    await settled(show.id);
    const positions = await Promise.all(
      fans.filter((_, i) => answers[i]?.status === 202).map(async (f) => (await state(show.id, f)).position),
    );
    expect(positions.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    if (lanes === 1) {
      expect(waiting.map((a) => a.json.position).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 80 }, (_, i) => i + 1),
      );
    }

    const rows = await ticketRows(show.id);
    expect(rows.filter((r) => r.status === "IN_PROGRESS")).toHaveLength(20);
    expect(new Set(rows.map((r) => r.userId).filter(Boolean)).size).toBe(20);
  });

  it("keeps a fan's place when the request is repeated", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [a, b, c] = await signInMany(3);
    await requestTicket(show.id, a!);
    await requestTicket(show.id, b!);
    await requestTicket(show.id, c!);
    const again = await requestTicket(show.id, b!);
    expect(again.status).toBe(202);
    expect(again.json.position).toBe(1);
    const otherClass = await requestTicket(show.id, c!, "Pista", true);
    expect(otherClass.status).toBe(202);
    expect(otherClass.json).toMatchObject({ status: "WAITING", position: 2, meia: false });
    const holder = await requestTicket(show.id, a!);
    expect(holder.status).toBe(200);
    expect(holder.json.ticket.id).toBe((await state(show.id, a!)).ticket?.id);
  });

  it("admits strictly in arrival order after cancels and expiries", async () => {
    const show = await createShow({ sectors: pista(2), holdSeconds: 60, lanes });
    const fans = await signInMany(6);
    for (const f of fans) await requestTicket(show.id, f);
    const [f0, f1, f2, f3, f4, f5] = fans as [
      (typeof fans)[0],
      (typeof fans)[0],
      (typeof fans)[0],
      (typeof fans)[0],
      (typeof fans)[0],
      (typeof fans)[0],
    ];

    // f3 leaves the queue: f2 and f4 move up.
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: f3.token });
    await settled(show.id);
    expect((await state(show.id, f4)).position).toBe(2);

    // f0 gives its ticket back: the head of the queue (f2) gets it, not a later fan.
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: f0.token });
    await settled(show.id);
    expect((await state(show.id, f2)).status).toBe("IN_PROGRESS");
    expect((await state(show.id, f4)).position).toBe(1);

    // Both holds run out: the alarm admits f4 then f5, in that order.
    advanceClock(show.id, 61_000);
    expect(await runDurableObjectAlarm(showStub(show.id))).toBe(true);
    expect((await state(show.id, f1)).status).toBe("EXPIRED");
    expect((await state(show.id, f2)).status).toBe("EXPIRED");
    expect((await state(show.id, f4)).status).toBe("IN_PROGRESS");
    expect((await state(show.id, f5)).status).toBe("IN_PROGRESS");
    expect((await state(show.id, f3)).status).toBe("CANCELLED");
  });

  it("hands the tickets of a burst of cancels to as many next fans, in arrival order", async () => {
    const show = await createShow({ sectors: pista(5), lanes });
    const fans = await signInMany(12);
    for (const f of fans) await requestTicket(show.id, f);
    // fans 0..4 hold, 5..11 wait. Three holders and one waiting fan give up at the same time.
    const leaving = [0, 2, 4, 6].map((i) => fans[i]!);
    const answers = await Promise.all(
      leaving.map((f) => call("PATCH", `/${show.id}/ingresso/cancel`, { token: f.token })),
    );
    expect(answers.map((a) => [a.status, a.json.status])).toEqual(leaving.map(() => [200, "CANCELLED"]));

    await settled(show.id);
    const statuses = await Promise.all(fans.map((f) => state(show.id, f)));
    expect(statuses.map((s) => s.status)).toEqual([
      "CANCELLED",
      "IN_PROGRESS",
      "CANCELLED",
      "IN_PROGRESS",
      "CANCELLED",
      "IN_PROGRESS",
      "CANCELLED",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "WAITING",
      "WAITING",
      "WAITING",
    ]);
    expect(statuses.slice(9).map((s) => s.position)).toEqual([1, 2, 3]);
    const held = (await ticketRows(show.id)).filter((r) => r.status === "IN_PROGRESS");
    expect(new Set(held.map((r) => r.userId))).toEqual(new Set([1, 3, 5, 7, 8].map((i) => fans[i]!.id)));
  });

  it("refuses to book a hold past its time even before the alarm ran", async () => {
    const show = await createShow({ sectors: pista(1), holdSeconds: 30, lanes });
    const [ana, bia] = await signInMany(2);
    const held = await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const ticketId = held.json.ticket.id;
    const pay = await call("POST", "/api/payments", { token: ana!.token, body: { showId: show.id, ticketId } });
    await call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: ana!.token });

    advanceClock(show.id, 31_000);
    const late = await call("PATCH", `/${show.id}/ingresso/book`, {
      token: ana!.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe("HOLD_EXPIRED");
    // The ticket went to the next fan and Ana's money is owed back.
    expect((await state(show.id, bia!)).ticket?.id).toBe(ticketId);
    const refunds = await call("GET", `/api/admin/shows/${show.id}/refunds`, { admin: true });
    expect(refunds.json.refunds.map((r: { id: string }) => r.id)).toEqual([pay.json.payment.id]);
  });

  it("tells every waiting fan SOLD_OUT when the last ticket is booked", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana, bia, caio] = await signInMany(3);
    const held = await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    await requestTicket(show.id, caio!);
    const { booked } = await payAndBook(show.id, ana!, held.json.ticket.id);
    expect(booked.json.status).toBe("BOOKED");
    expect((await state(show.id, bia!)).status).toBe("SOLD_OUT");
    expect((await state(show.id, caio!)).status).toBe("SOLD_OUT");
    const late = await requestTicket(show.id, await signIn());
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe("SOLD_OUT");
  });

  it("expires overdue holds from the cron sweep when the alarm was lost", async () => {
    const show = await createShow({ sectors: pista(1), holdSeconds: 1, lanes });
    const [ana, bia] = await signInMany(2);
    await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    // Lose the alarm, and let real time pass the 1 s hold.
    await runInDurableObject(showStub(show.id), (_o, ctx) => ctx.storage.deleteAlarm());
    await new Promise((r) => setTimeout(r, 1_100));
    const { default: worker } = await import("../../src/index");
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import(
      "cloudflare:test"
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await state(show.id, bia!)).status).toBe("IN_PROGRESS");
    expect((await state(show.id, ana!)).status).toBe("EXPIRED");
  });
});

describe("the show object's alarm", () => {
  it("sets one alarm at the earliest hold expiry and clears it when no hold is left", async () => {
    const show = await createShow({ sectors: pista(2), holdSeconds: 120 });
    const [ana] = await signInMany(1);
    const held = await requestTicket(show.id, ana!);
    const alarm = await runInDurableObject(showStub(show.id), (_o, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBe(Date.parse(held.json.expiresAt));
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana!.token });
    expect(await runInDurableObject(showStub(show.id), (_o, ctx) => ctx.storage.getAlarm())).toBeNull();
  });
});

describe("one object, one show", () => {
  it("regression: an object asked about another show cached that show's rules and sold its tickets", async () => {
    const mine = await createShow({ sectors: pista(1) });
    const other = await createShow({ sectors: [{ name: "Camarote", capacity: 5, priceCents: 50000, meiaShare: 0 }] });
    const [ana] = await signInMany(1);
    const refused = (p: Promise<unknown>) =>
      p.then(
        (answer) => `answered ${JSON.stringify(answer)}`,
        (err: Error) => err.message,
      );
    const stub = showStub(mine.id);
    expect(await refused(stub.request(other.id, ana!.id, { sector: "Camarote", meia: false }))).toMatch(/serves show/);
    expect(await refused(stub.state(other.id, ana!.id))).toMatch(/serves show/);
    // Both objects still serve their own show only.
    expect((await requestTicket(mine.id, ana!)).json.sector).toBe("Pista");
    expect((await requestTicket(mine.id, ana!, "Camarote")).json.error.code).toBe("BAD_REQUEST");
    expect((await ticketRows(other.id)).every((t) => t.status === "AVAILABLE")).toBe(true);
  });
});
