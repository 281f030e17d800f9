import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { ApiError, errorBody } from "./errors";
import { admin } from "./routes/admin";
import { bench } from "./routes/bench";
import { catalogue } from "./routes/catalogue";
import { live } from "./routes/live";
import { paymentsRoutes } from "./routes/payments";
import { purchase } from "./routes/purchase";
import { sessions } from "./routes/sessions";
import { database, showsWithOverdueHolds } from "./show/ledger";

export { ShowQueue } from "./show/show-queue";

/** Request bodies are small JSON documents; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 16 * 1024;

export const app = new Hono<{ Bindings: Env }>()
  .use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `request body larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  )
  .get("/api/health", (c) => c.json({ ok: true }))
  .route("/api/sessions", sessions)
  .route("/api/shows", catalogue)
  .route("/api/admin", admin)
  .route("/api/payments", paymentsRoutes)
  .route("/api/bench", bench)
  .route("/:showId/ingresso/ws", live)
  .route("/:showId/ingresso", purchase);

app.notFound((c) => c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.toBody(), err.status, err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (malformed JSON in the validator, for one).
    const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
    return c.json(errorBody(code, err.message || "bad request"), err.status === 413 ? 413 : 400);
  }
  console.error("unhandled error", { method: c.req.method, path: new URL(c.req.url).pathname, error: err });
  return c.json(errorBody("INTERNAL", "something went wrong on our side; please try again"), 500);
});

export default {
  fetch: app.fetch,
  /** Safety net for hold expiry: poke every show that D1 says has an overdue hold. */
  async scheduled(controller, env, ctx) {
    const showIds = await showsWithOverdueHolds(database(env.DB), controller.scheduledTime);
    ctx.waitUntil(
      Promise.allSettled(showIds.map((id) => env.SHOWS.getByName(id).poke(id))).then((results) => {
        for (const r of results) if (r.status === "rejected") console.error("cron: poke failed", r.reason);
      }),
    );
  },
} satisfies ExportedHandler<Env>;
