import { Hono } from "hono";
import { requestFan } from "../auth";

/**
 * `GET /api/me`: who the session's fan is, or `{"user": null}`. The session's token carries the
 * name, so this asks neither D1 nor any object (the revocation list is the isolate's copy). The
 * pages every fan gets alike (the home page and a show's page, served from the shared cache) ask
 * it for their header ("Olá, Ana") and to know whether to show the sale or the sign-in form:
 * nothing about a fan is ever in a cached body. Never cached itself.
 */
export const me = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const fan = await requestFan(c);
  c.header("cache-control", "no-store");
  return c.json({ user: fan ? { id: fan.id, name: fan.name } : null });
});
