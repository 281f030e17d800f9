import { Hono } from "hono";
import { type FanVariables, requireFan } from "../auth";
import { ApiError } from "../errors";
import { FAN_HEADER, SHOW_HEADER } from "../messages";

/**
 * `GET /:showId/ingresso/ws`: the Worker authenticates (bearer, cookie or `?token=`) and answers 401
 * before any upgrade; the show's object accepts the socket with the hibernation API.
 */
export const live = new Hono<{ Bindings: Env; Variables: FanVariables }>().get(
  "/",
  requireFan({ allowQueryToken: true }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("UPGRADE_REQUIRED", "this endpoint speaks WebSocket: send Upgrade: websocket");
    }
    const showId = c.req.param("showId");
    if (!showId) throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
    const headers = new Headers(c.req.raw.headers);
    // Set by the Worker only: whatever a client sent under these names is overwritten.
    headers.set(FAN_HEADER, c.var.fan.id);
    headers.set(SHOW_HEADER, showId);
    return c.env.SHOWS.getByName(showId).fetch(new Request(c.req.url, { headers }));
  },
);
