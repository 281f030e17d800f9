/**
 * Live availability on the shows list and a show's page: every `[data-avail="showId|sector|kind"]`
 * is refreshed from the catalogue while the tab is visible, and listeners get the fresh shows.
 */
import { type AvailabilityKind, classAvailability, type ShowView } from "../db/views";
import type { Messages } from "../page/i18n";
import { api } from "./api";

const REFRESH_MS = 15_000;

function countFor(shows: ShowView[], key: string) {
  const [showId, sector, kind] = key.split("|");
  const s = shows.find((x) => x.id === showId)?.sectors.find((x) => x.name === sector);
  if (!s || (kind !== "full" && kind !== "meia" && kind !== "all")) return undefined;
  return classAvailability(s, kind satisfies AvailabilityKind);
}

export class AvailabilityWatch {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<(shows: ShowView[]) => void>();

  constructor(
    private readonly t: Messages,
    /** One show's page, or the list's page of shows. */
    private readonly showId?: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (document.visibilityState === "visible") void this.refresh();
    }, REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onShows(listener: (shows: ShowView[]) => void): void {
    this.listeners.add(listener);
  }

  async refresh(): Promise<ShowView[] | undefined> {
    let shows: ShowView[];
    try {
      // The list refreshes the page of the catalogue it shows (`data-catalogue`, the same cursor).
      const page = document.querySelector<HTMLElement>("[data-catalogue]")?.dataset.catalogue ?? "/api/shows";
      shows = this.showId
        ? [(await api<{ show: ShowView }>("GET", `/api/shows/${encodeURIComponent(this.showId)}`)).show]
        : (await api<{ shows: ShowView[] }>("GET", page)).shows;
    } catch {
      return undefined;
    }
    for (const el of document.querySelectorAll<HTMLElement>("[data-avail]")) {
      const n = countFor(shows, el.dataset.avail ?? "");
      if (n === undefined) continue;
      el.textContent = this.t.available(n.free, n.held);
      el.classList.toggle("avail--none", n.free === 0);
    }
    for (const listener of this.listeners) listener(shows);
    return shows;
  }
}
