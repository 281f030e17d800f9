/**
 * The organizers' console (`/organizador`): sign-in with the admin token, bands and shows with the
 * forms to create them, and each show's live dashboard (its sections are filled by the console
 * bundle, `src/client/console/`, from `GET /api/console/shows/:showId/dashboard`).
 */
import { html } from "hono/html";
import type { CataloguePage, ShowView } from "../db/views";
import { MAX_LANES } from "../lanes/key";
import { formatShortDate, formatShowDate } from "./format";
import type { Html, OrganizerPageContext } from "./layout";

export function consoleSignInPage(ctx: OrganizerPageContext, next: string, error?: string): Html {
  const { t } = ctx;
  return html`<div class="narrow">
    <section class="panel">
      <h1 class="panel__title panel__title--big">${t.consoleSignInTitle}</h1>
      <form class="form" method="post" action="/organizador/entrar">
        <p class="form__lead">${t.consoleSignInLead}</p>
        <input type="hidden" name="voltar" value="${next}" />
        <label class="field">
          <span class="field__label">${t.adminToken}</span>
          <input class="field__input" name="token" type="password" autocomplete="off" required maxlength="500" />
        </label>
        ${error ? html`<p class="form__error" role="alert">${error}</p>` : ""}
        <button class="btn btn--primary btn--block" type="submit">${t.continue}</button>
      </form>
    </section>
  </div>`;
}

function soldOf(show: ShowView) {
  const total = show.sectors.reduce((n, s) => n + s.capacity, 0);
  const free = show.sectors.reduce((n, s) => n + s.available.full + s.available.meia, 0);
  const held = show.sectors.reduce((n, s) => n + s.inProgress.full + s.inProgress.meia, 0);
  return { total, sold: total - free - held };
}

function showsTable(ctx: OrganizerPageContext, shows: ShowView[]) {
  const { t } = ctx;
  if (shows.length === 0) return html`<p class="empty">${t.noShowsYet}</p>`;
  return html`<div class="table-scroll">
    <table class="data">
      <thead>
        <tr>
          <th scope="col">${t.colShow}</th>
          <th scope="col">${t.colDate}</th>
          <th scope="col" class="num">${t.colSold}</th>
        </tr>
      </thead>
      <tbody>
        ${shows.map((show) => {
          const { sold, total } = soldOf(show);
          return html`<tr>
            <th scope="row">
              <a href="/organizador/shows/${show.id}" aria-label="${t.openDashboard(show.band.name)}">${show.band.name}</a>
              <span class="data__sub">${show.festival ?? show.address}</span>
            </th>
            <td>${formatShortDate(show.startsAt, ctx.lang)}</td>
            <td class="num">${t.soldOf(sold, total)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function bandForm(ctx: OrganizerPageContext) {
  const { t } = ctx;
  return html`<form class="form" data-band-form>
    <label class="field">
      <span class="field__label">${t.bandName}</span>
      <input class="field__input" name="name" required maxlength="200" />
    </label>
    <label class="field">
      <span class="field__label">${t.genre}</span>
      <input class="field__input" name="genre" required maxlength="100" />
    </label>
    <label class="field">
      <span class="field__label">${t.description}</span>
      <textarea class="field__input" name="description" rows="2" maxlength="5000"></textarea>
    </label>
    <p class="form__error" role="alert" hidden data-error></p>
    <p class="notice notice--ok" role="status" hidden data-done></p>
    <button class="btn btn--ghost" type="submit">${t.createBand}</button>
  </form>`;
}

function showForm(ctx: OrganizerPageContext, bands: { id: string; name: string }[]) {
  const { t } = ctx;
  return html`<form class="form" data-show-form>
    <label class="field">
      <span class="field__label">${t.band}</span>
      <select class="field__input" name="bandId" required data-bands>
        <option value="">${bands.length === 0 ? t.needBandFirst : t.chooseBand}</option>
        ${bands.map((b) => html`<option value="${b.id}">${b.name}</option>`)}
      </select>
    </label>
    <div class="form-grid">
      <label class="field">
        <span class="field__label">${t.festival}</span>
        <input class="field__input" name="festival" maxlength="200" />
      </label>
      <label class="field">
        <span class="field__label">${t.address}</span>
        <input class="field__input" name="address" required maxlength="500" />
      </label>
      <label class="field">
        <span class="field__label">${t.startsAt}</span>
        <input class="field__input" name="startsAt" type="datetime-local" required />
      </label>
      <label class="field">
        <span class="field__label">${t.salesOpenAt}</span>
        <input class="field__input" name="salesOpenAt" type="datetime-local" />
      </label>
      <label class="field">
        <span class="field__label">${t.prequeueOpensAt}</span>
        <input class="field__input" name="prequeueOpensAt" type="datetime-local" aria-describedby="prequeue-hint" />
        <span class="hint" id="prequeue-hint">${t.prequeueHint}</span>
      </label>
      <label class="field">
        <span class="field__label">${t.holdMinutes}</span>
        <input class="field__input" name="holdMinutes" type="number" min="1" max="60" step="1" value="10" required />
      </label>
      <label class="field">
        <span class="field__label">${t.maxPerFan}</span>
        <input class="field__input" name="maxTicketsPerUser" type="number" min="1" max="20" step="1" value="4" required />
      </label>
      <label class="field">
        <span class="field__label">${t.lanes}</span>
        <input class="field__input" name="lanes" type="number" min="1" max="${MAX_LANES}" step="1" value="1" required aria-describedby="lanes-hint" />
        <span class="hint" id="lanes-hint">${t.lanesHint}</span>
      </label>
    </div>
    <fieldset class="sectors-fieldset">
      <legend class="field__label">${t.sectorsLegend}</legend>
      <p class="hint">${t.meiaLawHint}</p>
      <div data-sector-rows></div>
      <button class="btn btn--ghost btn--small" type="button" data-add-sector>${t.addSector}</button>
    </fieldset>
    <p class="form__error" role="alert" hidden data-error></p>
    <button class="btn btn--primary" type="submit">${t.createShow}</button>
  </form>`;
}

export function consoleHomePage(
  ctx: OrganizerPageContext,
  page: CataloguePage,
  bands: { id: string; name: string }[],
): Html {
  const { t } = ctx;
  const more = page.nextCursor
    ? html`<p><a class="btn btn--ghost btn--small" href="/organizador?cursor=${encodeURIComponent(page.nextCursor)}"
          >${t.moreShows}</a
        ></p>`
    : "";
  return html`<div class="console">
    <h1 class="console__title">${t.showsTitle}</h1>
    <section class="panel" aria-labelledby="shows-title">
      <h2 class="panel__title" id="shows-title">${t.navShows}</h2>
      ${showsTable(ctx, page.shows)} ${more}
    </section>
    <div class="console__forms">
      <section class="panel" aria-labelledby="new-show-title">
        <h2 class="panel__title" id="new-show-title">${t.newShowTitle}</h2>
        ${showForm(ctx, bands)}
      </section>
      <section class="panel" aria-labelledby="new-band-title">
        <h2 class="panel__title" id="new-band-title">${t.newBandTitle}</h2>
        ${bandForm(ctx)}
      </section>
    </div>
  </div>`;
}

const section = (id: string, title: string, body: Html | string = "") =>
  html`<section class="panel dash__section" aria-labelledby="${id}-title">
    <h2 class="panel__title" id="${id}-title">${title}</h2>
    ${body}
    <div data-section="${id}"></div>
  </section>`;

/** The dashboard's frame: the client fills each section and keeps it current. */
export function dashboardPage(ctx: OrganizerPageContext, show: ShowView): Html {
  const { t } = ctx;
  return html`<div class="console dash" data-dashboard data-show-id="${show.id}">
    <nav class="crumbs" aria-label="breadcrumb"><a href="/organizador">← ${t.backToShows}</a></nav>
    <header class="dash__head">
      <h1 class="console__title">${show.band.name}</h1>
      <p class="muted">${show.festival ? html`${show.festival} · ` : ""}${formatShowDate(show.startsAt, ctx.lang)}</p>
      <p class="small muted" role="status" data-updated>${t.loading}</p>
    </header>
    <div class="kpis" data-section="kpis"></div>
    ${section("classes", t.classesTitle)}
    <div class="dash__charts">
      ${section("chart-sold", t.chartSoldTitle)} ${section("chart-queue", t.chartQueueTitle)}
    </div>
    ${section("refunds", t.refundsTitle, html`<p class="hint">${t.refundsLead}</p>`)}
    ${section(
      "checkins",
      t.checkinsTitle,
      html`<p><a class="btn btn--ghost btn--small" href="/api/console/shows/${show.id}/attendees.csv" download
        >${t.exportCsv}</a></p>`,
    )}
    ${section("doors", t.doorsTitle)}
  </div>`;
}
