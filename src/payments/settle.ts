/**
 * What a payment's state at its provider means for catraca, carried out on the server, whether or
 * not the fan's browser is still there. Every step is conditional in D1 on the payment's current
 * status, so settling the same state twice (a repeated or late webhook, the cron's sweep racing a
 * webhook) changes nothing the second time:
 *
 * - paid, amount and currency the hold's: APPROVED while the fan still holds the ticket, and then
 *   booked through the show's object (the very `book` of `PATCH /:showId/ingresso/book`);
 *   REFUND_DUE when the hold had ended (or ends before the booking), then refunded;
 * - paid, another amount or currency: refused (REFUND_DUE, nothing booked), logged, refunded;
 * - in flight: the show's object extends the hold once by the grace;
 * - closed: EXPIRED.
 *
 * A payment is refunded only from REFUND_DUE, which only money that booked nothing can reach, and
 * books only from APPROVED, which REFUND_DUE never returns to: never both for one payment.
 */

import { database } from "../db/database";
import { approvePayment, markExpired, markRefunded, paymentById, refuseMismatch } from "../db/queries";
import type { PaymentRow } from "../db/schema";
import type { PaymentProvider, ProviderStatus } from "./provider";

export const CURRENCY = "brl";

export async function settle(
  env: Env,
  provider: PaymentProvider,
  payment: PaymentRow,
  status: ProviderStatus,
  now: number,
): Promise<PaymentRow> {
  const db = database(env.DB);
  const show = env.SHOWS.getByName(payment.showId);
  if (status.kind === "paid") {
    if (status.amountCents !== payment.amountCents || status.currency.toLowerCase() !== CURRENCY) {
      console.error("payment: the provider took another amount than the hold's; refused, nothing booked", {
        payment: payment.id,
        expected: { amountCents: payment.amountCents, currency: CURRENCY },
        paid: { amountCents: status.amountCents, currency: status.currency },
      });
      await refuseMismatch(db, payment.id, now);
    } else {
      const approved = await approvePayment(db, payment.id, payment.userId, now);
      if (approved?.status === "APPROVED") {
        const booked = await show.book(payment.showId, payment.userId, payment.ticketId, payment.id);
        // A hold that ended before the booking released the ticket and marked the money REFUND_DUE.
        if (!booked.ok) console.warn("payment: confirmed, not booked", { payment: payment.id, code: booked.code });
      }
    }
  } else if (status.kind === "in-flight") {
    await show.extendHold(payment.showId, payment.userId, payment.ticketId, payment.id);
  } else if (status.kind === "closed") {
    await markExpired(db, payment.id);
  }
  const current = (await paymentById(db, payment.id)) ?? payment;
  return current.status === "REFUND_DUE" ? refundDue(env, provider, current, now) : current;
}

/**
 * Give back money owed, where the provider refunds by API (the refund's idempotency key is the
 * payment, so two callers at once refund once). A refund that fails stays REFUND_DUE, and the
 * cron's sweep asks again.
 */
export async function refundDue(
  env: Env,
  provider: PaymentProvider,
  payment: PaymentRow,
  now: number,
): Promise<PaymentRow> {
  if (!provider.refund || payment.status !== "REFUND_DUE") return payment;
  const db = database(env.DB);
  try {
    const refundId = await provider.refund(payment);
    await markRefunded(db, { paymentId: payment.id, refundId, now });
  } catch (err) {
    console.error("payment: refund failed; the sweep tries again", { payment: payment.id, error: String(err) });
  }
  return (await paymentById(db, payment.id)) ?? payment;
}
