import { Hono } from "hono";
import { outboxOf, usesDevOutbox } from "../email/send";
import { outboxQuery } from "../schemas";
import { validate } from "../validate";

/**
 * `GET /dev/outbox?email=`: the mails `EMAIL_PROVIDER=log` sent to one address, newest last, for
 * local use and the tests. Under any other provider the path is the app's plain 404.
 */
export const dev = new Hono<{ Bindings: Env }>()
  .use(async (c, next) => {
    if (!usesDevOutbox(c.env)) return c.notFound();
    await next();
  })
  .get("/outbox", validate("query", outboxQuery), async (c) => {
    const messages = await outboxOf(c.env, c.req.valid("query").email).messages();
    c.header("cache-control", "no-store");
    return c.json({ messages });
  });
