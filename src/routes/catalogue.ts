import { Hono } from "hono";
import { decodeCursor } from "../db/cursor";
import { database } from "../db/database";
import { getShow, listShows } from "../db/queries";
import { ApiError } from "../errors";
import { catalogueQuery } from "../schemas";
import { validate } from "../validate";

/**
 * `GET /api/shows` (a page: `?cursor=` from the last page's `nextCursor`, `?past=1` to go on into
 * past shows) and `GET /api/shows/:showId` (any show, archived ones included): open to everybody.
 */
export const catalogue = new Hono<{ Bindings: Env }>()
  .get("/", validate("query", catalogueQuery), async (c) => {
    const { cursor: text, past } = c.req.valid("query");
    const cursor = text === undefined ? undefined : decodeCursor(text);
    if (text !== undefined && !cursor) throw new ApiError("BAD_REQUEST", "cursor: not a cursor this catalogue gave");
    return c.json(await listShows(database(c.env.DB), { now: Date.now(), cursor, past: past === "1" }));
  })
  .get("/:showId", async (c) => {
    const show = await getShow(database(c.env.DB), c.req.param("showId"));
    if (!show) throw ApiError.of("SHOW_NOT_FOUND");
    return c.json({ show });
  });
