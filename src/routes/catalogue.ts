import { Hono } from "hono";
import { decodeCursor } from "../db/cursor";
import { readCataloguePage, readShow } from "../edge/catalogue-reads";
import { serveShared, sharedKeys } from "../edge/shared-cache";
import { SHOW_ID } from "../edge/show-directory";
import { ApiError, errorBody, MESSAGES } from "../errors";
import { catalogueQuery } from "../schemas";
import { validate } from "../validate";

const JSON_TYPE = "application/json; charset=UTF-8";

/**
 * `GET /api/shows` (a page: `?cursor=` from the last page's `nextCursor`, `?past=1` to go on into
 * past shows) and `GET /api/shows/:showId` (any show, archived ones included): open to everybody,
 * and the same for everybody, so answered from the shared cache (src/edge/shared-cache.ts), their
 * availability from the show objects.
 */
export const catalogue = new Hono<{ Bindings: Env }>()
  .get("/", validate("query", catalogueQuery), async (c) => {
    const { cursor: text, past } = c.req.valid("query");
    const cursor = text === undefined ? undefined : decodeCursor(text);
    if (text !== undefined && !cursor) throw new ApiError("BAD_REQUEST", "cursor: not a cursor this catalogue gave");
    const query = { cursor: text, past: past === "1" };
    return serveShared(c, sharedKeys.catalogue(query), async () => {
      const { value: page, readAt } = await readCataloguePage(c.env, query, cursor);
      return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(page), readAt };
    });
  })
  .get("/:showId", async (c) => {
    const showId = c.req.param("showId");
    // An id that cannot be a show's is not worth a cache entry, nor a D1 query.
    if (!SHOW_ID.test(showId)) throw ApiError.of("SHOW_NOT_FOUND");
    return serveShared(c, sharedKeys.show(showId), async () => {
      const { value: show, readAt } = await readShow(c.env, showId);
      const body = show ? { show } : errorBody("SHOW_NOT_FOUND", MESSAGES.SHOW_NOT_FOUND);
      return { status: show ? 200 : 404, contentType: JSON_TYPE, body: JSON.stringify(body), readAt };
    });
  });
