/**
 * The checkout for a hold at Stripe: what it asks for, how it cannot be paid long after the hold,
 * and what the fan gets when Stripe is down.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PAYMENT_GRACE_MS } from "../../../src/show/rules";
import { call, requestTicket, signIn, state } from "../helpers";
import { alarmAt, pistaShow } from "../payments";
import { atStripe, deliver, holdAndCheckout, payer, payment, runCron, stripeDown, stripeEvent } from "./stripe";

const sale = () => pistaShow({ seats: 2, priceCents: 45_000, meiaShare: 0.5, holdSeconds: 600 });

describe("a Stripe checkout for a hold", () => {
  it("asks for the held ticket's price in BRL, by card or Pix, tied to payment, show, ticket and fan", async () => {
    const showId = await sale();
    const ana = await signIn("Ana");
    const held = await requestTicket(showId, ana, "Pista", true);
    const ticketId = held.json.ticket.id as string;
    const created = await call("POST", "/api/payments", { token: ana.token, body: { showId, ticketId } });
    expect(created.status).toBe(201);
    expect(created.json.payment).toMatchObject({ amountCents: 22_500, status: "PENDING", provider: "stripe" });
    const paymentId = created.json.payment.id;
    const { sessionId } = (await payment(paymentId)) as { sessionId: string };
    const { session } = await atStripe(sessionId);
    expect(created.json.checkoutUrl).toBe(session.url);
    expect(session).toMatchObject({
      mode: "payment",
      amount_total: 22_500,
      currency: "brl",
      allowed_payment_method_types: ["card", "pix"],
      client_reference_id: paymentId,
      metadata: { payment_id: paymentId, show_id: showId, ticket_id: ticketId, fan_id: ana.id },
      success_url: `http://catraca.test/shows/${showId}?pagamento=${paymentId}`,
    });
    const holdLeftS = (Date.parse(held.json.expiresAt) - Date.now()) / 1000;
    // Stripe's shortest session (30 min) is longer than the hold: catraca closes it when the hold ends.
    expect(session.expires_at - session.created).toBeGreaterThanOrEqual(30 * 60);
    // A Pix code lives from when the fan chooses Pix: the hold's time left plus the grace.
    expect(session.payment_method_options.pix.expires_after_seconds).toBeCloseTo(
      holdLeftS + PAYMENT_GRACE_MS / 1000,
      -1,
    );
  });

  it("answers 502 PAYMENT_PROVIDER_UNAVAILABLE when Stripe is down, and the fan keeps the hold", async () => {
    const showId = await sale();
    const ana = await signIn();
    const held = await requestTicket(showId, ana, "Pista");
    const ticketId = held.json.ticket.id as string;
    await stripeDown(showId, true);
    const failed = await call("POST", "/api/payments", { token: ana.token, body: { showId, ticketId } });
    await stripeDown(showId, false);
    expect(failed.status).toBe(502);
    expect(failed.json.error.code).toBe("PAYMENT_PROVIDER_UNAVAILABLE");
    expect(failed.json.error.message).toContain("held until");
    expect(await state(showId, ana)).toMatchObject({
      status: "IN_PROGRESS",
      ticket: { id: ticketId },
      expiresAt: held.json.expiresAt,
    });
    const retried = await call("POST", "/api/payments", { token: ana.token, body: { showId, ticketId } });
    expect(retried.status).toBe(201);
  });

  it("sends the fan from /checkout/:paymentId on to Stripe's page while the payment is pending", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, checkoutUrl } = await holdAndCheckout(showId, ana);
    const res = await exports.default.fetch(`http://catraca.test/checkout/${paymentId}`, {
      headers: { cookie: `catraca_session=${ana.token}` },
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(checkoutUrl);
  });
});

describe("a checkout cannot be paid long after its hold", () => {
  it("is expired at Stripe by the cron's sweep once the hold is over, and a late event changes nothing", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await alarmAt(showId, expiresAt);
    await runCron();
    expect((await atStripe(sessionId)).session.status).toBe("expired");
    expect((await payment(paymentId))?.status).toBe("EXPIRED");
    const late = await deliver(await stripeEvent("checkout.session.expired", sessionId));
    expect(late.json.payment).toEqual({ id: paymentId, status: "EXPIRED" });
    await expect(payer.payByCard(sessionId)).rejects.toThrow(/expired/);
  });

  it("is expired when the fan gives the hold up, at the next sweep", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, sessionId } = await holdAndCheckout(showId, ana);
    await call("PATCH", `/${showId}/ingresso/cancel`, { token: ana.token });
    await runCron();
    expect((await atStripe(sessionId)).calls).toEqual(["expire"]);
    expect((await payment(paymentId))?.status).toBe("EXPIRED");
  });

  it("is refunded when the money won the race against the sweep", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await alarmAt(showId, expiresAt);
    await payer.payByCard(sessionId);
    // The sweep comes before Stripe's webhook: closing finds the money, and gives it back.
    await runCron();
    expect((await atStripe(sessionId)).calls).toEqual(["refund"]);
    expect((await payment(paymentId))?.status).toBe("REFUNDED");
    const webhook = await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect(webhook.json.payment).toEqual({ id: paymentId, status: "REFUNDED" });
    expect((await atStripe(sessionId)).calls).toEqual(["refund"]);
  });
});
