/**
 * Stripe's webhook is the truth: a payment the fan made is booked on the server, with the browser
 * gone; events twice or out of order change nothing the second time; a signature that is missing,
 * forged, stale or replayed changes nothing; money that cannot buy the ticket is refunded.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { call, paymentRows, requestTicket, signIn, state, type TestFan, ticketRows } from "../helpers";
import { expectInvariants } from "../invariants";
import { alarmAt, pistaShow, refunds } from "../payments";
import { atStripe, deliver, holdAndCheckout, payer, payment, postWebhook, sign, stripeEvent } from "./stripe";

const PRICE = 18_000;

const sale = (seats = 1) => pistaShow({ seats, priceCents: PRICE, holdSeconds: 600 });

async function deliveries() {
  return Number((await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries").first<{ n: number }>())?.n);
}

/** Everything a forged delivery must leave as it was. */
async function snapshot(showId: string, fan: TestFan) {
  return { state: await state(showId, fan), tickets: await ticketRows(showId), payments: await paymentRows(showId) };
}

describe("a payment confirmed by Stripe's webhook", () => {
  it("books the ticket on the server when the fan paid by card and never came back", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, paymentId, sessionId } = await holdAndCheckout(showId, ana);
    await payer.payByCard(sessionId);
    // Ana's browser is gone: no PATCH …/book. Only Stripe speaks.
    const res = await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: true, payment: { id: paymentId, status: "APPROVED" } });
    expect(await state(showId, ana)).toMatchObject({ status: "BOOKED", ticket: { id: ticketId, status: "BOOKED" } });
    expect((await ticketRows(showId)).map((t) => [t.status, t.userId, t.paymentId])).toEqual([
      ["BOOKED", ana.id, paymentId],
    ]);
    // The fan's page coming back later books nothing twice: the contract's book answers 200 again.
    const back = await call("PATCH", `/${showId}/ingresso/book`, { token: ana.token, body: { ticketId, paymentId } });
    expect(back.status).toBe(200);
    expect(back.json.booked).toHaveLength(1);
    await expectInvariants(showId, [ana.id], Date.now());
  });

  it("books a Pix paid in the bank's app: the code issued, then the money", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, paymentId, sessionId } = await holdAndCheckout(showId, ana);
    await payer.issuePix(sessionId);
    const issued = await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect(issued.json.payment).toEqual({ id: paymentId, status: "PENDING" });
    expect((await state(showId, ana)).status).toBe("IN_PROGRESS");
    await payer.payPix(sessionId);
    const paid = await deliver(await stripeEvent("checkout.session.async_payment_succeeded", sessionId));
    expect(paid.json.payment).toEqual({ id: paymentId, status: "APPROVED" });
    expect((await state(showId, ana)).ticket).toMatchObject({ id: ticketId, status: "BOOKED" });
  });

  it("changes nothing when the same event comes again (Stripe re-signs a retry)", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const { paymentId, sessionId } = await holdAndCheckout(showId, ana);
    await payer.payByCard(sessionId);
    const event = await stripeEvent("checkout.session.completed", sessionId);
    expect((await deliver(event)).status).toBe(200);
    const after = await snapshot(showId, ana);
    // Stripe's retry, a while later: the same event, signed anew.
    const again = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) + 60 });
    expect(again.status).toBe(200);
    expect(again.json.payment).toEqual({ id: paymentId, status: "APPROVED" });
    expect(await snapshot(showId, ana)).toEqual(after);
    expect((await atStripe(sessionId)).calls).toEqual([]);
  });

  it("changes nothing when an older event arrives after the payment was booked (out of order)", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await payer.issuePix(sessionId);
    const issued = await stripeEvent("checkout.session.completed", sessionId);
    const requiresAction = await stripeEvent("payment_intent.requires_action", sessionId);
    await payer.payPix(sessionId);
    expect((await deliver(await stripeEvent("checkout.session.async_payment_succeeded", sessionId))).status).toBe(200);
    const booked = await snapshot(showId, ana);
    // The Pix-issued events arrive late: they say "in flight", but Stripe says paid now.
    for (const late of [issued, requiresAction]) {
      const res = await deliver(late);
      expect(res.json.payment).toEqual({ id: paymentId, status: "APPROVED" });
    }
    expect(await snapshot(showId, ana)).toEqual(booked);
    expect((await payment(paymentId))?.graceUntil).toBeNull();
    expect(booked.state.status).toBe("BOOKED");
    expect(expiresAt).toBeGreaterThan(Date.now());
  });

  it("ignores events about nothing of ours, and answers them 200 so Stripe stops sending", async () => {
    const payload = JSON.stringify({
      id: "evt_test_other",
      object: "event",
      type: "customer.created",
      data: { object: { id: "cus_1", object: "customer" } },
    });
    const res = await postWebhook(payload, await sign(payload));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: true, payment: null });
  });
});

describe("a webhook whose signature does not verify changes nothing", () => {
  async function pendingPayment() {
    const showId = await sale();
    const ana = await signIn();
    const checkout = await holdAndCheckout(showId, ana);
    await payer.payByCard(checkout.sessionId);
    const payload = JSON.stringify(await stripeEvent("checkout.session.completed", checkout.sessionId));
    return { showId, ana, payload, before: await snapshot(showId, ana), ...checkout };
  }

  const refusals: [string, (payload: string) => Promise<{ payload: string; signature: string | undefined }>][] = [
    ["missing", async (payload) => ({ payload, signature: undefined })],
    ["empty", async (payload) => ({ payload, signature: "" })],
    [
      "signed with another secret",
      async (payload) => ({ payload, signature: await sign(payload, { secret: "whsec_forged" }) }),
    ],
    [
      "signed for another body",
      async (payload) => ({ payload: payload.replace('"paid"', '"unpaid"'), signature: await sign(payload) }),
    ],
    ["malformed", async (payload) => ({ payload, signature: "t=abc,v1=zzz" })],
    [
      "stale (older than Stripe's 5-minute tolerance)",
      async (payload) => ({
        payload,
        signature: await sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      }),
    ],
    [
      "from the future",
      async (payload) => ({
        payload,
        signature: await sign(payload, { timestamp: Math.floor(Date.now() / 1000) + 3600 }),
      }),
    ],
  ];

  for (const [name, make] of refusals) {
    it(`refuses a ${name} signature with 400 BAD_SIGNATURE`, async () => {
      const p = await pendingPayment();
      const before = await deliveries();
      const { payload, signature } = await make(p.payload);
      const res = await postWebhook(payload, signature);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("BAD_SIGNATURE");
      expect(await snapshot(p.showId, p.ana)).toEqual(p.before);
      expect(await deliveries()).toBe(before);
    });
  }

  it("refuses a replayed delivery (the very same signed request again) with 400 BAD_SIGNATURE", async () => {
    const showId = await sale(2);
    const ana = await signIn();
    const { sessionId } = await holdAndCheckout(showId, ana);
    await payer.issuePix(sessionId);
    const payload = JSON.stringify(await stripeEvent("checkout.session.completed", sessionId));
    const signature = await sign(payload);
    expect((await postWebhook(payload, signature)).status).toBe(200);
    const after = await snapshot(showId, ana);
    const replay = await postWebhook(payload, signature);
    expect(replay.status).toBe(400);
    expect(replay.json.error.code).toBe("BAD_SIGNATURE");
    expect(await snapshot(showId, ana)).toEqual(after);
  });
});

describe("money that cannot buy the ticket is refunded", () => {
  it("refunds a payment confirmed after the hold ended, and the ticket goes to the next fan", async () => {
    const showId = await sale();
    const [ana, bia] = [await signIn(), await signIn()];
    const { ticketId, paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    expect((await requestTicket(showId, bia)).status).toBe(202);
    await alarmAt(showId, expiresAt);
    expect((await state(showId, bia)).ticket?.id).toBe(ticketId);
    // Ana pays on Stripe's page all the same, a moment too late.
    await payer.payByCard(sessionId);
    const res = await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect(res.json.payment).toEqual({ id: paymentId, status: "REFUNDED" });
    expect((await atStripe(sessionId)).calls).toEqual(["refund"]);
    expect(await refunds(showId)).toEqual([
      expect.objectContaining({ id: paymentId, status: "REFUNDED", refundId: expect.stringMatching(/^re_/) }),
    ]);
    expect((await state(showId, ana)).status).toBe("EXPIRED");
    expect((await state(showId, bia)).ticket?.id).toBe(ticketId);
    // A retry of the same news refunds nothing twice.
    await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect((await atStripe(sessionId)).calls).toEqual(["refund"]);
    await expectInvariants(showId, [ana.id, bia.id], expiresAt);
  });

  it("refuses money of another amount or currency: logged, nothing booked, refunded", async () => {
    for (const paid of [{ amount: PRICE - 1 }, { currency: "usd" }]) {
      const showId = await sale();
      const ana = await signIn();
      const { paymentId, sessionId } = await holdAndCheckout(showId, ana);
      await payer.payByCard(sessionId, paid);
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      const res = await deliver(await stripeEvent("checkout.session.completed", sessionId));
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("another amount"), expect.anything());
      logged.mockRestore();
      expect(res.json.payment).toEqual({ id: paymentId, status: "REFUNDED" });
      expect((await state(showId, ana)).status).toBe("IN_PROGRESS");
      expect((await ticketRows(showId)).filter((t) => t.status === "BOOKED")).toEqual([]);
    }
  });
});
