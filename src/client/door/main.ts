/**
 * The door page (`/portaria`) on a gate phone. Online, every scan is a check-in on the server,
 * which decides once for all gates. Offline, the phone decides from what it downloaded (the
 * show's tickets and the key that checks C2 codes) and keeps its check-ins in IndexedDB until the
 * network returns; the server then reports tickets that another gate let in too.
 */
import { importTicketPublicKey } from "../../codes/format";
import type { DoorManifest, SyncOutcome } from "../../door/manifest";
import { formatTime, VENUE_TIME_ZONE } from "../../page/format";
import { DEFAULT_LANG, isLang } from "../../page/i18n";
import { type OrganizerMessages, organizerMessages } from "../../page/i18n-organizers";
import { h, replace } from "../dom";
import { icon } from "../icons";
import { decideOffline, type LocalScan, type Verdict } from "./decide";
import { signal, unlockSound } from "./feedback";
import { preloadDecoder, Scanner } from "./scanner";
import { DoorStore } from "./store";

/** Offline check-ins are sent this often (and at once when the network returns)... */
const SYNC_EVERY_MS = 20_000;
/** ...and the whole list, which can be large, downloaded again this often, or after a sync. */
const REFRESH_EVERY_MS = 120_000;
const SYNC_BATCH = 40;

type Online =
  | { kind: "answer"; verdict: Verdict }
  /** No answer from the server: the phone decides by itself. */
  | { kind: "unreachable" }
  | { kind: "unauthorized" };

function q<T extends Element>(selector: string): T {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`door page: ${selector} missing`);
  return el;
}

async function send(method: string, path: string, body?: unknown): Promise<Response | undefined> {
  if (!navigator.onLine) return undefined;
  try {
    return await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return undefined;
  }
}

class Door {
  private manifest: DoorManifest | undefined;
  private key: CryptoKey | undefined;
  private scans: LocalScan[] = [];
  private syncing = false;
  private refreshedAt = 0;
  private readonly scanner: Scanner;
  private readonly el = {
    title: q<HTMLElement>("[data-door-title]"),
    meta: q<HTMLElement>("[data-door-meta]"),
    status: q<HTMLElement>("[data-door-status]"),
    message: q<HTMLElement>("[data-door-message]"),
    work: q<HTMLElement>("[data-door-work]"),
    answer: q<HTMLElement>("[data-door-answer]"),
    viewport: q<HTMLElement>("[data-door-viewport]"),
    cameraNote: q<HTMLElement>("[data-door-camera-note]"),
    camera: q<HTMLButtonElement>("[data-door-camera]"),
    typed: q<HTMLFormElement>("[data-door-typed]"),
  };

  constructor(
    private readonly t: OrganizerMessages,
    private readonly lang: "pt-BR" | "en",
    private readonly store: DoorStore,
  ) {
    this.scanner = new Scanner(q<HTMLVideoElement>("[data-door-video]"), (code) => this.check(code));
  }

  async start(): Promise<void> {
    // A door link opened in a tab already on this page only changes the fragment: start again with it.
    window.addEventListener("hashchange", () => {
      if (location.hash.includes("acesso=")) location.reload();
    });
    const token = new URLSearchParams(location.hash.slice(1)).get("acesso");
    if (token) {
      // The link's token becomes the door's HttpOnly cookie; it does not stay in the address bar.
      history.replaceState(null, "", location.pathname);
      const res = await send("POST", "/api/door/session", { token });
      if (res?.status === 401) return this.stop(this.t.doorLinkInvalid);
    }
    this.scans = await this.store.scans();
    await this.refresh();
    if (!this.manifest) return this.stop(this.t.doorNoAccess);
    this.el.message.hidden = true;
    this.el.work.hidden = false;
    this.wire();
    void preloadDecoder().catch(() => undefined);
    void this.sync();
    setInterval(() => void this.sync(), SYNC_EVERY_MS);
  }

  private stop(message: string): void {
    this.el.message.textContent = message;
    this.el.message.className = "notice notice--warn";
    this.el.work.hidden = true;
  }

  /** Download the show's list again (online); otherwise keep the one stored. */
  private async refresh(): Promise<void> {
    const res = await send("GET", "/api/door/manifest");
    if (res?.status === 401) {
      this.manifest = undefined;
      return;
    }
    if (res?.ok) {
      this.refreshedAt = Date.now();
      const manifest = (await res.json()) as DoorManifest;
      await this.store.saveManifest(manifest);
      this.scans = await this.store.scans();
    }
    this.manifest = await this.store.manifest();
    if (this.manifest) this.key ??= await importTicketPublicKey(this.manifest.publicKey);
    this.render();
  }

  private wire(): void {
    this.el.camera.addEventListener("click", async () => {
      unlockSound();
      if (this.scanner.running) {
        this.scanner.stop();
        this.el.viewport.hidden = true;
        this.el.camera.textContent = this.t.doorCameraStart;
        return;
      }
      try {
        this.el.viewport.hidden = false;
        await this.scanner.start();
        this.el.camera.textContent = this.t.doorCameraStop;
        this.el.cameraNote.hidden = true;
      } catch {
        this.scanner.stop();
        this.el.viewport.hidden = true;
        this.el.cameraNote.textContent = this.t.doorCameraDenied;
        this.el.cameraNote.hidden = false;
      }
    });
    this.el.typed.addEventListener("submit", async (event) => {
      event.preventDefault();
      unlockSound();
      const input = this.el.typed.elements.namedItem("code") as HTMLInputElement;
      const code = input.value.trim();
      if (!code) return;
      await this.check(code);
      input.value = "";
    });
    window.addEventListener("online", () => void this.sync());
    window.addEventListener("offline", () => this.render());
  }

  /** One scan: the server decides when it can be reached, the phone otherwise. */
  private async check(code: string): Promise<void> {
    const online = await this.checkOnline(code);
    if (online.kind === "unauthorized") return this.stop(this.t.doorLinkInvalid);
    if (online.kind === "answer") return this.show(online.verdict);
    const manifest = this.manifest;
    if (!manifest || !this.key) return;
    const verdict = await decideOffline(manifest, this.key, this.scans, code);
    if (verdict.kind === "admitted") {
      await this.remember({ ticketId: verdict.ticketId, code, synced: false });
    }
    this.show(verdict);
  }

  private async checkOnline(code: string): Promise<Online> {
    const res = await send("POST", "/api/tickets/checkin", { code });
    if (!res || res.status >= 500 || res.status === 429) return { kind: "unreachable" };
    if (res.status === 401) return { kind: "unauthorized" };
    const body = (await res.json().catch(() => ({}))) as {
      ticket?: { id: string; sector: string; meia: boolean };
      holder?: { name: string };
      checkedInAt?: string;
      gate?: string;
      error?: { code: string };
    };
    const about = {
      holder: body.holder?.name ?? "",
      sector: body.ticket?.sector ?? "",
      meia: body.ticket?.meia ?? false,
    };
    if (res.ok && body.ticket) {
      await this.remember({ ticketId: body.ticket.id, code, synced: true });
      return { kind: "answer", verdict: { kind: "admitted", ticketId: body.ticket.id, ...about, offline: false } };
    }
    const reason = body.error?.code;
    if (reason === "ALREADY_CHECKED_IN") {
      return {
        kind: "answer",
        verdict: { kind: "already", ...about, at: body.checkedInAt ?? "", gate: body.gate ?? "" },
      };
    }
    if (reason === "OTHER_SHOW" || reason === "NOT_BOOKED" || reason === "INVALID_CODE") {
      return { kind: "answer", verdict: { kind: "refused", reason } };
    }
    return { kind: "unreachable" };
  }

  private async remember(scan: { ticketId: string; code: string; synced: boolean }): Promise<void> {
    const entry: LocalScan = {
      ...scan,
      scanId: crypto.randomUUID(),
      gate: this.manifest?.gate ?? "",
      scannedAt: new Date().toISOString(),
    };
    await this.store.saveScan(entry);
    this.scans.push(entry);
    this.render();
  }

  /** Send the offline check-ins, then download the list again. */
  private async sync(): Promise<void> {
    if (this.syncing || !navigator.onLine) return this.render();
    this.syncing = true;
    try {
      let conflicts = 0;
      let sent = 0;
      const pending = this.scans.filter((s) => !s.synced);
      for (let i = 0; i < pending.length; i += SYNC_BATCH) {
        const batch = pending.slice(i, i + SYNC_BATCH);
        const res = await send("POST", "/api/door/sync", {
          scans: batch.map((s) => ({ scanId: s.scanId, code: s.code, scannedAt: s.scannedAt })),
        });
        if (!res?.ok) break;
        const { results } = (await res.json()) as { results: { scanId: string; outcome: SyncOutcome }[] };
        for (const r of results) {
          const scan = batch.find((s) => s.scanId === r.scanId);
          if (!scan) continue;
          scan.synced = true;
          sent++;
          await this.store.saveScan(scan);
          if (r.outcome === "conflict") conflicts++;
        }
      }
      if (conflicts > 0) this.note(this.t.doorConflicts(conflicts));
      if (sent > 0 || Date.now() - this.refreshedAt >= REFRESH_EVERY_MS) await this.refresh();
      else this.render();
    } finally {
      this.syncing = false;
    }
  }

  private note(text: string): void {
    this.el.message.textContent = text;
    this.el.message.className = "notice notice--warn";
    this.el.message.hidden = false;
  }

  private render(): void {
    const m = this.manifest;
    if (!m) return;
    const { t } = this;
    this.el.title.textContent = m.show.band;
    replace(
      this.el.meta,
      h("span", { class: "door__gate" }, t.doorGate(m.gate)),
      " · ",
      t.doorTickets(m.tickets.length, formatTime(m.generatedAt, this.lang, VENUE_TIME_ZONE)),
    );
    const pending = this.scans.filter((s) => !s.synced).length;
    replace(
      this.el.status,
      h(
        "span",
        {
          class: `door__conn door__conn--${navigator.onLine ? "online" : "offline"}`,
          "data-testid": "door-connection",
        },
        navigator.onLine ? t.doorOnline : t.doorOffline,
      ),
      " ",
      h("span", { "data-testid": "door-pending" }, pending > 0 ? t.doorPending(pending) : t.doorAllSynced),
    );
  }

  private show(verdict: Verdict): void {
    const { t } = this;
    const ok = verdict.kind === "admitted";
    const lines: (HTMLElement | null)[] = [];
    if (verdict.kind !== "refused") {
      lines.push(h("p", { class: "door__holder" }, verdict.holder));
      lines.push(h("p", { class: "door__detail" }, `${verdict.sector} · ${verdict.meia ? t.meiaPrice : t.fullPrice}`));
    }
    if (verdict.kind === "admitted" && verdict.meia) lines.push(h("p", { class: "door__check" }, t.doorMeiaCheck));
    if (verdict.kind === "admitted" && verdict.offline)
      lines.push(h("p", { class: "door__reason" }, t.doorOfflineNote));
    if (verdict.kind === "already") {
      lines.push(
        h(
          "p",
          { class: "door__reason" },
          t.doorAlready(formatTime(verdict.at, this.lang, VENUE_TIME_ZONE), verdict.gate),
        ),
      );
    }
    if (verdict.kind === "refused") {
      const reason = {
        INVALID_CODE: t.doorInvalid,
        OTHER_SHOW: t.doorOtherShow,
        NOT_BOOKED: t.doorNotBooked,
        NOT_IN_LIST: t.doorNotInList,
        LEGACY_OFFLINE: t.doorLegacyOffline,
      }[verdict.reason];
      lines.push(h("p", { class: "door__reason" }, reason));
    }
    const next = h("button", { class: "btn btn--light btn--block", type: "button" }, t.doorNext);
    next.addEventListener("click", () => {
      this.el.answer.hidden = true;
    });
    const tone = ok ? (verdict.meia ? "warn" : "ok") : "no";
    this.el.answer.className = `door__answer door__answer--${tone}`;
    this.el.answer.dataset.verdict = verdict.kind;
    replace(
      this.el.answer,
      h("p", { class: "door__verdict" }, icon(ok ? "check" : "close"), ok ? t.doorAdmitted : t.doorRefused),
      lines,
      next,
    );
    this.el.answer.hidden = false;
    signal(ok);
  }
}

async function start(): Promise<void> {
  if (document.body.dataset.page !== "door") return;
  const htmlLang = document.documentElement.lang;
  const lang = isLang(htmlLang) ? htmlLang : DEFAULT_LANG;
  // The page itself, its script and the decoder stay available with no network.
  void navigator.serviceWorker?.register("/door-sw.js", { scope: "/portaria" }).catch(() => undefined);
  const door = new Door(organizerMessages(lang), lang, await DoorStore.open());
  await door.start();
}

void start();
