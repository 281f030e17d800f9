import { Hono } from "hono";
import { database } from "../db/database";
import { getShow, listShows } from "../db/queries";
import { ApiError } from "../errors";

/** `GET /api/shows` and `GET /api/shows/:showId`: open to everybody. */
export const catalogue = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => c.json({ shows: await listShows(database(c.env.DB)) }))
  .get("/:showId", async (c) => {
    const show = await getShow(database(c.env.DB), c.req.param("showId"));
    if (!show) throw ApiError.of("SHOW_NOT_FOUND");
    return c.json({ show });
  });
