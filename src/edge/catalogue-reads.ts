/**
 * What the shared answers show (src/edge/shared-cache.ts), read once per TTL per isolate whatever
 * the language or the format asking: a page of the catalogue (the home page in each language and
 * `GET /api/shows` with the same query), or one show (its page and `GET /api/shows/:showId`). The
 * shows' rows come from D1, their availability from their objects (src/edge/live-availability.ts).
 */
import type { Cursor } from "../db/cursor";
import { database } from "../db/database";
import { type CataloguePage, getShow, listShows, type ShowView } from "../db/queries";
import { objectAvailability } from "./live-availability";
import { type CatalogueQuery, type Read, sharedAnswers, sharedKeys } from "./shared-cache";

/** A page of the catalogue; `cursor` is the query's cursor as the catalogue gave it, decoded. */
export function readCataloguePage(
  env: Env,
  query: CatalogueQuery,
  cursor: Cursor | undefined,
): Promise<Read<CataloguePage>> {
  return sharedAnswers.read(sharedKeys.catalogue(query), () =>
    listShows(database(env.DB), { now: Date.now(), cursor, past: query.past }, objectAvailability(env)),
  );
}

/** One show, any status; undefined when there is none. */
export function readShow(env: Env, showId: string): Promise<Read<ShowView | undefined>> {
  return sharedAnswers.read(sharedKeys.show(showId), () => getShow(database(env.DB), showId, objectAvailability(env)));
}
