/**
 * The pre-queue (#14): a countdown to the draw, by the server's clock, what the draw means for the
 * fan, and the way out. At zero it says the draw is being made and asks the server; the socket
 * brings the position or the held ticket the moment the draw happens.
 */
import { formatDrawCountdown } from "../../page/format";
import type { FanState } from "../../show/types";
import { h } from "../dom";
import type { SaleContext, Screen } from "./context";
import { confirmable, errorBox, errorText, heading } from "./ui";

const TICK_MS = 250;
/** Asked again at zero and then this often, should the socket's word about the draw be late. */
const ASK_AGAIN_MS = 3_000;

export function prequeueScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const drawAt = ctx.show().salesOpenAt;
  const value = h("span", { class: "timer__value", "data-testid": "draw-countdown" });
  const label = h("span", { class: "timer__label" }, t.prequeueCountdownLabel);
  const error = errorBox();
  let askedAt = 0;
  const tick = () => {
    const left = ctx.clock.until(drawAt);
    if (left > 0) {
      value.textContent = formatDrawCountdown(left);
      return;
    }
    label.textContent = t.prequeueDrawing;
    value.textContent = "";
    if (Date.now() - askedAt >= ASK_AGAIN_MS) {
      askedAt = Date.now();
      ctx.refresh();
    }
  };
  const el = h(
    "div",
    { class: "screen screen--prequeue", "data-testid": "prequeue" },
    h(
      "div",
      { class: "screen__head" },
      heading(t.prequeueTitle, "hourglass"),
      h("span", { class: "chip" }, t.classLabel(state.sector ?? "", state.meia ?? false)),
    ),
    h("p", { class: "timer", role: "timer", "aria-live": "off" }, label, value),
    h("p", { class: "notice notice--info" }, t.prequeueFair),
    h("p", { class: "hint" }, t.prequeueReload),
    error.el,
    confirmable({
      label: t.prequeueLeave,
      question: t.prequeueLeaveConfirm,
      yes: t.prequeueLeaveYes,
      no: t.stay,
      action: () => ctx.cancel(),
      onError: (err) => error.show(errorText(t, err)),
    }),
  );
  tick();
  const timer = setInterval(tick, TICK_MS);
  return { el, destroy: () => clearInterval(timer) };
}
