import { html } from "hono/html";
import type { Html, PageContext } from "./layout";

/** A page whose show asked the fan to come back in a moment (429 RATE_LIMITED, 503 UNAVAILABLE). */
export function busyPage(ctx: PageContext, lead: string, back: string): Html {
  const { t } = ctx;
  return html`<div class="narrow">
    <section class="panel empty-state">
      <h1 class="panel__title panel__title--big">${t.busyTitle}</h1>
      <p>${lead}</p>
      <a class="btn btn--primary" href="${back}">${t.tryAgain}</a>
    </section>
  </div>`;
}
