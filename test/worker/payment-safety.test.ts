/**
 * Payment safety: money approved for a hold that ended without a booking is REFUND_DUE and listed
 * for the organizer, whichever comes first (approval or the hold's end); a payment books at most
 * one ticket, once.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/database";
import { approvePayment } from "../../src/db/queries";
import { clockOf, setClock } from "./faults/inject";
import { call, paymentRows, requestTicket, showStub, signIn, state, type TestFan, ticketRows } from "./helpers";
import { expectInvariants } from "./invariants";
import { pistaShow, refunds } from "./payments";

const HOLD_SECONDS = 60;

const sale = (seats = 1) => pistaShow({ seats, priceCents: 10_000, holdSeconds: HOLD_SECONDS });

async function hold(showId: string, fan: TestFan) {
  const res = await requestTicket(showId, fan);
  expect(res.status).toBe(200);
  return { ticketId: res.json.ticket.id as string, expiresAt: Date.parse(res.json.expiresAt) };
}

async function createPayment(showId: string, fan: TestFan, ticketId: string): Promise<string> {
  const res = await call("POST", "/api/payments", { token: fan.token, body: { showId, ticketId } });
  expect(res.status).toBe(201);
  return res.json.payment.id;
}

const approveAt = (paymentId: string, fan: TestFan, at: number) =>
  approvePayment(database(env.DB), paymentId, fan.id, at);
const approveNow = (paymentId: string, fan: TestFan) =>
  call("POST", `/api/payments/${paymentId}/sandbox/approve`, { token: fan.token });
const book = (showId: string, fan: TestFan, ticketId: string, paymentId: string) =>
  call("PATCH", `/${showId}/ingresso/book`, { token: fan.token, body: { ticketId, paymentId } });

describe("money for a hold that ended without a booking", () => {
  it("is REFUND_DUE and listed for the organizer when the hold expired after the approval", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, expiresAt } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    expect((await approveNow(paymentId, ana)).json.payment.status).toBe("APPROVED");

    setClock(showId, expiresAt);
    expect(await runDurableObjectAlarm(showStub(showId))).toBe(true);
    expect((await state(showId, ana)).status).toBe("EXPIRED");
    expect(await refunds(showId)).toEqual([
      expect.objectContaining({
        id: paymentId,
        status: "REFUND_DUE",
        amountCents: 10_000,
        user: expect.objectContaining({ id: ana.id }),
      }),
    ]);
    expect((await call("GET", `/api/payments/${paymentId}`, { token: ana.token })).json.payment.status).toBe(
      "REFUND_DUE",
    );
    // The money cannot book the ticket afterwards.
    expect((await book(showId, ana, ticketId, paymentId)).json.error.code).toBe("HOLD_EXPIRED");
  });

  it("is REFUND_DUE and listed when the fan cancelled the hold after the approval", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await approveNow(paymentId, ana);
    await call("PATCH", `/${showId}/ingresso/cancel`, { token: ana.token });
    expect((await refunds(showId)).map((r) => [r.id, r.status])).toEqual([[paymentId, "REFUND_DUE"]]);
  });

  it("is REFUND_DUE at once when the approval comes after the hold ended", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await call("PATCH", `/${showId}/ingresso/cancel`, { token: ana.token });
    expect((await approveNow(paymentId, ana)).json.payment.status).toBe("REFUND_DUE");
    expect((await refunds(showId)).map((r) => r.id)).toEqual([paymentId]);
  });

  it("approval racing expiry: a moment before, at the instant, or at once with the alarm, the money is owed back exactly once", async () => {
    for (const race of ["approved-just-before", "approved-at-expiry", "concurrent"] as const) {
      const showId = await sale();
      const [ana, bia] = [await signIn(), await signIn()];
      const { ticketId, expiresAt } = await hold(showId, ana);
      await requestTicket(showId, bia);
      const paymentId = await createPayment(showId, ana, ticketId);
      setClock(showId, expiresAt);
      if (race === "approved-just-before") {
        expect((await approveAt(paymentId, ana, expiresAt - 1))?.status).toBe("APPROVED");
        await runDurableObjectAlarm(showStub(showId));
      } else if (race === "approved-at-expiry") {
        // The hold ends at expiresAt, even if the object has not released it yet.
        expect((await approveAt(paymentId, ana, expiresAt))?.status).toBe("REFUND_DUE");
        await runDurableObjectAlarm(showStub(showId));
      } else {
        await Promise.all([approveAt(paymentId, ana, expiresAt - 1), runDurableObjectAlarm(showStub(showId))]);
      }
      expect({ race, refunds: (await refunds(showId)).map((r) => r.id) }).toEqual({ race, refunds: [paymentId] });
      expect((await book(showId, ana, ticketId, paymentId)).json.error.code).toBe("HOLD_EXPIRED");
      // The ticket went on to the next fan, untouched by Ana's money.
      expect((await state(showId, bia)).ticket?.id).toBe(ticketId);
      await expectInvariants(showId, [ana.id, bia.id], clockOf(showId));
    }
  });
});

describe("a payment books at most one ticket, once", () => {
  it("answers a repeated book with the same state and keeps one booking", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await approveNow(paymentId, ana);
    const first = await book(showId, ana, ticketId, paymentId);
    const again = await book(showId, ana, ticketId, paymentId);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect((await ticketRows(showId)).filter((t) => t.paymentId === paymentId)).toHaveLength(1);
  });

  it("books once when the same payment is sent twice at once", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await approveNow(paymentId, ana);
    const answers = await Promise.all([1, 2, 3].map(() => book(showId, ana, ticketId, paymentId)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await state(showId, ana)).booked.map((t) => t.id)).toEqual([ticketId]);
    expect((await ticketRows(showId)).filter((t) => t.status === "BOOKED")).toHaveLength(1);
  });

  it("refuses a used payment for the fan's next ticket", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const first = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, first.ticketId);
    await approveNow(paymentId, ana);
    await book(showId, ana, first.ticketId, paymentId);
    const second = await hold(showId, ana);
    const reuse = await book(showId, ana, second.ticketId, paymentId);
    expect(reuse.status).toBe(402);
    expect(reuse.json.error.code).toBe("PAYMENT_NOT_APPROVED");
    expect((await state(showId, ana)).status).toBe("IN_PROGRESS");
  });

  it("refuses a payment for another amount, and approves a payment only once", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await env.DB.prepare("UPDATE payments SET amount_cents = 1 WHERE id = ?").bind(paymentId).run();
    await approveNow(paymentId, ana);
    expect((await book(showId, ana, ticketId, paymentId)).json.error.code).toBe("PAYMENT_NOT_APPROVED");
    const again = await approveNow(paymentId, ana);
    expect(again.json.payment.status).toBe("APPROVED");
    expect((await paymentRows(showId)).map((p) => p.status)).toEqual(["APPROVED"]);
  });

  it("owes back the other approved payments for the same hold once one of them booked it", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const [p1, p2] = [await createPayment(showId, ana, ticketId), await createPayment(showId, ana, ticketId)];
    await approveNow(p1, ana);
    await approveNow(p2, ana);
    expect((await book(showId, ana, ticketId, p2)).status).toBe(200);
    expect((await refunds(showId)).map((r) => r.id)).toEqual([p1]);
    expect((await paymentRows(showId)).find((p) => p.id === p2)?.status).toBe("APPROVED");
  });

  it("cannot put one payment on two tickets even in D1 itself (unique index)", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const { ticketId } = await hold(showId, ana);
    const paymentId = await createPayment(showId, ana, ticketId);
    await approveNow(paymentId, ana);
    await book(showId, ana, ticketId, paymentId);
    const other = (await ticketRows(showId)).find((t) => t.id !== ticketId);
    await expect(
      env.DB.prepare("UPDATE tickets SET payment_id = ? WHERE id = ?").bind(paymentId, other?.id).run(),
    ).rejects.toThrow(/UNIQUE/);
  });
});
