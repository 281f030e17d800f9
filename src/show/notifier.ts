/**
 * Live notifications for one show over hibernatable WebSockets. Sockets are tagged with the fan's
 * id, so every tab of a fan gets every message and nothing is kept in memory between events: after
 * the object hibernates, `getWebSockets(fanId)` finds them again.
 *
 * Cost model: a change of a fan's own state (admitted, expired, cancelled, booked, sold out) is sent
 * at once to that fan's sockets. Position updates for the fans still waiting are coalesced: at most
 * one pass per class per `POSITION_UPDATE_INTERVAL_MS`, and a fan gets a message only when its
 * position actually changed. A burst of k admissions therefore costs one O(waiting) pass, not k.
 */
import { CLOSE, POSITION_UPDATE_INTERVAL_MS, stateMessage } from "../messages";
import { classKey } from "./rules";
import type { FanState, TicketClass } from "./types";

export interface SocketAttachment {
  fanId: string;
}

export interface NotifierSources {
  now(): number;
  /** The fan's full state, as the contract's State. */
  stateOf(fanId: string): FanState;
  /** The class of the fan's latest request (cheap: no position count). */
  classOf(fanId: string): TicketClass | null;
  /** Waiting fans of a class, in queue order, with the state each would be sent. */
  waitingStates(c: TicketClass): Iterable<{ fanId: string; state: FanState }>;
}

export class FanNotifier {
  /** The last position sent to each waiting fan (lost on hibernation, which only costs a resend). */
  private readonly sentPosition = new Map<string, number>();
  private readonly dirty = new Map<string, TicketClass>();
  private lastPass = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sources: NotifierSources,
  ) {}

  /** Take a fan's socket into the hibernation API and greet it with the current state. */
  accept(ws: WebSocket, fanId: string, state: FanState): void {
    this.ctx.acceptWebSocket(ws, [fanId]);
    ws.serializeAttachment({ fanId } satisfies SocketAttachment);
    this.send(ws, state);
  }

  /** These fans' states changed: tell them now, and refresh positions in their classes soon. */
  changed(fanIds: Iterable<string>): void {
    for (const fanId of fanIds) {
      const c = this.sources.classOf(fanId);
      if (c) this.dirty.set(classKey(c), c);
      const sockets = this.ctx.getWebSockets(fanId);
      if (sockets.length === 0) continue;
      const state = this.sources.stateOf(fanId);
      if (state.status === "WAITING" && state.position !== undefined) this.sentPosition.set(fanId, state.position);
      else this.sentPosition.delete(fanId);
      for (const ws of sockets) this.send(ws, state);
    }
    this.schedulePositions();
  }

  private schedulePositions(): void {
    if (this.dirty.size === 0 || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastPass + POSITION_UPDATE_INTERVAL_MS - this.sources.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendPositions();
    }, wait);
  }

  /** One pass per dirty class: each connected waiting fan whose position moved gets its state. */
  sendPositions(): void {
    this.lastPass = this.sources.now();
    const classes = [...this.dirty.values()];
    this.dirty.clear();
    const connected = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      if (a) connected.add(a.fanId);
    }
    if (connected.size === 0) return;
    for (const c of classes) {
      for (const { fanId, state } of this.sources.waitingStates(c)) {
        if (!connected.has(fanId) || this.sentPosition.get(fanId) === state.position) continue;
        this.sentPosition.set(fanId, state.position ?? 0);
        for (const ws of this.ctx.getWebSockets(fanId)) this.send(ws, state);
      }
    }
  }

  /** Send the current state to one socket (a client's `state` request). */
  resend(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as SocketAttachment | null;
    if (a) this.send(ws, this.sources.stateOf(a.fanId));
  }

  /** A socket closed: once a fan has no socket left, forget what was sent to it. */
  forget(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as SocketAttachment | null;
    if (a && this.ctx.getWebSockets(a.fanId).every((s) => s === ws)) this.sentPosition.delete(a.fanId);
  }

  private send(ws: WebSocket, state: FanState): void {
    try {
      ws.send(JSON.stringify(stateMessage(state, this.sources.now())));
    } catch {
      // A socket that closed under us: drop it; the fan's other tabs and polling still work.
      try {
        ws.close(CLOSE.GOING_AWAY, "gone");
      } catch {}
    }
  }
}
