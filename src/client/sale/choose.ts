/** Choose a ticket class (sector and inteira/meia) and join its queue. */
import { classAvailability } from "../../db/views";
import { formatMoney, formatShowDate } from "../../page/format";
import { openingAt } from "../../show/draw";
import type { FanState } from "../../show/types";
import { h } from "../dom";
import type { SaleContext } from "./context";
import { errorBox, errorText } from "./ui";

export function chooseForm(ctx: SaleContext, state: FanState): HTMLElement {
  const { t } = ctx;
  const show = ctx.show();
  const booked = state.booked.length;
  const limit = h("p", { class: "hint" }, t.limitNote(show.maxTicketsPerUser, booked));
  if (booked >= show.maxTicketsPerUser) {
    return h("div", { class: "choose" }, h("p", { class: "notice notice--info" }, t.limitReached), limit);
  }
  // An archived show gives no new place (the page's notice says why); tickets already bought show below.
  if (show.status === "archived") {
    return h("div", { class: "choose" }, h("p", { class: "notice notice--info" }, t.archived));
  }
  const opening = openingAt(
    {
      prequeueOpensAt: show.prequeueOpensAt === null ? null : Date.parse(show.prequeueOpensAt),
      salesOpenAt: Date.parse(show.salesOpenAt),
    },
    ctx.clock.now(),
  );
  if (opening === "closed") {
    const drawAt = formatShowDate(show.salesOpenAt, ctx.lang);
    const text = show.prequeueOpensAt
      ? t.prequeueSoon(formatShowDate(show.prequeueOpensAt, ctx.lang), drawAt)
      : t.salesNotOpen(drawAt);
    return h("div", { class: "choose" }, h("p", { class: "notice notice--info" }, text));
  }
  // In the pre-queue, the same form joins the draw.
  const lead =
    opening === "prequeue"
      ? h("p", { class: "notice notice--info" }, t.prequeueJoinLead(formatShowDate(show.salesOpenAt, ctx.lang)))
      : null;

  const open = (n: { free: number; held: number }) => n.free + n.held > 0;
  const firstWithTickets = show.sectors.find((s) => open(classAvailability(s, "all"))) ?? show.sectors[0];
  const preferred = state.sector ?? firstWithTickets?.name;
  const uid = Math.random().toString(36).slice(2, 8);
  const sectorOptions = show.sectors.map((s) => {
    const left = classAvailability(s, "all");
    return h(
      "label",
      { class: "option" },
      h("input", {
        class: "option__input",
        type: "radio",
        name: `sector-${uid}`,
        value: s.name,
        checked: s.name === preferred,
      }),
      h(
        "span",
        { class: "option__body" },
        h("span", { class: "option__name" }, s.name),
        h(
          "span",
          { class: `option__avail ${left.free === 0 ? "avail--none" : ""}`, "data-avail": `${show.id}|${s.name}|all` },
          t.available(left.free, left.held),
        ),
      ),
      h("span", { class: "option__price" }, formatMoney(s.priceCents)),
    );
  });
  const typePrice = { full: h("span", { class: "option__price" }), meia: h("span", { class: "option__price" }) };
  const typeAvail = { full: h("span", { class: "option__avail" }), meia: h("span", { class: "option__avail" }) };
  const typeOption = (meia: boolean) =>
    h(
      "label",
      { class: "option" },
      h("input", {
        class: "option__input",
        type: "radio",
        name: `meia-${uid}`,
        value: meia ? "1" : "0",
        checked: (state.meia ?? false) === meia,
      }),
      h(
        "span",
        { class: "option__body" },
        h("span", { class: "option__name" }, meia ? t.meiaPrice : t.fullPrice),
        meia ? typeAvail.meia : typeAvail.full,
      ),
      meia ? typePrice.meia : typePrice.full,
    );

  const form = h(
    "form",
    { class: "choose form", novalidate: true },
    lead,
    h("fieldset", { class: "options" }, h("legend", { class: "options__legend" }, t.sectorLegend), sectorOptions),
    h(
      "fieldset",
      { class: "options" },
      h("legend", { class: "options__legend" }, t.typeLegend),
      typeOption(false),
      typeOption(true),
      h("p", { class: "hint hint--meia" }, t.meiaNote),
    ),
    limit,
  );
  const error = errorBox();
  const submit = h("button", { class: "btn btn--primary btn--block btn--big", type: "submit" }, t.joinQueue);
  form.append(error.el, submit, h("p", { class: "hint hint--center" }, t.joinHint));

  const selected = () => {
    const data = new FormData(form);
    const sector = String(data.get(`sector-${uid}`) ?? "");
    return { sector, meia: data.get(`meia-${uid}`) === "1" };
  };
  // Prices and availability of inteira/meia follow the chosen sector.
  const syncType = () => {
    const s = ctx.show().sectors.find((x) => x.name === selected().sector);
    if (!s) return;
    typePrice.full.textContent = formatMoney(s.priceCents);
    typePrice.meia.textContent = formatMoney(s.meiaPriceCents);
    for (const kind of ["full", "meia"] as const) {
      const n = classAvailability(s, kind);
      typeAvail[kind].textContent = t.available(n.free, n.held);
      typeAvail[kind].classList.toggle("avail--none", n.free === 0);
    }
    // The live availability watch keeps these current from now on.
    typeAvail.full.dataset.avail = `${ctx.showId}|${s.name}|full`;
    typeAvail.meia.dataset.avail = `${ctx.showId}|${s.name}|meia`;
  };
  form.addEventListener("change", syncType);
  syncType();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    error.clear();
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    submit.textContent = t.joining;
    try {
      await ctx.request(selected());
    } catch (err) {
      error.show(errorText(t, err, formatShowDate(ctx.show().salesOpenAt, ctx.lang)));
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
      submit.textContent = t.joinQueue;
    }
  });
  return form;
}
