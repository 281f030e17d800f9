/**
 * The sandbox: catraca's own checkout page (`/checkout/:paymentId`) stands in for a provider, and
 * its approval (`POST /api/payments/:id/sandbox/approve`) writes the payment in D1 directly. So
 * the payment's row is the sandbox's whole state, it sends no webhooks (none ever verifies), and
 * it moves no money (nothing to refund automatically: REFUND_DUE stays listed for the organizer).
 */
import type { PaymentRow } from "../db/schema";
import { BadSignature, type PaymentProvider, type ProviderStatus } from "./provider";

function status(payment: PaymentRow): ProviderStatus {
  if (payment.status === "PENDING") return { kind: "open" };
  if (payment.status === "EXPIRED") return { kind: "closed" };
  return { kind: "paid", amountCents: payment.amountCents, currency: "brl" };
}

export const sandbox: PaymentProvider = {
  name: "sandbox",
  async createCheckout(request) {
    return { externalId: null, url: `/checkout/${request.paymentId}` };
  },
  async verifyWebhook() {
    throw new BadSignature("the sandbox provider sends no webhooks");
  },
  async status(payment) {
    return status(payment);
  },
  // The sandbox's page refuses a hold that has ended by itself: closing is only saying so.
  async close(payment) {
    const now = status(payment);
    return now.kind === "paid" ? now : { kind: "closed" };
  },
};
