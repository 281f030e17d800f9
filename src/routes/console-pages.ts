/**
 * The organizers' pages: the console (`/organizador…`, behind the organizer's session cookie) and
 * the gate phone's door page (`/portaria`, which authenticates itself through the door API).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { decodeCursor } from "../db/cursor";
import { listBands } from "../db/dashboard";
import { database } from "../db/database";
import { getShow, listShows } from "../db/queries";
import { endOrganizerSession, hasOrganizerSession, isAdminToken, issueOrganizerSession } from "../organizer";
import { consoleHomePage, consoleSignInPage, dashboardPage } from "../page/console";
import { doorPage } from "../page/door";
import { organizerContext } from "../page/layout";
import { notFoundPage } from "../page/not-found";
import { clientAddress, overLimit } from "../rate-limit";
import { DOOR_CONTENT_SECURITY_POLICY } from "../security";
import { type PagesEnv, renderPage, safeNext, withPage } from "./pages";

const SIGN_IN = "/organizador/entrar";

const signedOut = { kind: "console", organizer: false } as const;
const signedIn = { kind: "console", organizer: true } as const;

/** The console's pages (after sign-in and sign-out, which are public): the organizer's session or sign-in. */
const organizerOnly: MiddlewareHandler<PagesEnv> = async (c, next) => {
  if (!(await hasOrganizerSession(c))) {
    const url = new URL(c.req.url);
    return c.redirect(`${SIGN_IN}?voltar=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  await next();
};

export const consolePages = new Hono<PagesEnv>()
  .get(SIGN_IN, withPage, async (c) => {
    const ctx = organizerContext(c.var.page);
    const next = safeNext(c.req.query("voltar") ?? "/organizador");
    if (await hasOrganizerSession(c)) return c.redirect(next, 303);
    return renderPage(
      c,
      ctx,
      { title: ctx.t.consoleSignInTitle, page: "console-sign-in", area: signedOut },
      consoleSignInPage(ctx, next),
    );
  })
  .post(SIGN_IN, csrf(), withPage, async (c) => {
    const ctx = organizerContext(c.var.page);
    const form = await c.req.parseBody();
    const next = safeNext(form.voltar ?? "/organizador");
    const options = { title: ctx.t.consoleSignInTitle, page: "console-sign-in", area: signedOut } as const;
    // Guessing the token costs a sign-in attempt, under the same per-address limit as fans'.
    const wait = await overLimit(c.env, "SIGN_IN_LIMITER", clientAddress(c));
    if (wait !== undefined) {
      c.header("retry-after", String(wait));
      return renderPage(c, ctx, options, consoleSignInPage(ctx, next, ctx.t.errorRateLimited), 429);
    }
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!(await isAdminToken(c.env, token))) {
      return renderPage(c, ctx, options, consoleSignInPage(ctx, next, ctx.t.consoleWrongToken), 400);
    }
    await issueOrganizerSession(c);
    return c.redirect(next, 303);
  })
  .post("/organizador/sair", csrf(), (c) => {
    endOrganizerSession(c);
    return c.redirect(SIGN_IN, 303);
  })
  .use("/organizador", organizerOnly)
  .use("/organizador/*", organizerOnly)
  .get("/organizador", withPage, async (c) => {
    const ctx = organizerContext(c.var.page);
    const db = database(c.env.DB);
    // Every show the organizer has, upcoming first and then past ones, a page at a time.
    const cursor = decodeCursor(c.req.query("cursor") ?? "");
    const [shows, bands] = await Promise.all([listShows(db, { now: Date.now(), cursor, past: true }), listBands(db)]);
    return renderPage(
      c,
      ctx,
      { title: ctx.t.consoleTitle, page: "console", area: signedIn },
      consoleHomePage(ctx, shows, bands),
    );
  })
  .get("/organizador/shows/:showId", withPage, async (c) => {
    const ctx = organizerContext(c.var.page);
    const show = await getShow(database(c.env.DB), c.req.param("showId"));
    if (!show) {
      return renderPage(
        c,
        ctx,
        { title: ctx.t.notFoundTitle, page: "not-found", area: signedIn },
        notFoundPage(ctx),
        404,
      );
    }
    return renderPage(
      c,
      ctx,
      {
        title: `${ctx.t.dashboardTitle}: ${show.band.name}`,
        page: "dashboard",
        area: signedIn,
        stylesheets: ["/vendor/uPlot.min.css"],
      },
      dashboardPage(ctx, show),
    );
  })
  .get("/portaria", withPage, (c) => {
    const ctx = organizerContext(c.var.page);
    c.header("content-security-policy", DOOR_CONTENT_SECURITY_POLICY);
    return renderPage(c, ctx, { title: ctx.t.doorTitle, page: "door", area: { kind: "door" } }, doorPage(ctx));
  });
