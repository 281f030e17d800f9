import { html } from "hono/html";
import type { Html, PageContext } from "./layout";

/** What a browser gets for an address that is no page, no file and no API route. */
export function notFoundPage(ctx: PageContext): Html {
  const { t } = ctx;
  return html`<div class="narrow">
    <section class="panel empty-state">
      <p class="empty-state__code" aria-hidden="true">404</p>
      <h1 class="panel__title panel__title--big">${t.notFoundTitle}</h1>
      <p>${t.notFoundLead}</p>
      <a class="btn btn--primary" href="/">${t.allShows}</a>
    </section>
  </div>`;
}
