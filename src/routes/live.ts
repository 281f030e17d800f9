import { Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { knownShow, type ShowVariables } from "../edge/show-directory";
import { ApiError } from "../errors";
import { liveSocket } from "../lanes/route";
import { FAN_HEADER, SHOW_HEADER } from "../messages";
import { perFan } from "../rate-limit";

/**
 * `GET /:showId/ingresso/ws`: the Worker authenticates (bearer, cookie or `?token=`), limits each
 * fan's connects and checks that the show exists, answering 401, 429 or 404 before any upgrade;
 * the show's object (with lanes, the fan's lane) accepts the socket with the hibernation API.
 */
export const live = new Hono<{ Bindings: Env; Variables: FanVariables & ShowVariables }>().get(
  "/",
  requireFan({ allowQueryToken: true }),
  async (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw ApiError.of("UPGRADE_REQUIRED");
    await next();
  },
  perFan("SHOW_CALL_LIMITER"),
  knownShow,
  async (c) => {
    const headers = new Headers(c.req.raw.headers);
    // Set by the Worker only: whatever a client sent under these names is overwritten.
    headers.set(FAN_HEADER, c.var.fan.id);
    headers.set(SHOW_HEADER, c.var.show.id);
    return liveSocket(c.env, c.var.show, c.var.fan.id, new Request(c.req.url, { headers }));
  },
);
