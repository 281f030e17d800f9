/** How a request ended without a ticket: sold out, hold expired, cancelled. Each offers the next step. */
import { classAvailability } from "../../db/views";
import { formatMoney } from "../../page/format";
import type { FanState, TicketClass } from "../../show/types";
import { h } from "../dom";
import { chooseForm } from "./choose";
import type { SaleContext, Screen } from "./context";
import { actionButton, errorBox, errorText, heading } from "./ui";

/** Classes not sold out (tickets free, or held and maybe coming back), in the show's order. */
function otherClasses(ctx: SaleContext, except: TicketClass) {
  return ctx.show().sectors.flatMap((s) =>
    [false, true]
      .map((meia) => ({
        sector: s.name,
        meia,
        priceCents: meia ? s.meiaPriceCents : s.priceCents,
        ...classAvailability(s, meia ? "meia" : "full"),
      }))
      .filter((c) => c.free + c.held > 0 && !(c.sector === except.sector && c.meia === except.meia)),
  );
}

export function soldOutScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const mine = { sector: state.sector ?? "", meia: state.meia ?? false };
  const error = errorBox();
  const others = otherClasses(ctx, mine);
  const el = h(
    "div",
    { class: "screen screen--soldout" },
    h("div", { class: "screen__head" }, heading(t.soldOutTitle, "alert")),
    h("p", { class: "screen__lead" }, t.soldOutLead(t.classLabel(mine.sector, mine.meia))),
    others.length === 0
      ? h("p", { class: "notice notice--info" }, t.soldOutNone)
      : [
          h("h4", { class: "screen__subtitle" }, t.soldOutOthers),
          h(
            "ul",
            { class: "alternatives", role: "list" },
            others.map((c) =>
              h(
                "li",
                { class: "alternative" },
                h(
                  "span",
                  { class: "alternative__text" },
                  h("strong", {}, t.classLabel(c.sector, c.meia)),
                  h(
                    "span",
                    { class: "alternative__meta" },
                    `${formatMoney(c.priceCents)} · ${t.available(c.free, c.held)}`,
                  ),
                ),
                actionButton(
                  t.joinQueue,
                  t.joining,
                  "btn btn--primary btn--small",
                  () => ctx.request({ sector: c.sector, meia: c.meia }),
                  (err) => error.show(errorText(t, err)),
                ),
              ),
            ),
          ),
        ],
    error.el,
  );
  return { el };
}

export function expiredScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const error = errorBox();
  const again = { sector: state.sector ?? "", meia: state.meia ?? false };
  const el = h(
    "div",
    { class: "screen screen--expired" },
    h(
      "div",
      { class: "screen__head" },
      heading(t.expiredTitle, "hourglass"),
      h("span", { class: "chip" }, t.classLabel(again.sector, again.meia)),
    ),
    h("p", { class: "screen__lead" }, t.expiredLead),
    error.el,
    actionButton(
      t.rejoin,
      t.joining,
      "btn btn--primary btn--block btn--big",
      () => ctx.request(again),
      (err) => error.show(errorText(t, err)),
    ),
    h("p", { class: "screen__or" }, t.chooseAgain),
    chooseForm(ctx, state),
  );
  return { el };
}

export function cancelledScreen(ctx: SaleContext, state: FanState): Screen {
  const { t } = ctx;
  const el = h(
    "div",
    { class: "screen screen--cancelled" },
    h("div", { class: "screen__head" }, heading(t.cancelledTitle, "close")),
    h("p", { class: "screen__lead" }, t.cancelledLead),
    h("p", { class: "screen__or" }, t.chooseAgain),
    chooseForm(ctx, state),
  );
  return { el };
}

export function chooseScreen(ctx: SaleContext, state: FanState): Screen {
  const el = h(
    "div",
    { class: "screen screen--choose" },
    h("div", { class: "screen__head" }, heading(ctx.t.chooseTitle)),
    chooseForm(ctx, state),
  );
  return { el };
}
