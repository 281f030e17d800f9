/** The sandbox checkout: the countdown of the hold, and the button that approves and returns. */
import type { Messages } from "../page/i18n";
import { api } from "./api";
import { ServerClock } from "./clock";
import { startCountdown } from "./countdown";
import { errorText } from "./sale/ui";

export function mountCheckout(root: HTMLElement, t: Messages): void {
  const timer = root.querySelector<HTMLElement>("[data-countdown]");
  const value = root.querySelector<HTMLElement>("[data-countdown-value]");
  if (timer && value && timer.dataset.expiresAt && timer.dataset.serverTime) {
    const clock = new ServerClock();
    // The page was rendered a moment ago by the server: close enough to sync the clock by.
    clock.sync(timer.dataset.serverTime);
    const expiresAt = timer.dataset.expiresAt;
    const totalMs = Math.max(1, Date.parse(expiresAt) - clock.now());
    startCountdown({
      expiresAt,
      totalMs,
      clock,
      value,
      fill: root.querySelector<HTMLElement>("[data-countdown-fill]") ?? undefined,
    });
  }

  const pay = root.querySelector<HTMLButtonElement>("[data-pay]");
  const error = root.querySelector<HTMLElement>("[data-checkout-error]");
  if (!pay) return;
  const label = pay.textContent ?? "";
  pay.addEventListener("click", async () => {
    if (pay.disabled) return;
    pay.disabled = true;
    pay.setAttribute("aria-busy", "true");
    pay.textContent = pay.dataset.busyLabel ?? label;
    try {
      await api("POST", `/api/payments/${encodeURIComponent(pay.dataset.pay ?? "")}/sandbox/approve`);
      // Approved or owed back: the show's page books, or says so.
      location.assign(pay.dataset.return ?? "/");
    } catch (err) {
      pay.disabled = false;
      pay.removeAttribute("aria-busy");
      pay.textContent = label;
      if (error) {
        error.textContent = errorText(t, err);
        error.hidden = false;
      }
    }
  });
}
