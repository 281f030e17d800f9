/** `/`: a page of the shows on sale, each with its sectors, prices and live availability. */
import { html } from "hono/html";
import type { CataloguePage } from "../db/queries";
import { type AvailabilityKind, classAvailability, type SectorView, type ShowView } from "../db/views";
import { calendarParts, cityOf, formatMoney, formatShortDate, formatShowDate } from "./format";
import type { Html, PageContext } from "./layout";

/** One of six poster palettes per show, stable across visits (a class: no inline styles under our CSP). */
export function posterClass(showId: string): string {
  let hash = 0;
  for (const ch of showId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `poster--${(hash % 6) + 1}`;
}

export function calendar(ctx: PageContext, iso: string) {
  const cal = calendarParts(iso, ctx.lang);
  return html`<time class="cal" datetime="${iso}">
    <span class="cal__wd">${cal.weekday}</span><span class="cal__day">${cal.day}</span><span class="cal__mon">${cal.month}</span>
  </time>`;
}

/** How far a preparing show's seats are written, in whole percent (100 only once all exist). */
export function preparedPercent(p: NonNullable<ShowView["preparation"]>): number {
  return Math.floor((p.seatsCreated * 100) / p.seatsTotal);
}

/**
 * The show's sale badge: being prepared, archived, upcoming, on sale (free or held tickets: the
 * queue is open), or sold out.
 */
export function saleBadge(ctx: PageContext, show: ShowView, now: number) {
  const { t } = ctx;
  if (show.preparation) {
    return html`<span class="badge badge--soon">${t.preparing} · ${preparedPercent(show.preparation)}%</span>`;
  }
  if (show.status === "archived") return html`<span class="badge badge--soldout">${t.archived}</span>`;
  const prequeueOpen = show.prequeueOpensAt !== null && Date.parse(show.prequeueOpensAt) <= now;
  if (prequeueOpen && Date.parse(show.salesOpenAt) > now) {
    return html`<span class="badge badge--onsale">${t.prequeueBadge}</span>`;
  }
  if (Date.parse(show.salesOpenAt) > now) {
    return html`<span class="badge badge--soon">${t.salesOpenOn(formatShortDate(show.salesOpenAt, ctx.lang))}</span>`;
  }
  const open = show.sectors.some((s) => {
    const { free, held } = classAvailability(s, "all");
    return free + held > 0;
  });
  return open
    ? html`<span class="badge badge--onsale">${t.onSale}</span>`
    : html`<span class="badge badge--soldout">${t.soldOut}</span>`;
}

/** An element the client keeps current from `GET /api/shows` (`data-avail="showId|sector|kind"`). */
export function availability(ctx: PageContext, showId: string, s: SectorView, kind: AvailabilityKind) {
  const { free, held } = classAvailability(s, kind);
  return html`<span class="avail ${free === 0 ? "avail--none" : ""}" data-avail="${showId}|${s.name}|${kind}"
    >${ctx.t.available(free, held)}</span
  >`;
}

function showCard(ctx: PageContext, show: ShowView, now: number) {
  const { t } = ctx;
  const cheapest = Math.min(...show.sectors.map((s) => (s.available.meia > 0 ? s.meiaPriceCents : s.priceCents)));
  return html`<li class="show-card">
    <div class="poster ${posterClass(show.id)} show-card__poster">
      ${calendar(ctx, show.startsAt)}
      <span class="poster__genre">${show.band.genre}</span>
    </div>
    <div class="show-card__body">
      <h2 class="show-card__band"><a class="stretched" href="/shows/${show.id}">${show.band.name}</a></h2>
      ${show.festival ? html`<p class="show-card__festival">${show.festival}</p>` : ""}
      <p class="show-card__meta">
        <span>${cityOf(show.address)}</span>
        <time datetime="${show.startsAt}">${formatShowDate(show.startsAt, ctx.lang)}</time>
      </p>
      <table class="mini-sectors">
        <caption class="sr-only">${t.sectorsTitle}</caption>
        <thead class="sr-only">
          <tr><th scope="col">${t.sector}</th><th scope="col">${t.fullPrice} / ${t.meiaPrice}</th><th scope="col">${t.availableNow}</th></tr>
        </thead>
        <tbody>
          ${show.sectors.map(
            (s) => html`<tr>
              <th scope="row">${s.name}</th>
              <td class="num">
                <span class="mini-sectors__price">${formatMoney(s.priceCents)}</span>
                <span class="mini-sectors__meia">${t.meiaShort} ${formatMoney(s.meiaPriceCents)}</span>
              </td>
              <td class="num">${availability(ctx, show.id, s, "all")}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="show-card__foot">
        ${saleBadge(ctx, show, now)}
        ${Number.isFinite(cheapest) ? html`<span class="show-card__from">${t.fromPrice(formatMoney(cheapest))}</span>` : ""}
        <span class="show-card__cta" aria-hidden="true">${t.seeTickets} →</span>
      </div>
    </div>
  </li>`;
}

/** Which page of the catalogue the home page shows: the query of `GET /api/shows`, as it came. */
export interface HomePageQuery {
  cursor?: string;
  past: boolean;
}

function homeHref(q: HomePageQuery): string {
  const params = new URLSearchParams();
  if (q.cursor) params.set("cursor", q.cursor);
  if (q.past) params.set("past", "1");
  const search = params.toString();
  return search ? `/?${search}` : "/";
}

function pageNav(ctx: PageContext, page: CataloguePage, q: HomePageQuery) {
  const { t } = ctx;
  const links = [
    q.cursor ? html`<a class="pager__link" href="${homeHref({ past: q.past })}">← ${t.firstShows}</a>` : "",
    page.nextCursor
      ? html`<a class="pager__link" rel="next" href="${homeHref({ cursor: page.nextCursor, past: q.past })}"
          >${t.moreShows} →</a
        >`
      : "",
    html`<a class="pager__link" href="${homeHref({ past: !q.past })}">${q.past ? t.onlyUpcoming : t.includePast}</a>`,
  ];
  return html`<nav class="pager" aria-label="${t.cataloguePages}">${links}</nav>`;
}

export function homePage(ctx: PageContext, page: CataloguePage, query: HomePageQuery, now: number): Html {
  const { t } = ctx;
  // The client refreshes availability from the same page of the catalogue.
  const api = `/api/shows${homeHref(query).slice(1)}`;
  return html`<section class="hero">
      <p class="eyebrow">${t.tagline}</p>
      <h1 class="hero__title">${t.homeTitle}</h1>
      <p class="hero__lead">${t.homeLead}</p>
    </section>
    ${
      page.shows.length === 0
        ? html`<p class="empty">${t.noShows}</p>`
        : html`<ul class="show-grid" role="list" data-catalogue="${api}">
            ${page.shows.map((s) => showCard(ctx, s, now))}
          </ul>`
    }
    ${pageNav(ctx, page, query)}`;
}
