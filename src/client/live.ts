/**
 * The fan's live state for one show, and the show's availability: the WebSocket of
 * `GET /:showId/ingresso/ws`, reconnected with backoff, and polling of `GET /:showId/ingresso`
 * whenever the socket is down. Every message is whole (the fan's State, or every class's counts),
 * so whichever path delivers it, the page just renders the latest one. A show
 * that asks to come back later (429, 503) is polled less and less often, never sooner than it
 * said; a socket the server replaced with a newer tab's (`CLOSE.REPLACED`) is not reconnected
 * until the fan comes back to this tab, or it would close another of the fan's tabs.
 */
import { CLOSE, PING, PONG, type ServerMessage, STATE_REQUEST } from "../messages";
import type { ClassAvailability, FanState } from "../show/types";
import { ApiFailure, api } from "./api";
import { backoffDelay, busyDelay } from "./backoff";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "polling" | "busy" | "replaced";

export interface LiveHandlers {
  onState(state: FanState, serverTime?: string): void;
  /** The show's free and held tickets per class (every socket of the show gets them). */
  onAvailability(classes: ClassAvailability[]): void;
  onStatus(status: ConnectionStatus): void;
  /** The session is gone (signed out elsewhere, or expired). */
  onUnauthorized(): void;
}

const PING_EVERY_MS = 20_000;
/** No message and no pong for this long: the socket is dead even if no close event came. */
const SILENCE_LIMIT_MS = 45_000;
export const POLL_EVERY_MS = 4_000;

export class LiveConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private lastHeard = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  /** Polls in a row that the server answered "come back later". */
  private busyPolls = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** The server closed this tab's socket for a newer tab's. */
  private replaced = false;

  constructor(
    private readonly showId: string,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.handlers.onStatus("connecting");
    this.connect();
    document.addEventListener("visibilitychange", this.onVisible);
    window.addEventListener("online", this.onOnline);
  }

  stop(): void {
    this.stopped = true;
    document.removeEventListener("visibilitychange", this.onVisible);
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.reconnectTimer);
    this.stopPolling();
    if (this.ws) this.drop(this.ws, false);
  }

  /** Ask the server for the current state now (after the tab comes back, say). */
  refresh(): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(STATE_REQUEST);
    else void this.poll();
  }

  private connect(): void {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/${encodeURIComponent(this.showId)}/ingresso/ws`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.stopPolling();
      this.handlers.onStatus("live");
      this.pingTimer = setInterval(() => this.keepAlive(ws), PING_EVERY_MS);
    });
    ws.addEventListener("message", (event) => {
      this.lastHeard = Date.now();
      if (typeof event.data !== "string" || event.data === PONG) return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === "availability") {
        this.handlers.onAvailability(message.classes);
      } else if (message.type === "state") {
        const { type: _type, serverTime, ...state } = message;
        this.handlers.onState(state, serverTime);
      }
    });
    ws.addEventListener("close", (event) => {
      if (this.ws === ws) this.down(event.code);
    });
  }

  private keepAlive(ws: WebSocket): void {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.drop(ws, true);
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(PING);
  }

  /** Forget a socket (its late events are ignored); `reconnect` when it died rather than we stopped. */
  private drop(ws: WebSocket, reconnect: boolean): void {
    if (this.ws === ws) this.ws = undefined;
    clearInterval(this.pingTimer);
    try {
      ws.close(1000);
    } catch {
      // already closing
    }
    if (reconnect) this.down();
  }

  /** The socket is down: poll meanwhile, and try again after a growing delay. */
  private down(code?: number): void {
    this.ws = undefined;
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.replaced = code === CLOSE.REPLACED;
    this.handlers.onStatus(this.replaced ? "replaced" : "reconnecting");
    this.startPolling();
    if (!this.replaced) this.reconnectTimer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
  }

  private readonly reconnectNow = () => {
    if (this.stopped || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.replaced = false;
    this.connect();
  };

  /** Back online: reconnect at once, unless a newer tab has the live connection. */
  private readonly onOnline = () => {
    if (!this.replaced) this.reconnectNow();
  };

  private readonly onVisible = () => {
    if (document.visibilityState !== "visible") return;
    if (this.ws) this.refresh();
    else this.reconnectNow();
  };

  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    void this.pollThenWait();
  }

  private stopPolling(): void {
    this.polling = false;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async pollThenWait(): Promise<void> {
    const wait = await this.poll();
    if (!this.polling || this.stopped) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.pollThenWait(), wait);
  }

  /** One read of the state; answers how long to wait before the next. */
  private async poll(): Promise<number> {
    // A replaced tab nobody is looking at has nothing to show; back on it, the fan reconnects.
    if (this.replaced && document.visibilityState === "hidden") return POLL_EVERY_MS;
    try {
      const state = await api<FanState>("GET", `/${encodeURIComponent(this.showId)}/ingresso`);
      if (this.stopped) return POLL_EVERY_MS;
      this.busyPolls = 0;
      if (this.ws?.readyState !== WebSocket.OPEN) this.handlers.onStatus(this.replaced ? "replaced" : "polling");
      this.handlers.onState(state);
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) {
        this.stop();
        this.handlers.onUnauthorized();
      } else if (err instanceof ApiFailure && err.busy) {
        // Never retried in a loop: the show said when to come back, and it is only asked later still.
        this.handlers.onStatus("busy");
        return busyDelay(err.retryAfterSeconds, this.busyPolls++);
      }
      // Otherwise the next poll or the socket will bring the state.
    }
    return POLL_EVERY_MS;
  }
}
