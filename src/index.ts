import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { publicRead, sameOriginWrites } from "./cors";
import { showsBeingPrepared } from "./db/seats";
import { ApiError, ERROR_STATUS, errorBody } from "./errors";
import { admin } from "./routes/admin";
import { bench } from "./routes/bench";
import { catalogue } from "./routes/catalogue";
import { live } from "./routes/live";
import { notFoundHtml, pages } from "./routes/pages";
import { paymentsRoutes } from "./routes/payments";
import { purchase } from "./routes/purchase";
import { sessions } from "./routes/sessions";
import { ticketsRoutes } from "./routes/tickets";
import { securityHeaders } from "./security";
import { database, showsWithOverdueHolds } from "./show/ledger";

export { ShowBuilder } from "./prepare/builder";
export { ShowQueue } from "./show/show-queue";

/** Request bodies are small JSON documents; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 16 * 1024;

export const app = new Hono<{ Bindings: Env }>()
  .use(securityHeaders)
  .use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `request body larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  )
  .use(sameOriginWrites)
  .use("/api/health", publicRead)
  .use("/api/shows", publicRead)
  .use("/api/shows/*", publicRead)
  .get("/api/health", (c) => c.json({ ok: true }))
  .route("/api/sessions", sessions)
  .route("/api/shows", catalogue)
  .route("/api/admin", admin)
  .route("/api/payments", paymentsRoutes)
  .route("/api/tickets", ticketsRoutes)
  .route("/api/bench", bench)
  .route("/:showId/ingresso/ws", live)
  .route("/:showId/ingresso", purchase)
  .route("/", pages);

/** The API's JSON 404; outside the API, a static file from `public/` first, and a page for browsers. */
app.notFound(async (c) => {
  const { pathname } = new URL(c.req.url);
  const api = pathname === "/api" || pathname.startsWith("/api/");
  if (!api && (c.req.method === "GET" || c.req.method === "HEAD")) {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status !== 404) return asset;
    if (c.req.header("accept")?.includes("text/html")) return notFoundHtml(c);
  }
  return c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${pathname}`), 404);
});

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.toBody(), err.status, err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (malformed JSON in the validator, a cross-site form post refused by csrf()).
    const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : err.status === 403 ? "FORBIDDEN" : "BAD_REQUEST";
    return c.json(errorBody(code, err.message || "bad request"), ERROR_STATUS[code]);
  }
  console.error("unhandled error", { method: c.req.method, path: new URL(c.req.url).pathname, error: err });
  return c.json(errorBody("INTERNAL", "something went wrong on our side; please try again"), 500);
});

export default {
  fetch: app.fetch,
  /**
   * Safety nets: poke every show that D1 says has an overdue hold, and (re)start the builder of
   * every show still being prepared (its start may have failed after the show was written).
   */
  async scheduled(controller, env, ctx) {
    const [overdue, preparing] = await Promise.all([
      showsWithOverdueHolds(database(env.DB), controller.scheduledTime),
      showsBeingPrepared(env.DB),
    ]);
    ctx.waitUntil(
      Promise.allSettled([
        ...overdue.map((id) => env.SHOWS.getByName(id).poke(id)),
        ...preparing.map((id) => env.BUILDERS.getByName(id).start(id)),
      ]).then((results) => {
        for (const r of results) if (r.status === "rejected") console.error("cron: poke failed", r.reason);
      }),
    );
  },
} satisfies ExportedHandler<Env>;
