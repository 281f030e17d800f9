/**
 * `/checkout/:paymentId`: the sandbox provider's checkout. It stands in for a real provider's page:
 * the fan confirms, the payment is approved, and the fan is sent back to the show, which books.
 * A real provider's pending payment is sent on to that provider's page instead (src/routes/pages.ts);
 * once it is settled, this page says how it ended.
 */
import { html } from "hono/html";
import type { ShowView } from "../db/views";
import type { FanState } from "../show/types";
import { formatMoney, formatShowDate } from "./format";
import type { Html, PageContext } from "./layout";

export interface CheckoutPayment {
  id: string;
  showId: string;
  ticketId: string;
  amountCents: number;
  status: string;
  provider: string;
}

/** Where the provider sends the fan back: the show, which books with this payment. */
export const returnUrl = (p: CheckoutPayment) => `/shows/${p.showId}?pagamento=${encodeURIComponent(p.id)}`;

export function checkoutPage(
  ctx: PageContext,
  payment: CheckoutPayment,
  show: ShowView,
  state: FanState,
  now: number,
): Html {
  const { t } = ctx;
  const held = state.status === "IN_PROGRESS" && state.ticket?.id === payment.ticketId ? state : undefined;
  const summary = html`<dl class="summary">
    <div><dt>${t.showLabel}</dt><dd>${show.band.name}${show.festival ? html` · ${show.festival}` : ""}</dd></div>
    <div><dt>${t.whenWhere}</dt><dd>${formatShowDate(show.startsAt, ctx.lang)}<br />${show.address}</dd></div>
    ${held?.ticket ? html`<div><dt>${t.sector}</dt><dd>${t.classLabel(held.ticket.sector, held.ticket.meia)}</dd></div>` : ""}
  </dl>`;

  const sandbox = payment.provider === "sandbox";
  let action: Html;
  if (payment.status === "APPROVED") {
    action = html`<p class="notice notice--ok">${t.checkoutPaid}</p>
      <a class="btn btn--primary btn--block" href="${returnUrl(payment)}">${t.backToShow}</a>`;
  } else if (payment.status === "REFUND_DUE" || payment.status === "REFUNDED") {
    action = html`<p class="notice notice--warn">${t.refundDue}</p>
      <a class="btn btn--primary btn--block" href="/shows/${show.id}">${t.backToShow}</a>`;
  } else if (payment.status === "PENDING" && sandbox && held?.expiresAt) {
    action = html`<div class="timer" data-countdown data-expires-at="${held.expiresAt}" data-server-time="${new Date(now).toISOString()}">
        <span class="timer__label">${t.holdRunsOut}</span>
        <strong class="timer__value" data-countdown-value>--:--</strong>
        <span class="timer__bar"><span class="timer__fill" data-countdown-fill></span></span>
      </div>
      <p class="form__error" role="alert" data-checkout-error hidden></p>
      <button class="btn btn--primary btn--block btn--big" type="button" data-pay="${payment.id}" data-return="${returnUrl(payment)}"
        data-busy-label="${t.paying}">${t.pay(formatMoney(payment.amountCents))}</button>
      <a class="btn btn--ghost btn--block" href="/shows/${show.id}">${t.backToShow}</a>`;
  } else {
    action = html`<p class="notice notice--warn">${t.checkoutEnded}</p>
      <a class="btn btn--primary btn--block" href="/shows/${show.id}">${t.backToShow}</a>`;
  }

  return html`<div class="narrow checkout">
    ${
      sandbox
        ? html`<div class="checkout__provider">
            <span class="checkout__logo" aria-hidden="true">◆</span>
            <span>catraca pay</span>
            <span class="badge badge--test">${t.sandboxBadge}</span>
          </div>`
        : ""
    }
    <section class="panel">
      <h1 class="panel__title panel__title--big">${t.checkoutTitle}</h1>
      <h2 class="sale__subtitle">${t.orderSummary}</h2>
      ${summary}
      <p class="total"><span>${t.total}</span><strong>${formatMoney(payment.amountCents)}</strong></p>
      ${action}
      ${sandbox ? html`<p class="muted small checkout__note">${t.sandboxNote}</p>` : ""}
    </section>
  </div>`;
}
