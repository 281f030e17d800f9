/** Booked tickets, each with the QR of its signed code; printable. */
import { cityOf, formatMoney, formatShowDate } from "../../page/format";
import type { FanState, TicketView } from "../../show/types";
import { api } from "../api";
import { h } from "../dom";
import { icon } from "../icons";
import type { SaleContext, Screen } from "./context";
import { heading } from "./ui";

interface TicketDetails {
  holder: { name: string };
  code: string;
}

/** A code never changes for a booked ticket: fetch it once per page. */
const details = new Map<string, Promise<TicketDetails>>();

function ticketDetails(id: string): Promise<TicketDetails> {
  let pending = details.get(id);
  if (!pending) {
    pending = api<TicketDetails>("GET", `/api/tickets/${encodeURIComponent(id)}`);
    pending.catch(() => details.delete(id));
    details.set(id, pending);
  }
  return pending;
}

function ticketCard(ctx: SaleContext, ticket: TicketView): HTMLElement {
  const { t } = ctx;
  const show = ctx.show();
  const holder = h("dd", {}, "…");
  const stub = h("div", { class: "ticket__stub" }, h("div", { class: "qr qr--loading", "aria-hidden": "true" }));
  const card = h(
    "article",
    { class: "ticket", "data-ticket-id": ticket.id },
    h(
      "div",
      { class: "ticket__main" },
      h("p", { class: "ticket__eyebrow" }, show.festival ?? show.band.genre),
      h("h4", { class: "ticket__band" }, show.band.name),
      h("p", { class: "ticket__when" }, formatShowDate(show.startsAt, ctx.lang)),
      h("p", { class: "ticket__where" }, cityOf(show.address)),
      h(
        "dl",
        { class: "ticket__facts" },
        h("div", {}, h("dt", {}, t.sector), h("dd", {}, ticket.sector)),
        h("div", {}, h("dt", {}, t.type), h("dd", {}, ticket.meia ? t.meiaPrice : t.fullPrice)),
        h("div", {}, h("dt", {}, t.price), h("dd", {}, formatMoney(ticket.priceCents))),
        h("div", {}, h("dt", {}, t.holder), holder),
      ),
      ticket.meia ? h("p", { class: "ticket__meia" }, t.meiaReminder) : null,
    ),
    stub,
  );
  // The QR encoder is the biggest module of the page: loaded only once there is a ticket to show.
  Promise.all([ticketDetails(ticket.id), import("../qr")]).then(
    ([d, { qrSvg }]) => {
      holder.textContent = d.holder.name;
      stub.replaceChildren(
        qrSvg(d.code, t.qrAlt(ticket.sector)),
        h("code", { class: "ticket__code" }, `${t.ticketCode}: ${ticket.id}`),
      );
    },
    () => stub.replaceChildren(h("p", { class: "form__error" }, t.ticketLoadFailed)),
  );
  return card;
}

export function ticketList(ctx: SaleContext, booked: TicketView[]): HTMLElement {
  return h(
    "section",
    { class: "tickets", "aria-label": ctx.t.yourTickets },
    h("h3", { class: "tickets__title" }, ctx.t.yourTickets),
    booked.map((ticket) => ticketCard(ctx, ticket)),
  );
}

export function bookedScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const canBuyMore = state.booked.length < ctx.show().maxTicketsPerUser;
  const print = h("button", { class: "btn btn--ghost", type: "button" }, icon("print"), t.print);
  print.addEventListener("click", () => window.print());
  const another = h("button", { class: "btn btn--ghost", type: "button" }, t.buyAnother);
  another.addEventListener("click", () => ctx.chooseAnother());
  const el = h(
    "div",
    { class: "screen screen--booked" },
    h("div", { class: "celebrate" }, heading(t.bookedTitle, "check"), h("p", { class: "screen__lead" }, t.bookedLead)),
    ticketList(ctx, state.booked),
    h("div", { class: "actions no-print" }, print, canBuyMore ? another : null),
  );
  return { el };
}
