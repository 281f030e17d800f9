/** The document around every page: head, header (brand, language, session), footer, the bundle. */
import { html } from "hono/html";
import type { Fan } from "../auth";
import type { Lang, Messages } from "./i18n";
import { type OrganizerMessages, organizerMessages } from "./i18n-organizers";

export type Html = ReturnType<typeof html>;

export interface PageContext {
  lang: Lang;
  t: Messages;
  fan: Fan | undefined;
  /** Path and query of this page: sign-in's way back. */
  here: string;
  /** This page in the other language. */
  otherLangHref: string;
}

/** The organizers' pages (console, door) speak with the organizers' words too. */
export interface OrganizerPageContext extends Omit<PageContext, "t"> {
  t: OrganizerMessages;
}

export function organizerContext(ctx: PageContext): OrganizerPageContext {
  return { ...ctx, t: organizerMessages(ctx.lang) };
}

export interface PageOptions {
  title: string;
  /** Tells the client bundle which page it is on. */
  page:
    | "home"
    | "show"
    | "sign-in"
    | "sign-in-code"
    | "passkey-offer"
    | "my-tickets"
    | "account"
    | "checkout"
    | "not-found"
    | "console-sign-in"
    | "console"
    | "dashboard"
    | "door"
    | "busy";
  description?: string;
  /**
   * The organizers' pages (the console, with the organizer's session or not) and the gate's door
   * page: their own header and client bundle, beside the fans' pages.
   */
  area?: { kind: "console"; organizer: boolean } | { kind: "door" };
  /**
   * The same for every fan (the shared cache keeps it): rendered without a fan, whatever `fan`
   * says; the client fills the header's session part from `GET /api/me`.
   */
  shared?: boolean;
  /** Extra stylesheets (the charts' library). */
  stylesheets?: string[];
}

const BUNDLES = { fans: "/app.js", console: "/console.js", door: "/door.js" } as const;

const brandMark = html`<svg class="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <circle cx="16" cy="16" r="15" fill="currentColor" opacity="0.16" />
  <circle cx="16" cy="16" r="4.5" fill="currentColor" />
  <path d="M16 11.5V3.5M12.1 18.25 5.2 22.25M19.9 18.25l6.9 4" stroke="currentColor" stroke-width="3.2" stroke-linecap="round" />
</svg>`;

/**
 * A shared page's session part: empty until the client asks `GET /api/me` and fills it with the
 * fan's greeting and links, or the sign-in link; without the bundle, the sign-in link.
 */
function sessionSlot(ctx: PageContext) {
  return html`<span class="topnav__session" data-session>
    <noscript><a class="btn btn--small btn--light" href="/entrar?voltar=${encodeURIComponent(ctx.here)}">${ctx.t.signIn}</a></noscript>
  </span>`;
}

/** The header's session part: the organizer's, the fan's, the sign-in link, or the shared pages' slot. */
function sessionPart(ctx: PageContext, options: PageOptions) {
  const { t, fan } = ctx;
  const { page, area } = options;
  if (options.shared) return sessionSlot(ctx);
  if (area) {
    const words = organizerMessages(ctx.lang);
    return area.kind === "console" && area.organizer
      ? html`<a class="topnav__hello" href="/organizador">${words.consoleNav}</a>
          <form class="topnav__form" method="post" action="/organizador/sair">
            <button class="linkbtn" type="submit">${words.consoleSignOut}</button>
          </form>`
      : "";
  }
  if (fan) {
    return html`<span class="topnav__hello">${t.hello(fan.name)}</span>
      <a class="topnav__link" href="/meus-ingressos" ${page === "my-tickets" ? html`aria-current="page"` : ""}
        >${t.navMyTickets}</a
      >
      <a class="topnav__link" href="/conta" ${page === "account" ? html`aria-current="page"` : ""}>${t.navAccount}</a>
      <form class="topnav__form" method="post" action="/sair">
        <button class="linkbtn" type="submit">${t.signOut}</button>
      </form>`;
  }
  return page === "sign-in" || page === "sign-in-code"
    ? ""
    : html`<a class="btn btn--small btn--light" href="/entrar?voltar=${encodeURIComponent(ctx.here)}">${t.signIn}</a>`;
}

function header(ctx: PageContext, options: PageOptions) {
  const { t } = ctx;
  const otherLang: Lang = ctx.lang === "en" ? "pt-BR" : "en";
  const area = options.area;
  const words = area ? organizerMessages(ctx.lang) : undefined;
  const session = sessionPart(ctx, options);
  return html`<header class="topbar">
    <div class="wrap topbar__inner">
      <a class="brand" href="${area?.kind === "console" ? "/organizador" : "/"}">${brandMark}<span class="brand__name"
        >catraca</span
      >${area ? html`<span class="brand__area">${area.kind === "console" ? words?.consoleNav : words?.doorTitle}</span>` : ""}</a>
      <nav class="topnav" aria-label="${t.navShows}">
        <a class="topnav__lang" href="${ctx.otherLangHref}" hreflang="${otherLang}" lang="${otherLang}"
          title="${t.otherLangLabel}">${t.otherLang}</a>
        ${session}
      </nav>
    </div>
  </header>`;
}

export function layout(ctx: PageContext, options: PageOptions, body: Html) {
  const { t } = ctx;
  return html`<!doctype html>
<html lang="${ctx.lang}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="theme-color" content="#1b1440" />
    <meta name="description" content="${options.description ?? t.homeLead}" />
    <title>${options.title} · catraca</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="preload" href="/fonts/inter-latin-wght-normal.woff2" as="font" type="font/woff2" crossorigin />
    <link rel="stylesheet" href="/styles.css" />
    ${(options.stylesheets ?? []).map((href) => html`<link rel="stylesheet" href="${href}" />`)}
    <script type="module" src="${BUNDLES[options.area?.kind ?? "fans"]}"></script>
  </head>
  <body data-page="${options.page}" ${options.shared ? "" : html`data-signed-in="${ctx.fan ? "1" : "0"}"`}>
    <a class="skip" href="#main">${t.skipToContent}</a>
    ${header(ctx, options)}
    <main id="main" class="wrap main" tabindex="-1">${body}</main>
    <footer class="footer">
      <div class="wrap footer__inner">
        <p>${t.footer}</p>
        <p class="footer__sandbox">${t.footerSandbox}</p>
      </div>
    </footer>
  </body>
</html>`;
}
