/** Admitted: the held ticket, a countdown to `expiresAt` by the server's clock, pay or give it up. */
import { formatMoney } from "../../page/format";
import type { FanState } from "../../show/types";
import { startCountdown } from "../countdown";
import { h } from "../dom";
import type { SaleContext, Screen } from "./context";
import { actionButton, errorBox, errorText, giveUp, heading, holdTimer } from "./ui";

/** Moments (seconds left) told to screen readers; the visible timer itself is not announced. */
const ANNOUNCE_AT = [300, 120, 60, 30];

export function admittedScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const ticket = state.ticket;
  const expiresAt = state.expiresAt;
  if (!ticket || !expiresAt) throw new Error("IN_PROGRESS without a ticket or expiresAt");
  const error = errorBox();
  const value = h("strong", { class: "timer__value", "data-testid": "countdown" });
  const fill = h("span", { class: "timer__fill" });
  const timeUp = h("p", { class: "notice notice--warn", hidden: true }, t.timeUp);
  const announced = new Set<number>();
  let askedAtZero = false;

  const stop = startCountdown({
    expiresAt,
    totalMs: ctx.show().holdSeconds * 1000,
    clock: ctx.clock,
    value,
    fill,
    onTick: (left) => {
      const seconds = Math.ceil(left / 1000);
      for (const mark of ANNOUNCE_AT) {
        if (seconds <= mark && seconds > mark - 2 && !announced.has(mark)) {
          announced.add(mark);
          ctx.announce(mark >= 60 ? t.minutesLeftAnnounce(mark / 60) : t.secondsLeftAnnounce(mark));
        }
      }
      if (left === 0 && !askedAtZero) {
        // The server ends the hold at this instant and says so; never guess it here.
        askedAtZero = true;
        timeUp.hidden = false;
        ctx.refresh();
        setTimeout(() => ctx.refresh(), 2_000);
      }
    },
  });

  const price = formatMoney(ticket.priceCents);
  const el = h(
    "div",
    { class: "screen screen--admitted" },
    h("div", { class: "screen__head" }, heading(t.admittedTitle, "ticket")),
    h("p", { class: "screen__lead" }, t.admittedLead),
    h(
      "div",
      { class: "held" },
      h("span", { class: "held__class" }, t.classLabel(ticket.sector, ticket.meia)),
      h("span", { class: "held__price" }, price),
    ),
    holdTimer(ctx, expiresAt, value, fill),
    timeUp,
    error.el,
    actionButton(
      t.pay(price),
      t.startingPayment,
      "btn btn--primary btn--block btn--big",
      () => ctx.pay(ticket.id),
      (err) => error.show(errorText(t, err)),
    ),
    ticket.meia ? h("p", { class: "hint" }, t.meiaReminder) : null,
    giveUp(ctx, error),
  );
  return { el, destroy: stop };
}
