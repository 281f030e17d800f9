/**
 * Live availability on the shows list and a show's page: every `[data-avail="showId|sector|kind"]`
 * shows the latest counts, and listeners get the fresh shows. On a show's page with a live socket
 * the counts come from its `availability` messages (`apply`), sent by the show's object whenever
 * they change; otherwise (the list, a signed-out fan, a socket down) they are asked of the
 * catalogue while the tab is visible, an answer a few seconds old at most (the shared cache).
 */
import { type AvailabilityKind, classAvailability, type ShowView, withAvailability } from "../db/views";
import type { Messages } from "../page/i18n";
import type { ClassAvailability } from "../show/types";
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
  /** The latest shows known, from the catalogue or patched by the socket. */
  private shows: ShowView[] = [];
  /** A live socket brings the counts: asking the catalogue could only bring older ones. */
  private live = false;

  constructor(
    private readonly t: Messages,
    /** One show's page, or the list's page of shows. */
    private readonly showId?: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (document.visibilityState === "visible" && !this.live) void this.refresh();
    }, REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onShows(listener: (shows: ShowView[]) => void): void {
    this.listeners.add(listener);
  }

  /** Whether the show's socket is live (its `availability` messages then keep the counts). */
  setLive(live: boolean): void {
    this.live = live;
  }

  /** The show's counts from its object (the socket's `availability` message). */
  apply(show: ShowView, classes: ClassAvailability[]): ShowView {
    const fresh = withAvailability(show, classes);
    this.show([fresh, ...this.shows.filter((s) => s.id !== fresh.id)]);
    return fresh;
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
    // The socket went live meanwhile: its counts are newer than this answer.
    if (this.live) return undefined;
    this.show(shows);
    return shows;
  }

  private show(shows: ShowView[]): void {
    this.shows = shows;
    for (const el of document.querySelectorAll<HTMLElement>("[data-avail]")) {
      const n = countFor(shows, el.dataset.avail ?? "");
      if (n === undefined) continue;
      el.textContent = this.t.available(n.free, n.held);
      el.classList.toggle("avail--none", n.free === 0);
    }
    for (const listener of this.listeners) listener(shows);
  }
}
