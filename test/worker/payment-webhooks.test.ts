/**
 * Webhooks in the sandbox configuration (the default): nothing is configured to sign, so nothing
 * verifies, whatever the delivery, and nothing changes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createShow, paymentRows, signIn, state } from "./helpers";
import { holdWithPayment } from "./payments";
import { postWebhook, sign } from "./stripe/stripe";

describe("payment webhooks with no provider configured to sign", () => {
  it("refuses every delivery to /stripe and /sandbox with 400 BAD_SIGNATURE and changes nothing", async () => {
    expect(env.STRIPE_WEBHOOK_SECRET).toBeUndefined();
    const show = await createShow();
    const ana = await signIn();
    const { pay: created } = await holdWithPayment(show.id, ana);
    const paymentId = created.json.payment.id;
    const payload = JSON.stringify({
      id: "evt_1",
      object: "event",
      type: "checkout.session.completed",
      data: {
        object: { object: "checkout.session", id: "cs_1", payment_status: "paid", metadata: { payment_id: paymentId } },
      },
    });
    for (const provider of ["stripe", "sandbox"]) {
      for (const signature of [await sign(payload, { secret: "whsec_anything" }), undefined]) {
        const res = await postWebhook(payload, signature, provider);
        expect({ provider, signature, status: res.status, code: res.json.error.code }).toEqual({
          provider,
          signature,
          status: 400,
          code: "BAD_SIGNATURE",
        });
      }
    }
    expect((await paymentRows(show.id)).map((p) => p.status)).toEqual(["PENDING"]);
    expect((await state(show.id, ana)).status).toBe("IN_PROGRESS");
  });

  it("answers 404 for a provider catraca does not know", async () => {
    const res = await call("POST", "/api/payments/webhook/paypal", { body: "{}" });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("NOT_FOUND");
  });
});
