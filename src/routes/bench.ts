import { Hono } from "hono";
import { accountKey, accountObject } from "../accounts/identity";
import { issueSession } from "../auth";
import { countingD1 } from "../db/counting-d1";
import { database } from "../db/database";
import { upsertUser } from "../db/queries";
import { replaceIo } from "../do/io";
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
 *
 * Under BENCH_ROUTES the Worker's D1 is also counted (`benchEnv`), and so is a show object's once
 * the benchmark asks (`POST /api/bench/d1/:showId`, through the object's I/O seam: in wrangler dev
 * the objects share the Worker's isolate): `GET /api/bench/d1` says how many statements so far.
 */
let meter: ReturnType<typeof countingD1> | undefined;

/** Every D1 statement sent through it, counted in this isolate (created over the first binding seen). */
function metered(d1: D1Database): D1Database {
  meter ??= countingD1(d1);
  return meter.d1;
}

/** The env the Worker runs with: under BENCH_ROUTES, its D1 counted; elsewhere untouched. */
export function benchEnv(env: Env): Env {
  return env.BENCH_ROUTES === "on" ? { ...env, DB: metered(env.DB) } : env;
}

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
  .get("/d1", (c) => c.json({ statements: meter?.count() ?? 0 }))
  /** Count this show's object's D1 too, from now on (its instances to come included). */
  .post("/d1/:showId", (c) => {
    replaceIo(c.req.param("showId"), { d1: metered(c.env.DB) });
    return c.json({ ok: true });
  })
  .post("/sessions", validate("json", sessionBody), async (c) => {
    const { name, email } = c.req.valid("json");
    const user = await upsertUser(database(c.env.DB), name, email);
    const account = await accountKey(email);
    const { sessionVersion } = await accountObject(c.env, account).remember({ userId: user.id, name, email });
    const token = await issueSession(c, { id: user.id, name, account, version: sessionVersion });
    return c.json({ user, token }, 201);
  });
