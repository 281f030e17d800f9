import { Hono } from "hono";
import { accountKey, accountObject } from "../accounts/identity";
import { issueSession } from "../auth";
import { database } from "../db/database";
import { upsertUser } from "../db/queries";
import { sessionBody } from "../schemas";
import { validate } from "../validate";

/**
 * The benchmark's own routes (bench/README.md): its floor, the cheapest path through the same
 * Worker into the same show object (one empty RPC); and sessions minted without the mailed code,
 * so that one script can sign thousands of fans in. They exist only where the var BENCH_ROUTES is
 * "on" (`npm run bench` passes it to wrangler dev; wrangler.toml does not set it): anywhere else
 * these paths answer the app's plain 404, so a deployed Worker never lets anybody wake objects or
 * skip the code through them.
 */
export const bench = new Hono<{ Bindings: Env }>()
  .use(async (c, next) => {
    if (c.env.BENCH_ROUTES !== "on") return c.notFound();
    await next();
  })
  .get("/rpc/:showId", async (c) => {
    const pong = await c.env.SHOWS.getByName(c.req.param("showId")).ping();
    return c.json({ ok: pong === 1 });
  })
  .post("/sessions", validate("json", sessionBody), async (c) => {
    const { name, email } = c.req.valid("json");
    const user = await upsertUser(database(c.env.DB), name, email);
    const account = await accountKey(email);
    const { sessionVersion } = await accountObject(c.env, account).remember({ userId: user.id, name, email });
    const token = await issueSession(c, { id: user.id, name, account, version: sessionVersion });
    return c.json({ user, token }, 201);
  });
