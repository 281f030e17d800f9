/** The waiting room: live position, people ahead, the estimated wait and the connection's health. */
import type { FanState } from "../../show/types";
import { h } from "../dom";
import { icon } from "../icons";
import { estimateWaitMs, observe, type Sample, waitMinutes } from "../wait-estimate";
import type { SaleContext, Screen } from "./context";
import { confirmable, errorBox, errorText, heading } from "./ui";

const ESTIMATE_REFRESH_MS = 10_000;

/** Samples live in sessionStorage, so a reload keeps the pace observed so far. */
function sampleStore(showId: string, state: FanState) {
  const key = `catraca:wait:${showId}:${state.sector}:${state.meia ? "meia" : "full"}`;
  return {
    load(): Sample[] {
      try {
        const parsed = JSON.parse(sessionStorage.getItem(key) ?? "[]") as unknown;
        return Array.isArray(parsed) ? (parsed as Sample[]) : [];
      } catch {
        return [];
      }
    },
    save(samples: Sample[]) {
      try {
        sessionStorage.setItem(key, JSON.stringify(samples));
      } catch {
        // Private mode or full storage: the estimate just starts over after a reload.
      }
    },
    clear() {
      sessionStorage.removeItem(key);
    },
  };
}

export function waitingScreen(ctx: SaleContext, initial: FanState): Screen {
  const { t } = ctx;
  const store = sampleStore(ctx.showId, initial);
  let samples = store.load();
  let lastPosition: number | undefined;

  const number = h("span", { class: "place__number" });
  const ahead = h("span", { class: "place__ahead" });
  const fill = h("span", { class: "progress__fill" });
  const estimate = h("span", { class: "estimate__text" });
  const error = errorBox();

  const renderEstimate = () => {
    const ms = estimateWaitMs(samples, Date.now());
    estimate.textContent = ms === undefined ? t.estimating : t.estimate(waitMinutes(ms));
  };

  const update = (state: FanState) => {
    const position = state.position ?? 1;
    samples = observe(samples, position, Date.now());
    store.save(samples);
    number.textContent = t.placeNumber(position);
    ahead.textContent = t.ahead(position - 1);
    const start = Math.max(...samples.map((s) => s.position), position);
    fill.style.width = `${Math.max(4, ((start - position + 1) / (start + 1)) * 100).toFixed(1)}%`;
    renderEstimate();
    if (lastPosition !== undefined && position !== lastPosition) {
      ctx.announce(t.positionAnnounce(position, t.ahead(position - 1)));
    }
    lastPosition = position;
  };

  const el = h(
    "div",
    { class: "screen screen--waiting" },
    h(
      "div",
      { class: "screen__head" },
      heading(t.waitingTitle, "users"),
      h("span", { class: "chip" }, t.classLabel(initial.sector ?? "", initial.meia ?? false)),
    ),
    h(
      "div",
      { class: "place", "data-testid": "place" },
      h("span", { class: "place__label" }, t.yourPlace),
      number,
      ahead,
    ),
    h("div", { class: "progress", "aria-hidden": "true" }, fill),
    h(
      "p",
      { class: "estimate" },
      icon("clock", "icon estimate__icon"),
      h("span", {}, estimate, h("small", { class: "estimate__basis" }, t.estimateBasis)),
    ),
    h("p", { class: "notice notice--info" }, t.keepOpen),
    error.el,
    confirmable({
      label: t.leaveQueue,
      question: t.leaveQueueConfirm,
      yes: t.leaveQueueYes,
      no: t.stay,
      action: () => ctx.cancel(),
      onError: (err) => error.show(errorText(t, err)),
    }),
  );
  update(initial);
  const timer = setInterval(renderEstimate, ESTIMATE_REFRESH_MS);
  return {
    el,
    update,
    destroy: () => {
      clearInterval(timer);
      // The fan left this queue (admitted, gave up, sold out): a later queue is paced afresh.
      store.clear();
    },
  };
}
