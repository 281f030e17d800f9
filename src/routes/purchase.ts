import { type Context, Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { knownShow, type ShowVariables } from "../edge/show-directory";
import { ApiError } from "../errors";
import { cancelTicket, fanState, requestTicket } from "../lanes/route";
import { perFan } from "../rate-limit";
import { bookBody, ticketRequestBody } from "../schemas";
import type { Outcome } from "../show/types";
import { validate } from "../validate";

type PurchaseEnv = { Bindings: Env; Variables: FanVariables & ShowVariables & { arrivedAt: number } };

/** A Durable Object outcome as the contract's answer: the state with 200/202, or the error. */
function reply(outcome: Outcome) {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  // A fan's own state, changing by the second: never cached by the browser or anything between.
  return Response.json(outcome.state, { status: outcome.httpStatus, headers: { "cache-control": "no-store" } });
}

/** The show's object, once the edge knows the show exists (a made-up id never creates one). */
const object = (c: Context<PurchaseEnv>) => c.env.SHOWS.getByName(c.var.show.id);

/**
 * The seed's endpoints, `/:showId/ingresso/...`. The Worker authenticates, limits each fan,
 * validates and checks that the show exists; the show's Durable Object decides (with lanes, the
 * fan's lane for the waiting room, src/lanes/route.ts). A request's arrival is stamped here, by
 * the Worker that first got it, before anything else: with lanes it is the fan's place in line.
 */
export const purchase = new Hono<PurchaseEnv>()
  .use(async (c, next) => {
    c.set("arrivedAt", Date.now());
    await next();
  })
  .use(requireFan())
  .get("/", perFan("SHOW_CALL_LIMITER"), knownShow, async (c) => reply(await fanState(c.env, c.var.show, c.var.fan.id)))
  .patch("/request", perFan("TICKET_LIMITER"), validate("json", ticketRequestBody), knownShow, async (c) =>
    reply(await requestTicket(c.env, c.var.show, c.var.fan.id, c.req.valid("json"), c.var.arrivedAt)),
  )
  .patch("/cancel", perFan("TICKET_LIMITER"), knownShow, async (c) =>
    reply(await cancelTicket(c.env, c.var.show, c.var.fan.id)),
  )
  .patch("/book", perFan("TICKET_LIMITER"), validate("json", bookBody), knownShow, async (c) => {
    const { ticketId, paymentId } = c.req.valid("json");
    return reply(await object(c).book(c.var.show.id, c.var.fan.id, ticketId, paymentId));
  });
