/** Fans' live sockets (Node's WebSocket), keeping only what the scenarios measure. */
import { now } from "./stats.ts";

export interface StateLite {
  status: string;
  position?: number;
  ticket?: { id: string };
  expiresAt?: string;
  /** The server's clock when it sent the message. */
  serverTime?: string;
}

export type StateListener = (socket: FanSocket, state: StateLite, receivedAt: number) => void;

export class FanSocket {
  readonly fanId: string;
  readonly ws: WebSocket;
  last: StateLite | undefined;
  messages = 0;
  availabilityMessages = 0;
  open = false;
  private listener: StateListener | undefined;

  private constructor(fanId: string, ws: WebSocket) {
    this.fanId = fanId;
    this.ws = ws;
  }

  /** Open a fan's socket and resolve once the server's greeting arrived. */
  static connect(base: string, showId: string, fan: { id: string; token: string }, listener?: StateListener) {
    const url = `${base.replace(/^http/, "ws")}/${showId}/ingresso/ws?token=${encodeURIComponent(fan.token)}`;
    const socket = new FanSocket(fan.id, new WebSocket(url));
    socket.listener = listener;
    return new Promise<FanSocket>((resolve, reject) => {
      socket.ws.addEventListener("message", (e) => {
        const at = now();
        if (e.data === "pong") return;
        const message = JSON.parse(String(e.data)) as StateLite & { type: string };
        // The show-wide availability: counted, never taken for the fan's state.
        if (message.type === "availability") {
          socket.availabilityMessages += 1;
          return;
        }
        const state: StateLite = message;
        socket.messages += 1;
        socket.last = state;
        socket.listener?.(socket, state, at);
        if (socket.messages === 1) resolve(socket);
      });
      socket.ws.addEventListener("open", () => {
        socket.open = true;
      });
      socket.ws.addEventListener("close", () => {
        socket.open = false;
      });
      socket.ws.addEventListener("error", () => reject(new Error(`WebSocket ${url} failed`)), { once: true });
    });
  }

  listen(listener: StateListener | undefined): void {
    this.listener = listener;
  }

  close(): void {
    try {
      this.ws.close(1000);
    } catch {}
  }
}

/** Close sockets and wait (briefly) until the client saw them closed. */
export async function closeAll(sockets: FanSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s.open) return resolve();
          const timer = setTimeout(resolve, 2_000);
          s.ws.addEventListener("close", () => {
            clearTimeout(timer);
            resolve();
          });
          s.close();
        }),
    ),
  );
}
