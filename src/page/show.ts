/** `/shows/:showId`: the show, its sectors and prices, and the sale panel the client drives live. */
import { html } from "hono/html";
import type { ShowView } from "../db/views";
import { formatMoney, formatShowDate } from "./format";
import { availability, calendar, posterClass, preparedPercent, saleBadge } from "./home";
import type { Html, PageContext } from "./layout";
import { signInForm } from "./sign-in";

/**
 * The sale panel. The page is the same for every fan (the shared cache keeps it): the client asks
 * `GET /api/me`, then drives the sale for a signed-in fan or shows the sign-in form kept in the
 * template (an archived show's panel is only for fans who may hold or own tickets already).
 */
function salePanel(ctx: PageContext, show: ShowView) {
  const { t } = ctx;
  // Not on sale yet: the seats are still being written; nothing to join until they all exist.
  if (show.preparation) {
    return html`<section class="panel sale" id="sale" aria-labelledby="sale-title">
      <h2 class="panel__title" id="sale-title">${t.saleTitle}</h2>
      <p class="notice notice--info">${t.preparingLead(preparedPercent(show.preparation))}</p>
    </section>`;
  }
  const archived = show.status === "archived";
  return html`<section class="panel sale" id="sale" aria-labelledby="sale-title" data-show-id="${show.id}"
    ${archived ? html`data-archived` : ""}>
    <h2 class="panel__title" id="sale-title">${t.saleTitle}</h2>
    ${archived ? html`<p class="notice notice--info">${t.archivedLead}</p>` : ""}
    <div class="sale__body" data-sale-body>
      <p class="sale__loading"><span class="spinner" aria-hidden="true"></span>${t.loading}</p>
    </div>
    <template data-sign-in-panel>
      <h3 class="sale__subtitle">${t.signInTitle}</h3>
      ${signInForm(ctx, `/shows/${show.id}`)}
    </template>
    <noscript><p class="notice notice--warn">${t.noscript}</p></noscript>
  </section>`;
}

/** The fair opening (#14): the draw in plain words, its commitment, and how to check it afterwards. */
function drawPanel(ctx: PageContext, show: ShowView) {
  const { t } = ctx;
  if (!show.prequeueOpensAt || !show.drawCommitment) return "";
  const endpoint = `/api/shows/${show.id}/draw`;
  return html`<section class="panel draw" data-testid="draw">
    <h2 class="panel__title">${t.drawTitle}</h2>
    <p>${t.drawHow}</p>
    <p class="draw__label">${t.drawCommitment}</p>
    <p><code class="draw__hash" data-testid="commitment">${show.drawCommitment}</code></p>
    <p class="muted small">${t.drawCheck}</p>
    <p><a href="${endpoint}">${t.drawCheckLink}</a></p>
    <p class="muted small">${t.drawCommand} <code>npm run verify-draw -- &lt;${t.siteAddress}&gt; ${show.id}</code></p>
  </section>`;
}

function sectorsTable(ctx: PageContext, show: ShowView) {
  const { t } = ctx;
  return html`<table class="sectors">
    <thead>
      <tr>
        <th scope="col">${t.sector}</th>
        <th scope="col" class="num">${t.fullPrice}</th>
        <th scope="col" class="num">${t.meiaPrice}</th>
      </tr>
    </thead>
    <tbody>
      ${show.sectors.map(
        (s) => html`<tr>
          <th scope="row">${s.name}</th>
          <td class="num">
            <span class="sectors__price">${formatMoney(s.priceCents)}</span>
            ${availability(ctx, show.id, s, "full")}
          </td>
          <td class="num">
            <span class="sectors__price">${formatMoney(s.meiaPriceCents)}</span>
            ${availability(ctx, show.id, s, "meia")}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function showPage(ctx: PageContext, show: ShowView, now: number): Html {
  const { t } = ctx;
  const holdMinutes = Math.max(1, Math.round(show.holdSeconds / 60));
  return html`<nav class="crumbs" aria-label="breadcrumb"><a href="/">← ${t.allShows}</a></nav>
    <div class="show-layout">
      <header class="poster ${posterClass(show.id)} show-hero">
        ${calendar(ctx, show.startsAt)}
        <div class="show-hero__text">
          <p class="show-hero__genre">${show.band.genre}${show.festival ? html` · ${show.festival}` : ""}</p>
          <h1 class="show-hero__band">${show.band.name}</h1>
          <p class="show-hero__when">
            <time datetime="${show.startsAt}">${formatShowDate(show.startsAt, ctx.lang)}</time>
            <span class="show-hero__tz">(${t.venueTime})</span>
          </p>
          <p class="show-hero__where">${show.address}</p>
          ${saleBadge(ctx, show, now)}
        </div>
      </header>
      ${salePanel(ctx, show)}
      <div class="show-details">
        <section class="panel">
          <h2 class="panel__title">${t.sectorsTitle}</h2>
          ${sectorsTable(ctx, show)}
          <p class="muted small">${t.limitPerFan(show.maxTicketsPerUser)} ${t.availabilityNote}</p>
        </section>
        ${
          show.band.description
            ? html`<section class="panel">
                <h2 class="panel__title">${t.aboutBand}</h2>
                <p class="about">${show.band.description}</p>
              </section>`
            : ""
        }
        ${drawPanel(ctx, show)}
        <section class="panel">
          <h2 class="panel__title">${t.howTitle}</h2>
          <ol class="steps">
            <li>${show.prequeueOpensAt ? t.howPrequeue : t.howQueue}</li>
            <li>${t.howHold(holdMinutes)}</li>
            <li>${t.howPay}</li>
          </ol>
        </section>
      </div>
    </div>`;
}

export function showPageDescription(ctx: PageContext, show: ShowView): string {
  const when = formatShowDate(show.startsAt, ctx.lang);
  return `${show.band.name}${show.festival ? ` · ${show.festival}` : ""} · ${when} · ${show.address}`;
}
