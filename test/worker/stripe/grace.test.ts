/**
 * A payment in flight when the hold would end: the hold is extended once, by the grace, when Stripe
 * reports it in flight (a Pix code issued, a card in 3-D Secure); never twice; and never both a
 * booking and a refund for one payment.
 */
import { describe, expect, it } from "vitest";
import { PAYMENT_GRACE_MS } from "../../../src/show/rules";
import { call, requestTicket, signIn, state, ticketRows } from "../helpers";
import { expectInvariants } from "../invariants";
import { alarmAt, pistaShow } from "../payments";
import { atStripe, deliver, holdAndCheckout, payer, payment, runCron, stripeEvent } from "./stripe";

const sale = () => pistaShow({ priceCents: 9_000 });

/** Ana's Pix issued for her hold and still unpaid when the grace ends, with Bia waiting behind her. */
async function pixUnpaidThroughGrace() {
  const showId = await sale();
  const [ana, bia] = [await signIn(), await signIn()];
  const { ticketId, paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
  await requestTicket(showId, bia);
  await payer.issuePix(sessionId);
  await deliver(await stripeEvent("checkout.session.completed", sessionId));
  await alarmAt(showId, expiresAt + PAYMENT_GRACE_MS);
  return { showId, ana, bia, ticketId, paymentId, sessionId, expiresAt };
}

const expiryOf = async (showId: string, ticketId: string) =>
  (await ticketRows(showId)).find((t) => t.id === ticketId)?.holdExpiresAt;

describe("one grace per hold for a payment in flight", () => {
  it("extends the hold by the grace when a Pix code is issued, in D1 and for the fan", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await payer.issuePix(sessionId);
    await deliver(await stripeEvent("checkout.session.completed", sessionId));
    const extended = expiresAt + PAYMENT_GRACE_MS;
    expect((await state(showId, ana)).expiresAt).toBe(new Date(extended).toISOString());
    expect(await expiryOf(showId, ticketId)).toBe(extended);
    expect((await payment(paymentId))?.graceUntil).toBe(extended);
  });

  it("extends a hold whose card waits on 3-D Secure", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await payer.threeDSecure(sessionId);
    await deliver(await stripeEvent("payment_intent.requires_action", sessionId));
    expect(await expiryOf(showId, ticketId)).toBe(expiresAt + PAYMENT_GRACE_MS);
  });

  it("never extends a hold twice: not for the same payment, not for another one", async () => {
    const showId = await sale();
    const ana = await signIn();
    const first = await holdAndCheckout(showId, ana);
    await payer.issuePix(first.sessionId);
    await deliver(await stripeEvent("checkout.session.completed", first.sessionId));
    await deliver(await stripeEvent("payment_intent.requires_action", first.sessionId));
    // A second checkout for the same hold, its Pix issued too.
    const again = await call("POST", "/api/payments", { token: ana.token, body: { showId, ticketId: first.ticketId } });
    const createdAgain = again.json.payment.id as string;
    const sessionId = (await payment(createdAgain))?.sessionId as string;
    await payer.issuePix(sessionId);
    await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect(await expiryOf(showId, first.ticketId)).toBe(first.expiresAt + PAYMENT_GRACE_MS);
    expect((await payment(createdAgain))?.graceUntil).toBeNull();
  });

  it("books a Pix paid within the grace, after the hold's first end", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { ticketId, paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await payer.issuePix(sessionId);
    await deliver(await stripeEvent("checkout.session.completed", sessionId));
    await alarmAt(showId, expiresAt + PAYMENT_GRACE_MS - 1);
    expect((await state(showId, ana)).status).toBe("IN_PROGRESS");
    await payer.payPix(sessionId);
    const paid = await deliver(await stripeEvent("checkout.session.async_payment_succeeded", sessionId));
    expect(paid.json.payment).toEqual({ id: paymentId, status: "APPROVED" });
    expect((await state(showId, ana)).ticket).toMatchObject({ id: ticketId, status: "BOOKED" });
  });

  it("ends the hold at the grace's end, cancels the Pix at Stripe, and hands the ticket on", async () => {
    const { showId, ana, bia, ticketId, paymentId, sessionId } = await pixUnpaidThroughGrace();
    expect((await state(showId, ana)).status).toBe("EXPIRED");
    expect((await state(showId, bia)).ticket?.id).toBe(ticketId);
    await runCron();
    expect((await atStripe(sessionId)).intent.status).toBe("canceled");
    expect((await payment(paymentId))?.status).toBe("EXPIRED");
    await expect(payer.payPix(sessionId)).rejects.toThrow(/canceled/);
  });

  it("refunds a Pix paid after the grace, before the sweep could cancel it: never booked and refunded", async () => {
    const { showId, ana, bia, ticketId, paymentId, sessionId, expiresAt } = await pixUnpaidThroughGrace();
    await payer.payPix(sessionId);
    const late = await deliver(await stripeEvent("checkout.session.async_payment_succeeded", sessionId));
    expect(late.json.payment).toEqual({ id: paymentId, status: "REFUNDED" });
    expect((await state(showId, bia)).ticket?.id).toBe(ticketId);
    expect((await ticketRows(showId)).find((t) => t.id === ticketId)?.paymentId).toBeNull();
    await expectInvariants(showId, [ana.id, bia.id], expiresAt + PAYMENT_GRACE_MS);
  });

  it("extends nothing for a report that comes after the hold ended", async () => {
    const showId = await sale();
    const ana = await signIn();
    const { paymentId, sessionId, expiresAt } = await holdAndCheckout(showId, ana);
    await alarmAt(showId, expiresAt);
    await payer.issuePix(sessionId);
    await deliver(await stripeEvent("checkout.session.completed", sessionId));
    expect((await state(showId, ana)).status).toBe("EXPIRED");
    expect((await payment(paymentId))?.graceUntil).toBeNull();
  });
});
