/**
 * A show's live dashboard: polls `GET /api/console/shows/:showId/dashboard` every few seconds and
 * renders each section from the answer (never a local guess), the charts fed in place. Actions
 * (mark a refund paid back, create or revoke a door link) post and then poll at once.
 */
import type { DashboardView } from "../../console/view";
import { formatMoney, formatShortDate, formatTime, VENUE_TIME_ZONE } from "../../page/format";
import type { Lang } from "../../page/i18n";
import type { OrganizerMessages } from "../../page/i18n-organizers";
import { ApiFailure, api } from "../api";
import { h, replace } from "../dom";
import { qrSvg } from "../qr";
import { Chart } from "./charts";
import { perMinute, queueLength } from "./series";

export const POLL_MS = 3_000;

function table(head: string[], rows: (string | number | Node)[][], numeric: number[] = []) {
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "data" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((label, i) => h("th", { scope: "col", class: numeric.includes(i) ? "num" : null }, label)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map((cell, i) =>
              i === 0 ? h("th", { scope: "row" }, cell) : h("td", { class: numeric.includes(i) ? "num" : null }, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

export class Dashboard {
  private readonly sold: Chart;
  private readonly queue: Chart;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly section = (id: string) => this.root.querySelector<HTMLElement>(`[data-section="${id}"]`)!;
  /** The link just created: its token is shown once, so it stays on screen until the next one. */
  private created: { label: string; link: string } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly showId: string,
    private readonly t: OrganizerMessages,
    private readonly lang: Lang,
  ) {
    this.sold = new Chart(this.section("chart-sold"), t.chartSoldSeries, "bars", lang);
    this.queue = new Chart(this.section("chart-queue"), t.chartQueueSeries, "line", lang);
    this.doorForm();
  }

  start(): void {
    void this.poll();
  }

  private async poll(): Promise<void> {
    clearTimeout(this.timer);
    const updated = this.root.querySelector<HTMLElement>("[data-updated]");
    try {
      const view = await api<DashboardView>("GET", `/api/console/shows/${encodeURIComponent(this.showId)}/dashboard`);
      this.render(view);
      if (updated) updated.textContent = this.t.updatedAt(formatTime(view.now, this.lang, VENUE_TIME_ZONE));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) {
        location.assign(`/organizador/entrar?voltar=${encodeURIComponent(location.pathname)}`);
        return;
      }
      if (updated) updated.textContent = this.t.dashboardStale;
    }
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private render(v: DashboardView): void {
    const { t } = this;
    const capacity = v.show.sectors.reduce((n, s) => n + s.capacity, 0);
    const kpi = (label: string, value: string, testId: string) =>
      h(
        "div",
        { class: "kpi" },
        h("p", { class: "kpi__label" }, label),
        h("p", { class: "kpi__value", "data-testid": testId }, value),
      );
    replace(
      this.section("kpis"),
      kpi(t.revenue, formatMoney(v.revenueCents), "kpi-revenue"),
      kpi(t.ticketsSold, t.soldOf(v.booked, capacity), "kpi-sold"),
      kpi(t.inQueue, String(v.waiting), "kpi-waiting"),
      kpi(
        t.sellOutIn,
        v.sellOutSeconds === null
          ? t.sellOutUnknown
          : v.sellOutSeconds === 0
            ? t.soldOutNow
            : t.aboutDuration(v.sellOutSeconds),
        "kpi-sellout",
      ),
    );
    replace(
      this.section("classes"),
      table(
        [t.colClass, t.colAvailable, t.colHeld, t.colBooked, t.colWaiting],
        v.classes.map((c) => [t.classLabel(c.sector, c.meia), c.available, c.held, c.booked, c.waiting]),
        [1, 2, 3, 4],
      ),
    );
    this.sold.update(perMinute(v.series.bookedPerMinute, Date.parse(v.now)));
    this.queue.update(queueLength(v.series.queue));
    this.renderRefunds(v);
    this.renderCheckins(v);
    this.renderDoors(v);
  }

  private renderRefunds(v: DashboardView): void {
    const { t } = this;
    if (v.refunds.length === 0) {
      replace(this.section("refunds"), h("p", { class: "empty" }, t.noRefunds));
      return;
    }
    replace(
      this.section("refunds"),
      table(
        [t.colFan, t.colAmount, t.colApproved, ""],
        v.refunds.map((r) => {
          const mark = h("button", { class: "btn btn--ghost btn--small", type: "button" }, t.markRefunded);
          mark.addEventListener("click", () =>
            this.act(mark, `/api/console/shows/${this.showId}/refunds/${encodeURIComponent(r.id)}/refunded`),
          );
          return [
            `${r.user.name} (${r.user.email})`,
            formatMoney(r.amountCents),
            r.approvedAt ? formatTime(r.approvedAt, this.lang, VENUE_TIME_ZONE) : "",
            mark,
          ];
        }),
        [1],
      ),
    );
  }

  private renderCheckins(v: DashboardView): void {
    const { t } = this;
    const { checkins } = v;
    replace(
      this.section("checkins"),
      h("p", { class: "dash__lead", "data-testid": "checked-in" }, t.checkedInOf(checkins.total, v.booked)),
      checkins.byGate.length === 0
        ? h("p", { class: "empty" }, t.noCheckins)
        : table(
            [t.colGate, t.colCheckedIn, t.colOffline],
            checkins.byGate.map((g) => [g.gate, g.checkedIn, g.offline]),
            [1, 2],
          ),
      h("h3", { class: "dash__subtitle" }, t.conflictsTitle),
      checkins.conflicts.length === 0
        ? h("p", { class: "empty" }, t.noConflicts)
        : table(
            [t.colTicket, t.colSecondScan, t.colFirstScan],
            checkins.conflicts.map((c) => [
              `${c.holder} · ${c.sector}`,
              `${c.gate}, ${formatTime(c.scannedAt, this.lang, VENUE_TIME_ZONE)}`,
              c.first ? `${c.first.gate}, ${formatTime(c.first.checkedInAt, this.lang, VENUE_TIME_ZONE)}` : "",
            ]),
          ),
    );
  }

  private renderDoors(v: DashboardView): void {
    const { t } = this;
    const list = this.section("doors");
    const created = this.created;
    const shown = created
      ? h(
          "div",
          { class: "door-link" },
          h("p", {}, t.doorCreated(created.label)),
          qrSvg(created.link, t.doorLinkQrAlt(created.label)),
          h("p", {}, h("code", { class: "door-link__url", "data-testid": "door-link" }, created.link)),
          this.copyButton(created.link),
        )
      : null;
    replace(
      list,
      shown,
      v.doors.length === 0
        ? h("p", { class: "empty" }, t.noDoors)
        : table(
            [t.gateLabel, "", ""],
            v.doors.map((d) => {
              const status = d.revokedAt ? t.doorRevoked : d.active ? t.doorActive : t.doorExpired;
              const revoke = h("button", { class: "btn btn--ghost btn--small", type: "button" }, t.revoke(d.label));
              revoke.addEventListener("click", () =>
                this.act(revoke, `/api/console/shows/${this.showId}/doors/${encodeURIComponent(d.id)}/revoke`),
              );
              return [
                d.label,
                `${status} · ${t.expiresOn(formatShortDate(d.expiresAt, this.lang))}`,
                d.active ? revoke : "",
              ];
            }),
          ),
    );
  }

  private copyButton(link: string): HTMLButtonElement {
    const copy = h("button", { class: "btn btn--ghost btn--small", type: "button" }, this.t.copyLink);
    copy.addEventListener("click", async () => {
      await navigator.clipboard?.writeText(link).catch(() => undefined);
      copy.textContent = this.t.copied;
    });
    return copy;
  }

  private doorForm(): void {
    const { t } = this;
    const input = h("input", { class: "field__input", name: "label", required: true, maxlength: "60" });
    const error = h("p", { class: "form__error", role: "alert", hidden: true });
    const form = h(
      "form",
      { class: "form form--inline" },
      h("label", { class: "field" }, h("span", { class: "field__label" }, t.gateLabel), input),
      h("button", { class: "btn btn--primary", type: "submit" }, t.createDoor),
      error,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      try {
        const res = await api<{ link: string; door: { label: string } }>(
          "POST",
          `/api/console/shows/${encodeURIComponent(this.showId)}/doors`,
          { label: input.value.trim() },
        );
        this.created = { label: res.door.label, link: res.link };
        form.reset();
        await this.poll();
      } catch (err) {
        error.textContent =
          err instanceof ApiFailure && err.status < 500 && err.status > 0 ? err.message : t.errorGeneric;
        error.hidden = false;
      }
    });
    this.section("doors").before(h("p", { class: "hint" }, t.doorsLead), form);
  }

  private async act(button: HTMLButtonElement, path: string): Promise<void> {
    button.disabled = true;
    try {
      await api("POST", path);
    } catch {
      // The next poll shows the truth either way.
    }
    await this.poll();
  }
}
