import { type Context, Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { ApiError } from "../errors";
import { rateLimit } from "../rate-limit";
import { bookBody, ticketRequestBody } from "../schemas";
import type { Outcome } from "../show/types";
import { validate } from "../validate";

type PurchaseEnv = { Bindings: Env; Variables: FanVariables };

/** A Durable Object outcome as the contract's answer: the state with 200/202, or the error. */
function reply(outcome: Outcome) {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  // A fan's own state, changing by the second: never cached by the browser or anything between.
  return Response.json(outcome.state, { status: outcome.httpStatus, headers: { "cache-control": "no-store" } });
}

/** Ticket calls count against the fan, whatever address they come from (carrier-grade NAT). */
const perFan = rateLimit<PurchaseEnv>("TICKET_LIMITER", (c) => c.var.fan.id);

/**
 * The seed's endpoints, `/:showId/ingresso/...`. The Worker authenticates and validates; the
 * show's Durable Object decides.
 */
export const purchase = new Hono<PurchaseEnv>()
  .use(requireFan())
  .get("/", async (c) => reply(await c.env.SHOWS.getByName(showId(c)).state(showId(c), c.var.fan.id)))
  .patch("/request", perFan, validate("json", ticketRequestBody), async (c) => {
    const wanted = c.req.valid("json");
    return reply(await c.env.SHOWS.getByName(showId(c)).request(showId(c), c.var.fan.id, wanted));
  })
  .patch("/cancel", perFan, async (c) => reply(await c.env.SHOWS.getByName(showId(c)).cancel(showId(c), c.var.fan.id)))
  .patch("/book", perFan, validate("json", bookBody), async (c) => {
    const { ticketId, paymentId } = c.req.valid("json");
    return reply(await c.env.SHOWS.getByName(showId(c)).book(showId(c), c.var.fan.id, ticketId, paymentId));
  });

function showId(c: Context): string {
  const id = c.req.param("showId");
  if (!id) throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
  return id;
}
