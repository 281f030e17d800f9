/**
 * Paid at a real provider, not confirmed yet (a Pix code waiting for the bank, a card payment whose
 * webhook is on its way): the hold's countdown and "waiting for your Pix". The server books the
 * ticket when the provider confirms, with or without this page; the socket then shows it booked.
 */
import type { FanState } from "../../show/types";
import { startCountdown } from "../countdown";
import { h } from "../dom";
import type { SaleContext, Screen } from "./context";
import { errorBox, giveUp, heading, holdTimer } from "./ui";

export interface AwaitedPayment {
  id: string;
  ticketId: string;
  /** The provider reported the payment in flight (a Pix code issued) and the hold was extended. */
  graceUntil: string | null;
}

export function awaitingScreen(ctx: SaleContext, state: FanState, payment: AwaitedPayment): Screen {
  const { t } = ctx;
  const expiresAt = state.expiresAt;
  if (!expiresAt) throw new Error("IN_PROGRESS without expiresAt");
  const error = errorBox();
  const value = h("strong", { class: "timer__value", "data-testid": "countdown" });
  const stop = startCountdown({
    expiresAt,
    clock: ctx.clock,
    value,
    onTick: (left) => {
      if (left === 0) ctx.refresh();
    },
  });
  const el = h(
    "div",
    { class: "screen screen--awaiting", "data-testid": "awaiting-payment" },
    h(
      "div",
      { class: "screen__head" },
      heading(payment.graceUntil ? t.awaitingPixTitle : t.awaitingPaymentTitle, "ticket"),
    ),
    h("p", { class: "screen__lead" }, t.awaitingLead),
    holdTimer(ctx, expiresAt, value),
    h("p", { class: "sale__loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), t.awaitingNote),
    error.el,
    h(
      "a",
      { class: "btn btn--ghost btn--block", href: `/checkout/${encodeURIComponent(payment.id)}` },
      t.reopenPayment,
    ),
    giveUp(ctx, error),
  );
  return { el, destroy: stop };
}
