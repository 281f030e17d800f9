import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { publicRead, sameOriginWrites } from "./cors";
import { database } from "./db/database";
import { showsBeingPrepared } from "./db/seats";
import { ApiError, ERROR_STATUS, errorBody, MESSAGES, unavailable } from "./errors";
import { sweepPayments } from "./payments/sweep";
import { admin } from "./routes/admin";
import { bench, benchEnv } from "./routes/bench";
import { catalogue } from "./routes/catalogue";
import { consoleApi } from "./routes/console-api";
import { consolePages } from "./routes/console-pages";
import { dev } from "./routes/dev";
import { doorRoutes } from "./routes/door";
import { draw } from "./routes/draw";
import { live } from "./routes/live";
import { me } from "./routes/me";
import { notFoundHtml, pages } from "./routes/pages";
import { passkeysRoutes } from "./routes/passkeys";
import { paymentsRoutes, paymentWebhooks } from "./routes/payments";
import { purchase } from "./routes/purchase";
import { sessions } from "./routes/sessions";
import { ticketsRoutes } from "./routes/tickets";
import { securityHeaders } from "./security";
import { showsWithDrawDue, showsWithOverdueHolds } from "./show/ledger";

export { Account } from "./accounts/account";
export { RevocationList } from "./accounts/revocations";
export { DevOutbox } from "./email/outbox";
export { ShowLane } from "./lanes/show-lane";
export { ShowBuilder } from "./prepare/builder";
export { ShowQueue } from "./show/show-queue";

/** Request bodies are small JSON documents; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 16 * 1024;
/** A provider's event carries a whole checkout object: larger, still bounded. */
const MAX_WEBHOOK_BYTES = 256 * 1024;
const WEBHOOKS = "/api/payments/webhook";

const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `request body larger than ${maxSize} bytes`);
    },
  });
const apiBodies = limitBody(MAX_BODY_BYTES);
const webhookBodies = limitBody(MAX_WEBHOOK_BYTES);

export const app = new Hono<{ Bindings: Env }>()
  .use(securityHeaders)
  .use((c, next) => (c.req.path.startsWith(`${WEBHOOKS}/`) ? webhookBodies : apiBodies)(c, next))
  .use(sameOriginWrites)
  .use("/api/health", publicRead)
  .use("/api/shows", publicRead)
  .use("/api/shows/*", publicRead)
  .get("/api/health", (c) => c.json({ ok: true }))
  .route("/api/sessions", sessions)
  .route("/api/shows", draw)
  .route("/api/me", me)
  .route("/api/shows", catalogue)
  .route("/api/admin", admin)
  .route(WEBHOOKS, paymentWebhooks)
  .route("/api/console", consoleApi)
  .route("/api/door", doorRoutes)
  .route("/api/passkeys", passkeysRoutes)
  .route("/api/payments", paymentsRoutes)
  .route("/api/tickets", ticketsRoutes)
  .route("/api/bench", bench)
  .route("/dev", dev)
  .route("/", consolePages)
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
  const busy = unavailable(err);
  if (busy) {
    console.warn("a show object could not answer", { path: new URL(c.req.url).pathname, error: String(err) });
    return c.json(busy.toBody(), busy.status, busy.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (malformed JSON in the validator, a cross-site form post refused by csrf()).
    const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : err.status === 403 ? "FORBIDDEN" : "BAD_REQUEST";
    return c.json(errorBody(code, err.message || "bad request"), ERROR_STATUS[code]);
  }
  console.error("unhandled error", { method: c.req.method, path: new URL(c.req.url).pathname, error: err });
  return c.json(errorBody("INTERNAL", MESSAGES.INTERNAL), 500);
});

export default {
  fetch: (request, env, ctx) => app.fetch(request, benchEnv(env), ctx),
  /**
   * Safety nets: poke every show that D1 says has an overdue hold or a draw due (its alarm may have
   * been lost), and (re)start the builder of
   * every show still being prepared (its start may have failed after the show was written). Then
   * close the checkouts of holds that are over and retry refunds that failed (src/payments/sweep.ts).
   */
  async scheduled(controller, env, ctx) {
    const db = database(env.DB);
    const [overdue, drawing, preparing] = await Promise.all([
      showsWithOverdueHolds(db, controller.scheduledTime),
      showsWithDrawDue(db, controller.scheduledTime),
      showsBeingPrepared(env.DB),
    ]);
    ctx.waitUntil(
      Promise.allSettled([
        ...[...new Set([...overdue, ...drawing])].map((id) => env.SHOWS.getByName(id).poke(id)),
        ...preparing.map((id) => env.BUILDERS.getByName(id).start(id)),
      ])
        .then((results) => {
          for (const r of results) if (r.status === "rejected") console.error("cron: poke failed", r.reason);
        })
        .then(() => sweepPayments(env, Date.now()))
        .catch((err) => console.error("cron: payment sweep failed", err)),
    );
  },
} satisfies ExportedHandler<Env>;
