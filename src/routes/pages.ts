/**
 * The fans' pages, rendered by the Worker: shows, a show with its live sale panel, sign-in and the
 * sandbox checkout. The page's language is the fan's choice (`?lang=` sets a cookie), else
 * Accept-Language, else Brazilian Portuguese. Static files (`public/`) are served by ASSETS.
 */
import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { accountObject } from "../accounts/identity";
import { CODE_LIFETIME_MS, RESEND_AFTER_MS } from "../accounts/rules";
import { readChallenge, startSignIn, verifySignIn } from "../accounts/sign-in";
import { type Fan, issueSession, SESSION_COOKIE, SESSION_DAYS, signOutEverywhere, verifySession } from "../auth";
import { decodeCursor } from "../db/cursor";
import { database } from "../db/database";
import { bookedTicketsOf, findPayment, getShow, paymentView } from "../db/queries";
import { readCataloguePage, readShow } from "../edge/catalogue-reads";
import { type Rendered, type SharedKey, serveShared, sharedKeys } from "../edge/shared-cache";
import { SHOW_ID } from "../edge/show-directory";
import { ApiError, unavailable } from "../errors";
import { fanState } from "../lanes/route";
import { accountPage } from "../page/account";
import { busyPage } from "../page/busy";
import { checkoutPage } from "../page/checkout";
import { homePage } from "../page/home";
import { isLang, LANG_COOKIE, type Lang, messages } from "../page/i18n";
import { requestLang } from "../page/lang";
import { type Html, layout, type PageContext, type PageOptions } from "../page/layout";
import { myTicketsPage } from "../page/my-tickets";
import { notFoundPage } from "../page/not-found";
import { showPage, showPageDescription } from "../page/show";
import { type CodeStep, codePage, passkeyOfferPage, signInPage } from "../page/sign-in";
import { clientAddress, overLimit } from "../rate-limit";
import { catalogueQuery, codeField, sessionBody } from "../schemas";
import type { FanState, Outcome } from "../show/types";
import { signTicketCode } from "../ticket-code";

export type PagesEnv = { Bindings: Env; Variables: { page: PageContext } };

const LANG_COOKIE_DAYS = 365;

async function sessionFan<E extends { Bindings: Env }>(c: Context<E>): Promise<Fan | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? verifySession(c.env, token) : undefined;
}

/** A page's context for this address (path and query), language and fan. */
function contextFor(lang: Lang, fan: Fan | undefined, pathAndQuery: string): PageContext {
  const url = new URL(pathAndQuery, "http://page");
  const other = new URLSearchParams(url.search);
  other.set("lang", lang === "en" ? "pt-BR" : "en");
  return {
    lang,
    t: messages(lang),
    fan,
    here: url.pathname + url.search,
    otherLangHref: `${url.pathname}?${other}`,
  };
}

/** The page's context: language (a `?lang=` choice is remembered and dropped from the URL) and fan. */
export async function pageContext<E extends { Bindings: Env }>(c: Context<E>): Promise<PageContext> {
  const url = new URL(c.req.url);
  return contextFor(requestLang(c), await sessionFan(c), url.pathname + url.search);
}

/**
 * A `?lang=` choice: remembered in a cookie, then the same address without it (never from the
 * shared cache: this answer sets a cookie).
 */
const withLangChoice: MiddlewareHandler<PagesEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  const chosen = url.searchParams.get("lang");
  if (chosen === null) return next();
  if (isLang(chosen)) {
    setCookie(c, LANG_COOKIE, chosen, { path: "/", sameSite: "Lax", maxAge: LANG_COOKIE_DAYS * 86_400 });
  }
  url.searchParams.delete("lang");
  return c.redirect(url.pathname + url.search, 303);
};

export const withPage: MiddlewareHandler<PagesEnv> = async (c, next) => {
  const chosen = await withLangChoice(c, async () => {
    c.set("page", await pageContext(c));
    await next();
  });
  if (chosen) return chosen;
};

const HTML_TYPE = "text/html; charset=UTF-8";

/**
 * A page every fan gets alike, for the shared cache: rendered from its key's language and
 * normalized address only, with no fan (the header and the sale panel ask `GET /api/me`), from
 * what `render` read (and when).
 */
async function sharedPage(
  key: SharedKey & { lang: Lang },
  render: (ctx: PageContext) => Promise<{ options: PageOptions; body: Html; status?: 200 | 404; readAt: number }>,
): Promise<Rendered & { readAt: number }> {
  const ctx = contextFor(key.lang, undefined, key.path);
  const page = await render(ctx);
  const body = await layout(ctx, { ...page.options, shared: true }, page.body);
  return { status: page.status ?? 200, contentType: HTML_TYPE, body: body.toString(), readAt: page.readAt };
}

export function renderPage(
  c: Context,
  ctx: PageContext,
  options: PageOptions,
  body: Html,
  status: 200 | 400 | 404 | 410 | 429 | 502 | 503 = 200,
) {
  // These pages greet the signed-in fan by name: never cache them.
  c.header("cache-control", "no-store");
  return c.html(layout(ctx, options, body), status);
}

/** A same-site path to go back to after signing in; anything else goes home. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : "/";
}

/** Start a code sign-in for the page: the challenge, or the words for why not. */
async function startOrSay(
  c: Context<PagesEnv>,
  input: { name: string; email: string },
): Promise<{ challenge: string; resendAt: number } | { error: string; status: 429 | 502; resendAt?: number }> {
  const { t, lang } = c.var.page;
  try {
    const started = await startSignIn(c.env, { ...input, lang });
    if (!started.ok) {
      c.header("retry-after", String(started.retryAfterSeconds));
      return {
        error: t.errorCodeWait(started.retryAfterSeconds),
        status: 429,
        resendAt: Date.now() + started.retryAfterSeconds * 1000,
      };
    }
    return { challenge: started.challenge, resendAt: Date.now() + RESEND_AFTER_MS };
  } catch (err) {
    if (err instanceof ApiError && err.code === "EMAIL_NOT_SENT") return { error: t.errorEmailNotSent, status: 502 };
    throw err;
  }
}

function codeStep(c: Context<PagesEnv>, step: CodeStep, status: 200 | 400 | 410 | 429 | 502 = 200) {
  const ctx = c.var.page;
  return renderPage(
    c,
    ctx,
    { title: ctx.t.codeTitle, page: "sign-in-code" },
    codePage(ctx, step, CODE_LIFETIME_MS / 60_000),
    status,
  );
}

export const pages = new Hono<PagesEnv>()
  .get("/", withLangChoice, async (c) => {
    const parsed = catalogueQuery.safeParse(c.req.query());
    // A mangled address shows the first page rather than an error.
    const cursor = parsed.success && parsed.data.cursor ? decodeCursor(parsed.data.cursor) : undefined;
    const query = { cursor: cursor && parsed.data?.cursor, past: parsed.data?.past === "1" };
    const key = sharedKeys.home(query, requestLang(c));
    return serveShared(c, key, () =>
      sharedPage(key, async (ctx) => {
        const { value: page, readAt } = await readCataloguePage(c.env, query, cursor);
        const body = homePage(ctx, page, query, readAt);
        return { options: { title: ctx.t.homeTitle, page: "home" }, body, readAt };
      }),
    );
  })
  .get("/shows/:showId", withLangChoice, async (c) => {
    const showId = c.req.param("showId");
    if (!SHOW_ID.test(showId)) return notFoundHtml(c);
    const key = sharedKeys.showPage(showId, requestLang(c));
    return serveShared(c, key, () =>
      sharedPage(key, async (ctx) => {
        const { value: show, readAt } = await readShow(c.env, showId);
        if (!show) {
          return {
            options: { title: ctx.t.notFoundTitle, page: "not-found" },
            body: notFoundPage(ctx),
            status: 404,
            readAt,
          };
        }
        return {
          options: { title: show.band.name, page: "show", description: showPageDescription(ctx, show) },
          body: showPage(ctx, show, readAt),
          readAt,
        };
      }),
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
    const emailStep = (error: string, status: 400 | 429 | 502, values: { name: string; email: string }) =>
      renderPage(
        c,
        ctx,
        { title: ctx.t.signInPageTitle, page: "sign-in" },
        signInPage(ctx, next, error, values),
        status,
      );
    const parsed = sessionBody.safeParse({ name: form.name, email: form.email });
    if (!parsed.success) {
      const error = parsed.error.issues.some((i) => i.path[0] === "email")
        ? ctx.t.errorInvalidEmail
        : ctx.t.errorGeneric;
      return emailStep(error, 400, { name: String(form.name ?? ""), email: String(form.email ?? "") });
    }
    const { name, email } = parsed.data;
    // The same limits as `POST /api/sessions`, answered as the sign-in page rather than JSON.
    const wait = await overLimit(c.env, "SIGN_IN_LIMITER", clientAddress(c));
    if (wait !== undefined) {
      c.header("retry-after", String(wait));
      return emailStep(ctx.t.errorRateLimited, 429, { name, email });
    }
    const started = await startOrSay(c, { name, email });
    if ("error" in started) return emailStep(started.error, started.status, { name, email });
    return codeStep(c, { challenge: started.challenge, email, next, resendAt: started.resendAt });
  })
  .post("/entrar/reenviar", csrf(), withPage, async (c) => {
    const ctx = c.var.page;
    const form = await c.req.parseBody();
    const next = safeNext(form.voltar);
    const previous = typeof form.challenge === "string" ? await readChallenge(c.env, form.challenge) : undefined;
    if (!previous) return c.redirect(`/entrar?voltar=${encodeURIComponent(next)}`, 303);
    const wait = await overLimit(c.env, "SIGN_IN_LIMITER", clientAddress(c));
    const same = { challenge: String(form.challenge), email: previous.email, next, resendAt: Date.now() };
    if (wait !== undefined) {
      c.header("retry-after", String(wait));
      return codeStep(c, { ...same, resendAt: Date.now() + wait * 1000, error: ctx.t.errorRateLimited }, 429);
    }
    const started = await startOrSay(c, { name: previous.name, email: previous.email });
    if ("error" in started) {
      return codeStep(c, { ...same, resendAt: started.resendAt ?? Date.now(), error: started.error }, started.status);
    }
    return codeStep(c, { ...same, challenge: started.challenge, resendAt: started.resendAt, resent: true });
  })
  .post("/entrar/codigo", csrf(), withPage, async (c) => {
    const ctx = c.var.page;
    const form = await c.req.parseBody();
    const next = safeNext(form.voltar);
    const challenge = typeof form.challenge === "string" ? form.challenge : "";
    const claims = await readChallenge(c.env, challenge);
    if (!claims) return c.redirect(`/entrar?voltar=${encodeURIComponent(next)}`, 303);
    const typed = String(form.code ?? "").slice(0, 20);
    // The fan may ask for another code once the first one is 30 s old.
    const step = {
      challenge,
      email: claims.email,
      next,
      code: typed,
      resendAt: claims.expiresAt - CODE_LIFETIME_MS + RESEND_AFTER_MS,
    };
    const code = codeField.safeParse(typed);
    if (!code.success) return codeStep(c, { ...step, error: ctx.t.errorCodeFormat }, 400);
    const wait = await overLimit(c.env, "SIGN_IN_LIMITER", clientAddress(c));
    if (wait !== undefined) {
      c.header("retry-after", String(wait));
      return codeStep(c, { ...step, error: ctx.t.errorRateLimited }, 429);
    }
    const verified = await verifySignIn(c.env, { challenge, code: code.data });
    if (!verified.ok) {
      if (verified.code === "WRONG_CODE") {
        return codeStep(c, { ...step, error: ctx.t.errorWrongCode(verified.triesLeft) }, 400);
      }
      return codeStep(c, { ...step, code: "", error: ctx.t.errorCodeExpired }, 410);
    }
    const { profile } = verified;
    await issueSession(c, {
      id: profile.userId,
      name: profile.name,
      account: verified.account,
      version: verified.sessionVersion,
    });
    return c.redirect(verified.hasPasskeys ? next : `/entrar/chave?voltar=${encodeURIComponent(next)}`, 303);
  })
  .get("/entrar/chave", withPage, (c) => {
    const ctx = c.var.page;
    const next = safeNext(c.req.query("voltar"));
    if (!ctx.fan) return c.redirect(`/entrar?voltar=${encodeURIComponent(next)}`, 303);
    return renderPage(c, ctx, { title: ctx.t.passkeyOfferTitle, page: "passkey-offer" }, passkeyOfferPage(ctx, next));
  })
  .post("/sair", csrf(), (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  })
  .get("/meus-ingressos", withPage, async (c) => {
    const ctx = c.var.page;
    if (!ctx.fan) return c.redirect(`/entrar?voltar=${encodeURIComponent(ctx.here)}`, 303);
    const fan = ctx.fan;
    const booked = await bookedTicketsOf(database(c.env.DB), fan.id);
    const tickets = await Promise.all(
      booked.map(async (t) => ({
        ...t,
        code: await signTicketCode(c.env, { ticketId: t.id, showId: t.show.id, userId: fan.id }),
      })),
    );
    return renderPage(
      c,
      ctx,
      { title: ctx.t.myTicketsTitle, page: "my-tickets" },
      myTicketsPage(ctx, fan.name, tickets),
    );
  })
  .get("/conta", withPage, async (c) => {
    const ctx = c.var.page;
    if (!ctx.fan) return c.redirect(`/entrar?voltar=${encodeURIComponent(ctx.here)}`, 303);
    const account = accountObject(c.env, ctx.fan.account);
    const [profile, passkeys] = await Promise.all([account.profile(), account.passkeys()]);
    const notice = c.req.query("removida") !== undefined ? ctx.t.passkeyRemoved : undefined;
    return renderPage(
      c,
      ctx,
      { title: ctx.t.accountTitle, page: "account" },
      accountPage(ctx, { name: ctx.fan.name, email: profile?.email ?? "" }, passkeys, SESSION_DAYS, notice),
    );
  })
  .post("/conta/chaves/remover", csrf(), withPage, async (c) => {
    const ctx = c.var.page;
    if (!ctx.fan) return c.redirect("/entrar?voltar=%2Fconta", 303);
    const form = await c.req.parseBody();
    const removed = typeof form.id === "string" && (await accountObject(c.env, ctx.fan.account).removePasskey(form.id));
    return c.redirect(removed ? "/conta?removida" : "/conta", 303);
  })
  .post("/conta/sair-de-todos", csrf(), withPage, async (c) => {
    const ctx = c.var.page;
    if (ctx.fan) await signOutEverywhere(c.env, ctx.fan.account);
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
    // The page reads the hold from the show's object: a call like GET /:showId/ingresso, limited alike.
    const busy = async (status: 429 | 503, lead: string, seconds: number) => {
      c.header("retry-after", String(seconds));
      const page = busyPage(ctx, lead, ctx.here);
      return renderPage(c, ctx, { title: ctx.t.busyTitle, page: "busy" }, page, status);
    };
    const wait = await overLimit(c.env, "SHOW_CALL_LIMITER", ctx.fan.id);
    if (wait !== undefined) return busy(429, ctx.t.errorRateLimited, wait);
    let outcome: Outcome;
    try {
      outcome = await fanState(c.env, show, ctx.fan.id);
    } catch (err) {
      const answer = unavailable(err);
      if (!answer) throw err;
      return busy(503, ctx.t.errorUnavailable, Number(answer.headers["retry-after"]));
    }
    const state: FanState = outcome.ok ? outcome.state : { status: "NONE", booked: [] };
    const held = state.status === "IN_PROGRESS" && state.ticket?.id === row.ticketId;
    // A provider's own page takes the fan's money: this address only leads there while it can.
    if (row.provider !== "sandbox" && row.status === "PENDING" && row.checkoutUrl && held) {
      return c.redirect(row.checkoutUrl, 303);
    }
    return renderPage(
      c,
      ctx,
      { title: ctx.t.checkoutTitle, page: "checkout" },
      checkoutPage(ctx, paymentView(row), show, state, Date.now()),
    );
  });

/** For a browser's navigation to an address that is nothing: a page, not the API's JSON. */
export async function notFoundHtml<E extends { Bindings: Env }>(c: Context<E>) {
  const ctx = await pageContext(c);
  return renderPage(c, ctx, { title: ctx.t.notFoundTitle, page: "not-found" }, notFoundPage(ctx), 404);
}
