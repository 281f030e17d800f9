import { Hono } from "hono";
import { database } from "../db/database";
import { getShow } from "../db/queries";
import { ApiError, OPENING } from "../errors";
import { laneName } from "../lanes/key";
import { type DrawView, mergeEntrants } from "../show/draw";

/**
 * `GET /api/shows/:showId/draw` (#14), open to everybody: the fair opening's commitment, and from
 * the draw on its seed, when it was drawn and every class's entrants, so that anyone can recompute
 * the order (`npm run verify-draw`). The seed comes from the show's object, which answers it only
 * once its draw happened (a draw due now happens first).
 */
export const draw = new Hono<{ Bindings: Env }>().get("/:showId/draw", async (c) => {
  const showId = c.req.param("showId");
  const show = await getShow(database(c.env.DB), showId);
  if (!show) throw ApiError.of("SHOW_NOT_FOUND");
  if (show.prequeueOpensAt === null || show.drawCommitment === null) throw new ApiError("NOT_FOUND", OPENING.noDraw);
  const view: DrawView = {
    prequeueOpensAt: show.prequeueOpensAt,
    salesOpenAt: show.salesOpenAt,
    commitment: show.drawCommitment,
    seed: null,
    drawnAt: null,
    entrants: null,
  };
  const result = await c.env.SHOWS.getByName(showId).drawResult(showId);
  if (!result) return c.json(view, 200, { "cache-control": "no-store" });
  const classes = show.sectors.flatMap((s) => [
    { sector: s.name, meia: false },
    { sector: s.name, meia: true },
  ]);
  const parts =
    show.lanes > 1
      ? await Promise.all(
          Array.from({ length: show.lanes }, (_, lane) =>
            c.env.LANES.getByName(laneName(showId, lane)).drawEntrants(showId, result.seed),
          ),
        )
      : [result.entrants];
  return c.json({
    ...view,
    seed: result.seed,
    drawnAt: new Date(result.drawnAt).toISOString(),
    entrants: mergeEntrants(classes, parts),
  } satisfies DrawView);
});
