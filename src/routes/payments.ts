import { Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { database } from "../db/database";
import { approvePayment, createPayment, findPayment, paymentView } from "../db/queries";
import { requireShow } from "../edge/show-directory";
import { ApiError } from "../errors";
import { perFan } from "../rate-limit";
import { paymentBody } from "../schemas";
import { validate } from "../validate";

type PaymentsEnv = { Bindings: Env; Variables: FanVariables };

const sandboxEnabled = (env: Env) => env.PAYMENT_PROVIDER === "sandbox";

/** Payments for a held ticket. The sandbox provider stands in for a real one locally. */
export const paymentsRoutes = new Hono<PaymentsEnv>()
  .use(requireFan())
  .post("/", perFan("SHOW_CALL_LIMITER"), validate("json", paymentBody), async (c) => {
    const { showId, ticketId } = c.req.valid("json");
    const fan = c.var.fan;
    await requireShow(c.env, showId);
    const hold = await c.env.SHOWS.getByName(showId).checkHold(showId, fan.id, ticketId);
    if (hold.kind === "no-show") throw ApiError.of("SHOW_NOT_FOUND");
    if (hold.kind === "never") throw ApiError.of("TICKET_NOT_HELD");
    if (hold.kind === "ended") throw ApiError.of("HOLD_EXPIRED");
    const payment = await createPayment(database(c.env.DB), {
      showId,
      ticketId,
      userId: fan.id,
      amountCents: hold.ticket.priceCents,
      provider: c.env.PAYMENT_PROVIDER,
    });
    return c.json({ payment: paymentView(payment), checkoutUrl: `/checkout/${payment.id}` }, 201);
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
