import { Hono } from "hono";
import { database } from "../db/database";
import { archiveShow, classStats, createBand, createShow, findBand, getShow, newId, refundsDue } from "../db/queries";
import { sharedAnswers } from "../edge/shared-cache";
import { ApiError } from "../errors";
import { showWaiting } from "../lanes/route";
import { requireOrganizer } from "../organizer";
import { prepareShow } from "../prepare/builder";
import { bandBody, showBody } from "../schemas";
import { validate } from "../validate";

/** Organizers (the admin token, or the console's session): bands, shows, live stats and refunds due. */
export const admin = new Hono<{ Bindings: Env }>()
  .use(requireOrganizer)
  // A band alone is in no shared answer (the catalogue shows bands through their shows): nothing to purge.
  .post("/bands", validate("json", bandBody), async (c) => {
    const band = await createBand(database(c.env.DB), c.req.valid("json"));
    return c.json({ band }, 201);
  })
  /**
   * Answers at once: the show is `preparing` while its seats are written outside the request
   * (src/prepare/), and goes on sale once every seat exists; a small show is ready in the answer.
   */
  .post("/shows", validate("json", showBody), async (c) => {
    const input = c.req.valid("json");
    const db = database(c.env.DB);
    if (!(await findBand(db, input.bandId))) throw new ApiError("BAD_REQUEST", "bandId: no band with this id");
    const showId = await createShow(c.env.DB, input, Date.now(), await commitToDraw(c.env, input));
    try {
      await prepareShow(c.env, showId);
    } catch (err) {
      // The show exists, `preparing`: the cron's safety net starts its builder.
      console.error("create show: preparation did not start; the cron will start it", { showId, error: String(err) });
    }
    // The catalogue lists it from now on (a small show is on sale already).
    await sharedAnswers.purgeShow(showId);
    return c.json({ show: await getShow(db, showId) }, 201);
  })
  /**
   * Off the catalogue for good: not listed, no new requests. Fans already waiting or holding keep
   * their place and their hold, and booked tickets stay valid at the door. Repeating it is harmless.
   */
  .post("/shows/:showId/archive", async (c) => {
    const showId = c.req.param("showId");
    const db = database(c.env.DB);
    if (!(await archiveShow(db, showId, Date.now()))) throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
    await c.env.SHOWS.getByName(showId).archived(showId);
    await sharedAnswers.purgeShow(showId);
    return c.json({ show: await getShow(db, showId) });
  })
  /** `waiting` sums every lane; `lanes` lists each lane's waiting fans (one lane: the show's object). */
  .get("/shows/:showId/stats", async (c) => {
    const showId = c.req.param("showId");
    const db = database(c.env.DB);
    const show = await getShow(db, showId);
    if (!show) throw ApiError.of("SHOW_NOT_FOUND");
    const [sectors, waiting] = await Promise.all([classStats(db, showId), showWaiting(c.env, show)]);
    return c.json({ waiting: waiting.waiting, sectors, lanes: waiting.lanes });
  })
  .get("/shows/:showId/refunds", async (c) => {
    const showId = c.req.param("showId");
    const db = database(c.env.DB);
    if (!(await getShow(db, showId))) throw ApiError.of("SHOW_NOT_FOUND");
    return c.json({ refunds: await refundsDue(db, showId) });
  });

/**
 * A show with a pre-queue (#14) is named first, and its object draws the secret seed and answers
 * its commitment, which the show's row publishes from its creation on.
 */
async function commitToDraw(env: Env, input: { prequeueOpensAt?: number }) {
  if (input.prequeueOpensAt === undefined) return undefined;
  const showId = newId("show");
  return { showId, commitment: await env.SHOWS.getByName(showId).commitDraw(showId) };
}
