/**
 * Live notifications for one show over hibernatable WebSockets. Sockets are tagged with the fan's
 * id, so every tab of a fan gets every message and nothing is kept in memory between events: after
 * the object hibernates, `getWebSockets(fanId)` finds them again.
 *
 * Cost model: a change of a fan's own state (admitted, expired, cancelled, booked, sold out) is sent
 * at once to that fan's sockets. Position updates for the fans still waiting are coalesced: at most
 * one pass per class per `POSITION_UPDATE_INTERVAL_MS`, and a fan gets a message only when its
 * position actually changed. A burst of k admissions therefore costs one O(waiting) pass, not k.
 * A pass reads the queue a slice at a time (a few queries per slice, none per fan) and lets the
 * object serve other calls between slices, so that a pass over thousands of waiting fans never
 * holds up the next fan's admission for more than one slice.
 */
import { CLOSE, POSITION_UPDATE_INTERVAL_MS, stateMessage } from "../messages";
import { classKey } from "./rules";
import type { FanState, TicketClass } from "./types";

/** Waiting fans per slice of a position pass: the longest the pass holds the object at a time. */
export const POSITION_SLICE = 32;
/**
 * The pause between slices. Sending is cheap in JavaScript but the runtime's work per message is
 * not; the pause lets it drain a slice's messages before the next, so that a call arriving during
 * a pass waits behind one slice, not behind the whole pass queued up in the runtime.
 */
export const POSITION_SLICE_PAUSE_MS = 2;

export interface SocketAttachment {
  fanId: string;
}

/** A waiting fan in queue order, with the state a position update carries. */
export interface WaitingFan {
  seq: number;
  fanId: string;
  state: FanState;
}

export interface NotifierSources {
  now(): number;
  /** The fan's full state, as the contract's State. */
  stateOf(fanId: string): FanState;
  /** The class of the fan's latest request (cheap: no position count). */
  classOf(fanId: string): TicketClass | null;
  /** Up to `limit` waiting fans of a class after queue entry `afterSeq`, with fresh positions. */
  waitingSlice(c: TicketClass, afterSeq: number, limit: number): WaitingFan[];
}

export class FanNotifier {
  /** The last position sent to each waiting fan (lost on hibernation, which only costs a resend). */
  private readonly sentPosition = new Map<string, number>();
  private readonly dirty = new Map<string, TicketClass>();
  private lastPass = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private passing = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sources: NotifierSources,
  ) {}

  /** Take a fan's socket into the hibernation API and greet it with the current state. */
  accept(ws: WebSocket, fanId: string, state: FanState): void {
    this.ctx.acceptWebSocket(ws, [fanId]);
    ws.serializeAttachment({ fanId } satisfies SocketAttachment);
    this.send([ws], state);
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
      this.send(sockets, state);
    }
    this.schedulePositions();
  }

  private schedulePositions(): void {
    if (this.dirty.size === 0 || this.timer !== undefined || this.passing) return;
    const wait = Math.max(0, this.lastPass + POSITION_UPDATE_INTERVAL_MS - this.sources.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendPositions().catch((err) => console.error("position pass failed", { error: String(err) }));
    }, wait);
  }

  /**
   * One pass per dirty class: each connected waiting fan whose position moved gets its state. Each
   * slice reads the queue afresh, so a fan admitted or gone meanwhile is never sent a stale WAITING.
   */
  async sendPositions(): Promise<void> {
    this.passing = true;
    this.lastPass = this.sources.now();
    try {
      const classes = [...this.dirty.values()];
      this.dirty.clear();
      for (const c of classes) {
        for (let afterSeq = 0; ; ) {
          const slice = this.sources.waitingSlice(c, afterSeq, POSITION_SLICE);
          for (const { fanId, state } of slice) {
            if (this.sentPosition.get(fanId) === state.position) continue;
            const sockets = this.ctx.getWebSockets(fanId);
            if (sockets.length === 0) continue;
            this.sentPosition.set(fanId, state.position ?? 0);
            this.send(sockets, state);
          }
          const last = slice.at(-1);
          if (!last || slice.length < POSITION_SLICE) break;
          afterSeq = last.seq;
          // Let calls waiting on the object (a release, an admission) run before the next slice.
          await new Promise((resolve) => setTimeout(resolve, POSITION_SLICE_PAUSE_MS));
        }
      }
    } finally {
      this.passing = false;
      this.schedulePositions();
    }
  }

  /** Send the current state to one socket (a client's `state` request). */
  resend(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as SocketAttachment | null;
    if (a) this.send([ws], this.sources.stateOf(a.fanId));
  }

  /** A socket closed: once a fan has no socket left, forget what was sent to it. */
  forget(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as SocketAttachment | null;
    if (a && this.ctx.getWebSockets(a.fanId).every((s) => s === ws)) this.sentPosition.delete(a.fanId);
  }

  /** One message for every socket of the fan (its tabs). */
  private send(sockets: WebSocket[], state: FanState): void {
    const message = JSON.stringify(stateMessage(state, this.sources.now()));
    for (const ws of sockets) {
      try {
        ws.send(message);
      } catch {
        // A socket that closed under us: drop it; the fan's other tabs and polling still work.
        try {
          ws.close(CLOSE.GOING_AWAY, "gone");
        } catch {}
      }
    }
  }
}
