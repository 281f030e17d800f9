/** Small pieces the sale screens share. */
import { formatTime } from "../../page/format";
import type { Messages } from "../../page/i18n";
import { ApiFailure } from "../api";
import { h } from "../dom";
import { type IconName, icon } from "../icons";
import type { SaleContext } from "./context";

/** The screen's heading; the panel moves focus to it when the screen changes. */
export function heading(text: string, iconName?: IconName) {
  return h(
    "h3",
    { class: "screen__title", tabindex: "-1" },
    iconName ? h("span", { class: `screen__icon screen__icon--${iconName}` }, icon(iconName)) : null,
    text,
  );
}

export function errorText(t: Messages, err: unknown, salesOpenAt?: string): string {
  if (!(err instanceof ApiFailure)) return t.errorGeneric;
  switch (err.code) {
    case "NETWORK":
      return t.errorNetwork;
    case "SOLD_OUT":
      return t.errorSoldOut;
    case "LIMIT_REACHED":
      return t.limitReached;
    case "SALES_NOT_OPEN":
      return t.salesNotOpen(salesOpenAt ?? "");
    case "HOLD_EXPIRED":
      return t.errorHoldExpired;
    case "RATE_LIMITED":
      return t.errorRateLimited;
    case "PAYMENT_PROVIDER_UNAVAILABLE":
      return t.errorProviderDown;
    case "UNAVAILABLE":
      return t.errorUnavailable;
    default:
      return t.errorGeneric;
  }
}

/** A button that shows `busyLabel` and is disabled while `action` runs. */
export function actionButton(
  label: string,
  busyLabel: string,
  className: string,
  action: () => Promise<void>,
  onError: (err: unknown) => void,
) {
  const button = h("button", { class: className, type: "button" }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = busyLabel;
    try {
      await action();
    } catch (err) {
      onError(err);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = label;
    }
  });
  return button;
}

/**
 * A destructive action asked twice: the button opens a short confirmation in place (no `confirm()`
 * dialog: it is inaccessible on some phones and blocks the page's live updates).
 */
export function confirmable(o: {
  label: string;
  question: string;
  yes: string;
  no: string;
  action: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const wrap = h("div", { class: "confirmable" });
  const open = h("button", { class: "btn btn--ghost btn--block", type: "button" }, o.label);
  const showAsk = () => {
    const no = h("button", { class: "btn btn--ghost", type: "button" }, o.no);
    const yes = h("button", { class: "btn btn--danger", type: "button" }, o.yes);
    const ask = h(
      "div",
      { class: "confirmable__ask", role: "group", "aria-label": o.question },
      h("p", { class: "confirmable__q" }, o.question),
      h("div", { class: "confirmable__actions" }, no, yes),
    );
    no.addEventListener("click", () => {
      wrap.replaceChildren(open);
      open.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await o.action();
      } catch (err) {
        o.onError(err);
        wrap.replaceChildren(open);
      }
    });
    wrap.replaceChildren(ask);
    no.focus();
  };
  open.addEventListener("click", showAsk);
  wrap.append(open);
  return wrap;
}

export function errorBox() {
  const el = h("p", { class: "form__error", role: "alert", hidden: true });
  return {
    el,
    show(text: string) {
      el.textContent = text;
      el.hidden = false;
    },
    clear() {
      el.textContent = "";
      el.hidden = true;
    },
  };
}

/** The hold's countdown: `value` (and `fill`, its bar) kept by `startCountdown`, and the time it ends. */
export function holdTimer(ctx: SaleContext, expiresAt: string, value: HTMLElement, fill?: HTMLElement) {
  const { t } = ctx;
  return h(
    "div",
    { class: "timer", role: "timer", "aria-label": t.timeLeft },
    h("span", { class: "timer__label" }, t.timeLeft),
    value,
    fill ? h("span", { class: "timer__bar" }, fill) : null,
    h("small", { class: "timer__until" }, t.heldUntil(formatTime(expiresAt, ctx.lang))),
  );
}

/** Giving the held ticket up, asked twice; a refusal shows in the screen's `error` box. */
export function giveUp(ctx: SaleContext, error: ReturnType<typeof errorBox>) {
  const { t } = ctx;
  return confirmable({
    label: t.giveUp,
    question: t.giveUpConfirm,
    yes: t.giveUpYes,
    no: t.back,
    action: () => ctx.cancel(),
    onError: (err) => error.show(errorText(t, err)),
  });
}
