import { Hono } from "hono";
import { accountKey, accountObject } from "../accounts/identity";
import { issueSession } from "../auth";
import { database } from "../db/database";
import { upsertUser } from "../db/queries";
import { requireShow } from "../edge/show-directory";
import { laneName } from "../lanes/key";
import { sessionBody } from "../schemas";
import { validate } from "../validate";

/**
 * The benchmark's own routes (bench/README.md): its floor, the cheapest path through the same
 * Worker into the same show object (one empty RPC); sessions minted without the mailed code, so
 * that one script can sign thousands of fans in; and what a show's objects counted of their own
 * work (calls, messages, refills, admissions held up), the coordinator's and each lane's. They exist only where the var BENCH_ROUTES is
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
  .get("/lanes/:showId", async (c) => {
    const show = await requireShow(c.env, c.req.param("showId"));
    const [coordinator, ...lanes] = await Promise.all([
      c.env.SHOWS.getByName(show.id).laneMetrics(),
      ...Array.from({ length: show.lanes > 1 ? show.lanes : 0 }, (_, lane) =>
        c.env.LANES.getByName(laneName(show.id, lane)).laneMetrics(),
      ),
    ]);
    return c.json({ lanes: show.lanes, coordinator, laneMetrics: lanes });
  })
  .post("/sessions", validate("json", sessionBody), async (c) => {
    const { name, email } = c.req.valid("json");
    const user = await upsertUser(database(c.env.DB), name, email);
    const account = await accountKey(email);
    const { sessionVersion } = await accountObject(c.env, account).remember({ userId: user.id, name, email });
    const token = await issueSession(c, { id: user.id, name, account, version: sessionVersion });
    return c.json({ user, token }, 201);
  });
