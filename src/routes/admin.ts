import { Hono } from "hono";
import { database } from "../db/database";
import { classStats, createBand, createShow, findBand, getShow, refundsDue } from "../db/queries";
import { ApiError } from "../errors";
import { requireOrganizer } from "../organizer";
import { bandBody, showBody } from "../schemas";
import { validate } from "../validate";

/** Organizers (the admin token, or the console's session): bands, shows, live stats and refunds due. */
export const admin = new Hono<{ Bindings: Env }>()
  .use(requireOrganizer)
  .post("/bands", validate("json", bandBody), async (c) => {
    const band = await createBand(database(c.env.DB), c.req.valid("json"));
    return c.json({ band }, 201);
  })
  .post("/shows", validate("json", showBody), async (c) => {
    const input = c.req.valid("json");
    const db = database(c.env.DB);
    if (!(await findBand(db, input.bandId))) throw new ApiError("BAD_REQUEST", "bandId: no band with this id");
    const showId = await createShow(c.env.DB, input, Date.now());
    return c.json({ show: await getShow(db, showId) }, 201);
  })
  .get("/shows/:showId/stats", async (c) => {
    const showId = c.req.param("showId");
    const db = database(c.env.DB);
    if (!(await getShow(db, showId))) throw ApiError.of("SHOW_NOT_FOUND");
    const [sectors, byClass] = await Promise.all([
      classStats(db, showId),
      c.env.SHOWS.getByName(showId).waitingByClass(),
    ]);
    return c.json({ waiting: byClass.reduce((n, w) => n + w.waiting, 0), sectors });
  })
  .get("/shows/:showId/refunds", async (c) => {
    const showId = c.req.param("showId");
    const db = database(c.env.DB);
    if (!(await getShow(db, showId))) throw ApiError.of("SHOW_NOT_FOUND");
    return c.json({ refunds: await refundsDue(db, showId) });
  });
