/**
 * The sale panel of a show's page. It renders whatever state the server last sent (socket, poll or
 * the answer to the fan's own action) and never guesses one: a countdown that reaches zero asks
 * the server instead of showing "expired" by itself.
 */
import type { ShowView } from "../../db/views";
import type { Lang, Messages } from "../../page/i18n";
import type { FanState, TicketClass } from "../../show/types";
import { ApiFailure, api } from "../api";
import type { AvailabilityWatch } from "../availability";
import { ServerClock } from "../clock";
import { h, replace } from "../dom";
import { type ConnectionStatus, LiveConnection } from "../live";
import { admittedScreen } from "./admitted";
import { type AwaitedPayment, awaitingScreen } from "./awaiting";
import type { SaleContext, Screen } from "./context";
import { cancelledScreen, chooseScreen, expiredScreen, soldOutScreen } from "./outcomes";
import { prequeueScreen } from "./prequeue";
import { bookedScreen, ticketList } from "./tickets";
import { errorText } from "./ui";
import { waitingScreen } from "./waiting";

/** The query parameter with which the checkout sends the fan back after paying. */
export const PAYMENT_PARAM = "pagamento";
/** How often the page asks about a payment awaiting its provider's confirmation. */
const AWAIT_POLL_MS = 4_000;

interface Payment extends AwaitedPayment {
  status: "PENDING" | "APPROVED" | "REFUND_DUE" | "REFUNDED" | "EXPIRED";
  provider: string;
}

/** A payment the fan left for the provider's page, remembered across a reload of this tab. */
const awaitingKey = (showId: string) => `catraca.awaiting.${showId}`;

type Mode = "default" | "another";

function screenKey(state: FanState, mode: Mode, awaiting: AwaitedPayment | undefined): string {
  const cls = `${state.sector ?? ""}|${state.meia ?? false}`;
  const booked = state.booked.map((b) => b.id).join(",");
  if (state.status === "IN_PROGRESS") {
    return `IN_PROGRESS|${state.ticket?.id}|${state.expiresAt}|${booked}|${awaiting?.id ?? ""}|${awaiting?.graceUntil}`;
  }
  if (state.status === "BOOKED" && mode === "another") return `ANOTHER|${booked}`;
  return `${state.status}|${cls}|${booked}`;
}

function buildScreen(ctx: SaleContext, state: FanState, mode: Mode, awaiting: AwaitedPayment | undefined): Screen {
  switch (state.status) {
    case "PRE_QUEUE":
      return prequeueScreen(ctx, state);
    case "WAITING":
      return waitingScreen(ctx, state);
    case "IN_PROGRESS":
      return awaiting ? awaitingScreen(ctx, state, awaiting) : admittedScreen(ctx, state);
    case "BOOKED":
      return mode === "another" ? chooseScreen(ctx, state) : bookedScreen(ctx, state);
    case "SOLD_OUT":
      return soldOutScreen(ctx, state);
    case "EXPIRED":
      return expiredScreen(ctx, state);
    case "CANCELLED":
      return cancelledScreen(ctx, state);
    default:
      return chooseScreen(ctx, state);
  }
}

export async function mountSale(
  root: HTMLElement,
  opts: { showId: string; t: Messages; lang: Lang; availability: AvailabilityWatch },
): Promise<void> {
  const { showId, t } = opts;
  const body = root.querySelector<HTMLElement>("[data-sale-body]");
  if (!body) return;
  const path = `/${encodeURIComponent(showId)}/ingresso`;
  const conn = h("span", { class: "conn conn--connecting", "data-testid": "connection" });
  const announcer = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const banner = h("p", { class: "notice notice--warn", role: "alert", hidden: true });
  root.querySelector(".panel__title")?.after(conn);
  root.append(announcer);

  let show: ShowView | undefined;
  let current: { key: string; screen: Screen } | undefined;
  let mode: Mode = "default";
  let latest: FanState | undefined;
  /** A payment at a real provider, for the fan's current hold, not confirmed yet. */
  let awaiting: Payment | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;

  const clock = new ServerClock();
  const ctx: SaleContext = {
    showId,
    t,
    lang: opts.lang,
    clock,
    show: () => {
      if (!show) throw new Error("the show is not loaded yet");
      return show;
    },
    announce: (text) => {
      // Clearing first makes a repeated sentence announced again.
      announcer.textContent = "";
      requestAnimationFrame(() => {
        announcer.textContent = text;
      });
    },
    request: async (c: TicketClass) => render(await api<FanState>("PATCH", `${path}/request`, c)),
    cancel: async () => render(await api<FanState>("PATCH", `${path}/cancel`)),
    pay: async (ticketId) => {
      const { checkoutUrl } = await api<{ checkoutUrl: string }>("POST", "/api/payments", { showId, ticketId });
      location.assign(checkoutUrl);
      // The page is leaving: keep the button busy until it does.
      await new Promise(() => {});
    },
    chooseAnother: () => {
      mode = "another";
      if (latest) render(latest);
    },
    refresh: () => live.refresh(),
  };

  function render(state: FanState): void {
    latest = state;
    if (state.status !== "BOOKED") mode = "default";
    if (awaiting && !(state.status === "IN_PROGRESS" && state.ticket?.id === awaiting.ticketId)) stopAwaiting();
    const key = screenKey(state, mode, awaiting);
    if (current?.key === key) {
      current.screen.update?.(state);
      return;
    }
    const first = current === undefined;
    const hadFocus = !first && (root.contains(document.activeElement) || document.activeElement === document.body);
    current?.screen.destroy?.();
    const screen = buildScreen(ctx, state, mode, awaiting);
    current = { key, screen };
    if (!first && !banner.hidden && state.status !== "BOOKED") banner.hidden = true;
    const extra = state.status !== "BOOKED" || mode === "another" ? state.booked : [];
    replace(body!, banner, screen.el, extra.length > 0 ? ticketList(ctx, extra) : null);
    root.dataset.status = state.status;
    if (!first) {
      const title = screen.el.querySelector<HTMLElement>(".screen__title");
      if (title) ctx.announce(title.textContent ?? "");
      if (hadFocus) title?.focus();
    }
  }

  const setConnection = (status: ConnectionStatus) => {
    const label = {
      connecting: t.connConnecting,
      live: t.connLive,
      reconnecting: t.connReconnecting,
      polling: t.connPolling,
      busy: t.connBusy,
      replaced: t.connReplaced,
    }[status];
    conn.className = `conn conn--${status}`;
    conn.textContent = label;
    opts.availability.setLive(status === "live");
  };

  const live = new LiveConnection(showId, {
    onState: (state, serverTime) => {
      if (serverTime) clock.sync(serverTime);
      if (show) render(state);
    },
    // The show's object says what every class has left: the sector table and the choices follow.
    onAvailability: (classes) => {
      if (show) show = opts.availability.apply(show, classes);
    },
    onStatus: setConnection,
    onUnauthorized: () => location.reload(),
  });

  opts.availability.onShows((shows) => {
    show = shows.find((s) => s.id === showId) ?? show;
  });

  try {
    show = (await api<{ show: ShowView }>("GET", `/api/shows/${encodeURIComponent(showId)}`)).show;
    const paymentId =
      new URLSearchParams(location.search).get(PAYMENT_PARAM) ?? sessionStorage.getItem(awaitingKey(showId));
    if (paymentId) {
      replace(
        body,
        h("p", { class: "sale__loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), t.confirmingPayment),
      );
      await completePayment(paymentId);
      const url = new URL(location.href);
      url.searchParams.delete(PAYMENT_PARAM);
      history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    if (!latest) render(await api<FanState>("GET", path));
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      location.reload();
      return;
    }
    replace(body, h("p", { class: "notice notice--warn", role: "alert" }, errorText(t, err)));
  }
  live.start();

  /**
   * Back from the checkout: book with an approved payment (a provider's webhook may have booked it
   * already: book answers the same); a late one is owed back, and we say so; one still pending at a
   * real provider is awaited, asking every few seconds, while the server books it when it comes.
   */
  async function completePayment(paymentId: string): Promise<void> {
    try {
      const { payment } = await api<{ payment: Payment }>("GET", `/api/payments/${encodeURIComponent(paymentId)}`);
      if (payment.status === "APPROVED") {
        stopAwaiting();
        render(await api<FanState>("PATCH", `${path}/book`, { ticketId: payment.ticketId, paymentId }));
      } else if (payment.status === "REFUND_DUE" || payment.status === "REFUNDED") {
        stopAwaiting();
        banner.textContent = payment.status === "REFUNDED" ? t.refunded : t.refundDue;
        banner.hidden = false;
        if (latest) render(latest);
      } else if (payment.status === "PENDING" && payment.provider !== "sandbox") {
        const changed = awaiting?.graceUntil !== payment.graceUntil;
        awaiting = payment;
        sessionStorage.setItem(awaitingKey(showId), payment.id);
        clearTimeout(pollTimer);
        pollTimer = setTimeout(() => void completePayment(payment.id), AWAIT_POLL_MS);
        if (latest && changed) render(latest);
      } else {
        stopAwaiting();
        if (latest) render(latest);
      }
    } catch (err) {
      banner.textContent = errorText(t, err);
      banner.hidden = false;
    }
  }

  function stopAwaiting(): void {
    awaiting = undefined;
    clearTimeout(pollTimer);
    sessionStorage.removeItem(awaitingKey(showId));
  }
}
