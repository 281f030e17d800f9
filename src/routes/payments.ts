import { Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { approvePayment, createPayment, findPayment, paymentView } from "../db/queries";
import { ApiError } from "../errors";
import { paymentBody } from "../schemas";
import { database } from "../show/ledger";
import { validate } from "../validate";

type PaymentsEnv = { Bindings: Env; Variables: FanVariables };

const sandboxEnabled = (env: Env) => env.PAYMENT_PROVIDER === "sandbox";

/** Payments for a held ticket. The sandbox provider stands in for a real one locally. */
export const paymentsRoutes = new Hono<PaymentsEnv>()
  .use(requireFan())
  .post("/", validate("json", paymentBody), async (c) => {
    const { showId, ticketId } = c.req.valid("json");
    const fan = c.var.fan;
    const hold = await c.env.SHOWS.getByName(showId).checkHold(showId, fan.id, ticketId);
    if (hold.kind === "no-show") throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
    if (hold.kind === "not-ready") throw new ApiError(hold.code, hold.message);
    if (hold.kind === "never") throw new ApiError("TICKET_NOT_HELD", "you do not hold this ticket");
    if (hold.kind === "ended") throw new ApiError("HOLD_EXPIRED", "the hold on this ticket has ended");
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
    if (!payment) throw new ApiError("PAYMENT_NOT_FOUND", "no payment of yours with this id");
    return c.json({ payment: paymentView(payment) });
  })
  .post("/:paymentId/sandbox/approve", async (c) => {
    if (!sandboxEnabled(c.env)) throw new ApiError("NOT_FOUND", "the sandbox payment provider is not configured");
    const db = database(c.env.DB);
    const payment = await approvePayment(db, c.req.param("paymentId"), c.var.fan.id, Date.now());
    if (!payment) throw new ApiError("PAYMENT_NOT_FOUND", "no payment of yours with this id");
    return c.json({ payment: paymentView(payment) });
  });
