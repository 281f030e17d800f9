/** `/meus-ingressos`: every ticket the signed-in fan booked, across shows, each with its QR; printable. */
import { html } from "hono/html";
import type { BookedTicketOf } from "../db/queries";
import { cityOf, formatMoney, formatShowDate } from "./format";
import type { Html, PageContext } from "./layout";

export interface TicketWithCode extends BookedTicketOf {
  /** The signed code the QR carries (src/ticket-code.ts). */
  code: string;
}

function ticketCard(ctx: PageContext, ticket: TicketWithCode, holder: string) {
  const { t } = ctx;
  const { show } = ticket;
  return html`<article class="ticket" data-ticket-id="${ticket.id}">
    <div class="ticket__main">
      <p class="ticket__eyebrow">${show.festival ?? show.genre}</p>
      <h3 class="ticket__band">${show.band}</h3>
      <p class="ticket__when">${formatShowDate(show.startsAt, ctx.lang)}</p>
      <p class="ticket__where">${cityOf(show.address)}</p>
      <dl class="ticket__facts">
        <div><dt>${t.sector}</dt><dd>${ticket.sector}</dd></div>
        <div><dt>${t.type}</dt><dd>${ticket.meia ? t.meiaPrice : t.fullPrice}</dd></div>
        <div><dt>${t.price}</dt><dd>${formatMoney(ticket.priceCents)}</dd></div>
        <div><dt>${t.holder}</dt><dd>${holder}</dd></div>
      </dl>
      ${ticket.meia ? html`<p class="ticket__meia">${t.meiaReminder}</p>` : ""}
    </div>
    <div class="ticket__stub">
      <div class="qr qr--loading" data-qr-code="${ticket.code}" data-qr-label="${t.qrAlt(ticket.sector)}" aria-hidden="true"></div>
      <code class="ticket__code">${t.ticketCode}: ${ticket.id}</code>
    </div>
  </article>`;
}

export function myTicketsPage(ctx: PageContext, holder: string, tickets: TicketWithCode[]): Html {
  const { t } = ctx;
  const body =
    tickets.length === 0
      ? html`<section class="panel empty-state">
          <p>${t.myTicketsNone}</p>
          <a class="btn btn--primary" href="/">${t.seeShows}</a>
        </section>`
      : html`<section class="tickets" aria-label="${t.yourTickets}">
            ${tickets.map((ticket) => ticketCard(ctx, ticket, holder))}
          </section>
          <div class="actions no-print">
            <button class="btn btn--ghost" type="button" data-print hidden>${t.print}</button>
          </div>`;
  return html`<div class="narrow">
    <h1 class="hero__title">${t.myTicketsTitle}</h1>
    <p class="hero__lead">${t.myTicketsLead}</p>
    ${body}
  </div>`;
}
