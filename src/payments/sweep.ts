/**
 * The cron's payment sweep, every minute: checkouts whose hold is over are closed at their provider
 * (so a fan cannot pay long after the hold; whatever still arrives is settled, i.e. refunded), and
 * refunds that failed are asked for again. A bounded batch per run; what is left waits a minute.
 */

import { database } from "../db/database";
import { checkoutsOfEndedHolds, refundsToMake } from "../db/queries";
import { PAYMENT_PROVIDERS } from "../db/schema";
import { providerFor } from ".";
import { refundDue, settle } from "./settle";

const BATCH = 25;

export async function sweepPayments(env: Env, now: number): Promise<void> {
  const db = database(env.DB);
  for (const payment of await checkoutsOfEndedHolds(db, now, BATCH)) {
    const provider = providerFor(env, payment.provider);
    try {
      await settle(env, provider, payment, await provider.close(payment), now);
    } catch (err) {
      console.error("sweep: closing a checkout failed; the next sweep tries again", {
        payment: payment.id,
        error: String(err),
      });
    }
  }
  const refunding = PAYMENT_PROVIDERS.filter((name) => providerFor(env, name).refund !== undefined);
  for (const payment of await refundsToMake(db, refunding, BATCH)) {
    await refundDue(env, providerFor(env, payment.provider), payment, now);
  }
}
