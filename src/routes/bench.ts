import { Hono } from "hono";

/**
 * The benchmark's floor (bench/README.md): the cheapest path through the same Worker into the same
 * show object, one empty RPC. It exists only where the var BENCH_ROUTES is "on" (`npm run bench`
 * passes it to wrangler dev; wrangler.toml does not set it): anywhere else these paths answer the
 * app's plain 404, so a deployed Worker never lets anybody wake objects through them.
 */
export const bench = new Hono<{ Bindings: Env }>()
  .use(async (c, next) => {
    if (c.env.BENCH_ROUTES !== "on") return c.notFound();
    await next();
  })
  .get("/rpc/:showId", async (c) => {
    const pong = await c.env.SHOWS.getByName(c.req.param("showId")).ping();
    return c.json({ ok: pong === 1 });
  });
