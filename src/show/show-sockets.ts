/**
 * The fans' sockets on the show's own object (a show without lanes): accepting one, greeted with
 * the fan's state and the show's availability; a fan's `state` request; telling the fans a step
 * changed, and every socket the counts (src/show/availability-broadcast.ts). The parts are
 * src/do/fan-sockets.ts (the hibernatable sockets) and src/show/notifier.ts (states and positions);
 * the shell only hands the runtime's socket events here.
 */
import { FanSockets } from "../do/fan-sockets";
import type { ObjectIo } from "../do/io";
import { PING, PONG, STATE_REQUEST } from "../messages";
import { AvailabilityBroadcast } from "./availability-broadcast";
import { FanNotifier, POSITION_SLICE_PAUSE_MS } from "./notifier";
import { PositionFeed } from "./position-feed";
import type { ShowStore } from "./store";
import type { FanState } from "./types";

export class ShowSockets {
  private readonly sockets: FanSockets;
  private readonly notifier: FanNotifier;
  private readonly availability: AvailabilityBroadcast;

  constructor(
    ctx: DurableObjectState,
    store: ShowStore,
    io: ObjectIo,
    private readonly showId: string,
  ) {
    this.sockets = new FanSockets(ctx, () => io.now());
    this.notifier = new FanNotifier(this.sockets, new PositionFeed(store), io);
    this.availability = new AvailabilityBroadcast(
      () => {
        const config = store.config();
        return config && store.availability(config);
      },
      (text) => this.sockets.broadcast(text, () => io.sleep(POSITION_SLICE_PAUSE_MS)),
      io,
    );
    // Keep-alive answered by the runtime itself, so idle fans never wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** A fan's socket, accepted through the hibernation API and greeted with its state and the counts. */
  accept(fanId: string, state: FanState): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.sockets.accept(server, fanId);
    this.notifier.sendTo(server, state);
    const availability = this.availability.greeting();
    if (availability) this.sockets.send([server], availability);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The fan whose socket asked for its state (a `state` message); undefined for anything else. */
  stateRequest(ws: WebSocket, message: string | ArrayBuffer): string | undefined {
    const text = this.sockets.receive(ws, message);
    const fanId = this.sockets.fanOf(ws);
    return text === STATE_REQUEST ? fanId : undefined;
  }

  sendTo(ws: WebSocket, state: FanState): void {
    this.notifier.sendTo(ws, state);
  }

  closed(ws: WebSocket, code: number): void {
    this.notifier.forget(ws, this.sockets.fanOf(ws));
    this.sockets.closed(ws, code);
  }

  error(ws: WebSocket): void {
    this.notifier.forget(ws, this.sockets.fanOf(ws));
  }

  /** A step changed these fans: tell them, and every socket the counts soon. */
  changed(changed: Map<string, FanState | undefined>): void {
    try {
      if (changed.size === 0) return;
      this.notifier.changed(changed);
      this.availability.changed();
    } catch (err) {
      // Notification is never the only path: the state is in storage and GET answers it.
      console.error("notify failed", { show: this.showId, error: String(err) });
    }
  }
}
