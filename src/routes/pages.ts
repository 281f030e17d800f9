/**
 * The fans' pages, rendered by the Worker: shows, a show with its live sale panel, sign-in and the
 * sandbox checkout. The page's language is the fan's choice (`?lang=` sets a cookie), else
 * Accept-Language, else Brazilian Portuguese. Static files (`public/`) are served by ASSETS.
 */
import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { type Fan, issueSession, SESSION_COOKIE, verifySession } from "../auth";
import { decodeCursor } from "../db/cursor";
import { findPayment, getShow, listShows, paymentView, upsertUser } from "../db/queries";
import { checkoutPage } from "../page/checkout";
import { homePage } from "../page/home";
import { isLang, LANG_COOKIE, type Lang, messages, negotiateLang } from "../page/i18n";
import { type Html, layout, type PageContext, type PageOptions } from "../page/layout";
import { notFoundPage } from "../page/not-found";
import { showPage, showPageDescription } from "../page/show";
import { signInPage } from "../page/sign-in";
import { clientAddress, overLimit } from "../rate-limit";
import { catalogueQuery, sessionBody } from "../schemas";
import { database } from "../show/ledger";
import type { FanState } from "../show/types";

type PagesEnv = { Bindings: Env; Variables: { page: PageContext } };

const LANG_COOKIE_DAYS = 365;

async function sessionFan<E extends { Bindings: Env }>(c: Context<E>): Promise<Fan | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? verifySession(c.env, token) : undefined;
}

/** The page's context: language (a `?lang=` choice is remembered and dropped from the URL) and fan. */
export async function pageContext<E extends { Bindings: Env }>(c: Context<E>): Promise<PageContext> {
  const url = new URL(c.req.url);
  const cookieLang = getCookie(c, LANG_COOKIE);
  const lang: Lang = isLang(cookieLang) ? cookieLang : negotiateLang(c.req.header("accept-language"));
  const other = new URLSearchParams(url.search);
  other.set("lang", lang === "en" ? "pt-BR" : "en");
  return {
    lang,
    t: messages(lang),
    fan: await sessionFan(c),
    here: url.pathname + url.search,
    otherLangHref: `${url.pathname}?${other}`,
  };
}

const withPage: MiddlewareHandler<PagesEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  const chosen = url.searchParams.get("lang");
  if (chosen !== null) {
    if (isLang(chosen)) {
      setCookie(c, LANG_COOKIE, chosen, { path: "/", sameSite: "Lax", maxAge: LANG_COOKIE_DAYS * 86_400 });
    }
    url.searchParams.delete("lang");
    return c.redirect(url.pathname + url.search, 303);
  }
  c.set("page", await pageContext(c));
  await next();
};

export function renderPage(
  c: Context,
  ctx: PageContext,
  options: PageOptions,
  body: Html,
  status: 200 | 400 | 404 | 429 = 200,
) {
  // Pages greet the signed-in fan by name: never cache them.
  c.header("cache-control", "no-store");
  return c.html(layout(ctx, options, body), status);
}

/** A same-site path to go back to after signing in; anything else goes home. */
function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : "/";
}

export const pages = new Hono<PagesEnv>()
  .get("/", withPage, async (c) => {
    const ctx = c.var.page;
    const parsed = catalogueQuery.safeParse(c.req.query());
    // A mangled address shows the first page rather than an error.
    const cursor = parsed.success && parsed.data.cursor ? decodeCursor(parsed.data.cursor) : undefined;
    const query = { cursor: cursor && parsed.data?.cursor, past: parsed.data?.past === "1" };
    const now = Date.now();
    const page = await listShows(database(c.env.DB), { now, cursor, past: query.past });
    return renderPage(c, ctx, { title: ctx.t.homeTitle, page: "home" }, homePage(ctx, page, query, now));
  })
  .get("/shows/:showId", withPage, async (c) => {
    const ctx = c.var.page;
    const show = await getShow(database(c.env.DB), c.req.param("showId"));
    if (!show) return renderPage(c, ctx, { title: ctx.t.notFoundTitle, page: "not-found" }, notFoundPage(ctx), 404);
    return renderPage(
      c,
      ctx,
      { title: show.band.name, page: "show", description: showPageDescription(ctx, show) },
      showPage(ctx, show, Date.now()),
    );
  })
  .get("/entrar", withPage, (c) => {
    const ctx = c.var.page;
    const next = safeNext(c.req.query("voltar"));
    if (ctx.fan) return c.redirect(next, 303);
    return renderPage(c, ctx, { title: ctx.t.signInPageTitle, page: "sign-in" }, signInPage(ctx, next));
  })
  .post("/entrar", csrf(), withPage, async (c) => {
    const ctx = c.var.page;
    const form = await c.req.parseBody();
    const next = safeNext(form.voltar);
    const parsed = sessionBody.safeParse({ name: form.name, email: form.email });
    if (!parsed.success) {
      const values = { name: String(form.name ?? ""), email: String(form.email ?? "") };
      const error = parsed.error.issues.some((i) => i.path[0] === "email")
        ? ctx.t.errorInvalidEmail
        : ctx.t.errorGeneric;
      return renderPage(
        c,
        ctx,
        { title: ctx.t.signInPageTitle, page: "sign-in" },
        signInPage(ctx, next, error, values),
        400,
      );
    }
    // The same limit as `POST /api/sessions`, answered as the sign-in page rather than JSON.
    const wait = await overLimit(c.env, "SIGN_IN_LIMITER", clientAddress(c));
    if (wait !== undefined) {
      c.header("retry-after", String(wait));
      const values = { name: parsed.data.name, email: parsed.data.email };
      const page = signInPage(ctx, next, ctx.t.errorRateLimited, values);
      return renderPage(c, ctx, { title: ctx.t.signInPageTitle, page: "sign-in" }, page, 429);
    }
    const user = await upsertUser(database(c.env.DB), parsed.data.name, parsed.data.email);
    await issueSession(c, { id: user.id, name: user.name });
    return c.redirect(next, 303);
  })
  .post("/sair", csrf(), (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  })
  .get("/checkout/:paymentId", withPage, async (c) => {
    const ctx = c.var.page;
    if (!ctx.fan) return c.redirect(`/entrar?voltar=${encodeURIComponent(ctx.here)}`, 303);
    const db = database(c.env.DB);
    const row = await findPayment(db, c.req.param("paymentId"), ctx.fan.id);
    const show = row && (await getShow(db, row.showId));
    if (!row || !show) {
      return renderPage(c, ctx, { title: ctx.t.notFoundTitle, page: "not-found" }, notFoundPage(ctx), 404);
    }
    const outcome = await c.env.SHOWS.getByName(show.id).state(show.id, ctx.fan.id);
    const state: FanState = outcome.ok ? outcome.state : { status: "NONE", booked: [] };
    return renderPage(
      c,
      ctx,
      { title: ctx.t.checkoutTitle, page: "checkout" },
      checkoutPage(ctx, paymentView(row), show, state, Date.now()),
    );
  });

/** For a browser's navigation to an address that is nothing: a page, not the API's JSON. */
export async function notFoundHtml(c: Context<{ Bindings: Env }>) {
  const ctx = await pageContext(c);
  return renderPage(c, ctx, { title: ctx.t.notFoundTitle, page: "not-found" }, notFoundPage(ctx), 404);
}
