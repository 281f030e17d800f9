/**
 * `POST /api/payments/webhook/:provider`: the provider's word, verified, is the truth about a
 * payment. A delivery that does not verify (missing, forged or stale signature, or a provider not
 * configured to sign) or that was received before (a replay: providers re-sign every retry) is
 * refused with 400 BAD_SIGNATURE and changes nothing. A verified one only says which payment to
 * look at: its state is read from the provider's API, so events that come twice or out of order
 * settle the same state again, which changes nothing.
 */

import { database } from "../db/database";
import { paymentById, recordDelivery } from "../db/queries";
import { ApiError } from "../errors";
import { providerFor } from ".";
import { BadSignature, isProviderName } from "./provider";
import { settle } from "./settle";

export async function receiveWebhook(env: Env, providerName: string, rawBody: string, headers: Headers, now: number) {
  if (!isProviderName(providerName)) throw new ApiError("NOT_FOUND", `no payment provider "${providerName}"`);
  const provider = providerFor(env, providerName);
  let event: Awaited<ReturnType<typeof provider.verifyWebhook>>;
  try {
    event = await provider.verifyWebhook(rawBody, headers, now);
  } catch (err) {
    if (err instanceof BadSignature) throw new ApiError("BAD_SIGNATURE", `webhook refused: ${err.message}`);
    throw err;
  }
  const db = database(env.DB);
  const delivery = { provider: providerName, eventId: event.eventId, signedAt: event.signedAt };
  if (!(await recordDelivery(db, { ...delivery, eventType: event.type, receivedAt: now }))) {
    throw new ApiError("BAD_SIGNATURE", "webhook refused: this signed delivery was received before (a replay)");
  }
  const payment = event.paymentId ? await paymentById(db, event.paymentId) : undefined;
  if (!payment || payment.provider !== providerName) {
    if (event.paymentId)
      console.warn("webhook: no such payment of this provider", { ...delivery, payment: event.paymentId });
    return { received: true, payment: null };
  }
  const settled = await settle(env, provider, payment, await provider.status(payment), now);
  return { received: true, payment: { id: settled.id, status: settled.status } };
}
