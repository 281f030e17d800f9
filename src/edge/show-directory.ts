/**
 * The Worker's one place that knows which shows exist, asked before any show object is touched:
 * a made-up id in a fan's path or body is answered `404 SHOW_NOT_FOUND` here, and never creates a
 * Durable Object. An id that cannot be a show's is refused without asking D1; otherwise each
 * isolate asks D1 at most once per id while the answer is cached (`TtlCache`), a show that does not
 * exist included. What is known about a show here is what the edge needs before it calls the
 * show's object: add columns to `COLUMNS` (a show's state, its number of lanes) and they come with
 * every lookup, under the same cache.
 */

import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { database } from "../db/database";
import { shows } from "../db/schema";
import { ApiError, RecordUnavailable } from "../errors";
import { TtlCache } from "./ttl-cache";

/** Show ids as `newId("show")` makes them (and the demo data's `show_demo_…`). */
export const SHOW_ID = /^show_[a-z0-9_]{1,64}$/;

const COLUMNS = { id: shows.id, lanes: shows.lanes };

const lookup = (env: Env, showId: string) => database(env.DB).select(COLUMNS).from(shows).where(eq(shows.id, showId));

/** A show that exists, as the edge knows it. */
export type KnownShow = Awaited<ReturnType<typeof lookup>>[number];

/**
 * A show's row never goes away once created, so a found show is kept for a minute. A missing one
 * is kept for less: show ids are random and unguessable before creation, so a miss is almost
 * always a made-up id, but a show created in another isolate a moment ago should not wait long.
 */
const FOUND_TTL_MS = 60_000;
const MISSING_TTL_MS = 10_000;

const directory = new TtlCache<string, KnownShow | undefined>({
  ttlMs: (show) => (show ? FOUND_TTL_MS : MISSING_TTL_MS),
  maxEntries: 10_000,
});

/** The show with this id, or undefined when there is none. */
export function findShow(env: Env, showId: string): Promise<KnownShow | undefined> {
  if (!SHOW_ID.test(showId)) return Promise.resolve(undefined);
  return directory.get(showId, async () => {
    try {
      return (await lookup(env, showId))[0];
    } catch (err) {
      // Not cached: the next call asks again.
      throw new RecordUnavailable("looking the show up", err);
    }
  });
}

/** The show with this id, or `404 SHOW_NOT_FOUND`. */
export async function requireShow(env: Env, showId: string): Promise<KnownShow> {
  const show = await findShow(env, showId);
  if (!show) throw ApiError.of("SHOW_NOT_FOUND");
  return show;
}

export type ShowVariables = { show: KnownShow };

/** For routes under `/:showId/…`: the show, as `c.var.show`, or `404 SHOW_NOT_FOUND`. */
export const knownShow: MiddlewareHandler<{ Bindings: Env; Variables: ShowVariables }, "/:showId/*"> = async (
  c,
  next,
) => {
  c.set("show", await requireShow(c.env, c.req.param("showId")));
  await next();
};
