import { Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { database } from "../db/database";
import {
  approvePayment,
  createPayment,
  findPayment,
  getShow,
  markExpired,
  paymentView,
  setCheckout,
  userEmail,
} from "../db/queries";
import { requireShow } from "../edge/show-directory";
import { ApiError } from "../errors";
import { formatShowDate } from "../page/format";
import { configuredProvider } from "../payments";
import { type PaymentProvider, ProviderUnavailable } from "../payments/provider";
import { receiveWebhook } from "../payments/webhook";
import { perFan } from "../rate-limit";
import { paymentBody } from "../schemas";
import { validate } from "../validate";

type PaymentsEnv = { Bindings: Env; Variables: FanVariables };

const sandboxEnabled = (env: Env) => env.PAYMENT_PROVIDER === "sandbox";

/**
 * Payments for a held ticket: a checkout at the configured provider (`PAYMENT_PROVIDER`), the
 * fan's own payments, and the sandbox's approval, which stands in for a provider locally.
 */
export const paymentsRoutes = new Hono<PaymentsEnv>()
  .use(requireFan())
  .post("/", perFan("SHOW_CALL_LIMITER"), validate("json", paymentBody), async (c) => {
    const { showId, ticketId } = c.req.valid("json");
    const fan = c.var.fan;
    await requireShow(c.env, showId);
    const hold = await c.env.SHOWS.getByName(showId).checkHold(showId, fan.id, ticketId);
    if (hold.kind === "refused") throw new ApiError(hold.refusal.code, hold.refusal.message);
    if (hold.kind === "never") throw ApiError.of("TICKET_NOT_HELD");
    if (hold.kind === "ended") throw ApiError.of("HOLD_EXPIRED");
    const db = database(c.env.DB);
    const unavailable = (err: ProviderUnavailable) => {
      console.error("payments: no checkout opened", { show: showId, fan: fan.id, error: err.message });
      return new ApiError(
        "PAYMENT_PROVIDER_UNAVAILABLE",
        `the payment provider is not answering; your ticket stays held until ${new Date(hold.expiresAt).toISOString()}, try again`,
      );
    };
    let provider: PaymentProvider;
    try {
      provider = configuredProvider(c.env);
    } catch (err) {
      throw err instanceof ProviderUnavailable ? unavailable(err) : err;
    }
    const [show, email] = await Promise.all([getShow(db, showId), userEmail(db, fan.id)]);
    const payment = await createPayment(db, {
      showId,
      ticketId,
      userId: fan.id,
      amountCents: hold.ticket.priceCents,
      provider: provider.name,
    });
    const { sector, meia } = hold.ticket;
    const now = Date.now();
    let checkout: Awaited<ReturnType<typeof provider.createCheckout>>;
    try {
      checkout = await provider.createCheckout({
        paymentId: payment.id,
        showId,
        ticketId,
        fanId: fan.id,
        fanEmail: email,
        amountCents: payment.amountCents,
        title: `${show?.band.name ?? showId} · ${sector} (${meia ? "meia-entrada" : "inteira"})`,
        description: show
          ? `${show.festival ? `${show.festival}, ` : ""}${formatShowDate(show.startsAt, "pt-BR")}`
          : "",
        holdExpiresAt: hold.expiresAt,
        now,
        returnUrl: `${new URL(c.req.url).origin}/shows/${encodeURIComponent(showId)}?pagamento=${payment.id}`,
      });
    } catch (err) {
      if (!(err instanceof ProviderUnavailable)) throw err;
      // No checkout opened, so no money can come for this payment; the hold is untouched.
      await markExpired(db, payment.id);
      throw unavailable(err);
    }
    await setCheckout(db, payment.id, checkout);
    const opened = { ...payment, externalId: checkout.externalId, checkoutUrl: checkout.url };
    return c.json({ payment: paymentView(opened), checkoutUrl: checkout.url }, 201);
  })
  .get("/:paymentId", async (c) => {
    const payment = await findPayment(database(c.env.DB), c.req.param("paymentId"), c.var.fan.id);
    if (!payment) throw ApiError.of("PAYMENT_NOT_FOUND");
    return c.json({ payment: paymentView(payment) });
  })
  .post("/:paymentId/sandbox/approve", async (c) => {
    if (!sandboxEnabled(c.env)) throw new ApiError("NOT_FOUND", "the sandbox payment provider is not configured");
    const db = database(c.env.DB);
    const payment = await approvePayment(db, c.req.param("paymentId"), c.var.fan.id, Date.now());
    if (!payment) throw ApiError.of("PAYMENT_NOT_FOUND");
    return c.json({ payment: paymentView(payment) });
  });

/** `POST /api/payments/webhook/:provider`: no fan token; the provider's signature is the credential. */
export const paymentWebhooks = new Hono<{ Bindings: Env }>().post("/:provider", async (c) =>
  c.json(await receiveWebhook(c.env, c.req.param("provider"), await c.req.text(), c.req.raw.headers, Date.now())),
);
