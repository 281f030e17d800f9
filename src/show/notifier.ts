/**
 * Live notifications for one show over the fans' sockets (src/do/fan-sockets.ts). Nothing is kept
 * in memory that matters between events: after the object hibernates, the sockets are found again
 * by their fan's tag, and the last positions sent are only an optimisation.
 *
 * Cost model: a change of a fan's own state (admitted, expired, cancelled, booked, sold out) is sent
 * at once to that fan's sockets. Position updates for the fans still waiting are coalesced: at most
 * one pass per class per `POSITION_UPDATE_INTERVAL_MS`, and a fan gets a message only when its
 * position actually changed. A burst of k admissions therefore costs one O(waiting) pass, not k.
 * A pass reads the queue a slice at a time (a few queries per slice, none per fan) and pauses
 * between slices so that the object serves other calls meanwhile: a pass over thousands of waiting
 * fans never holds up the next fan's admission for more than one slice.
 */
import type { FanSockets } from "../do/fan-sockets";
import { POSITION_UPDATE_INTERVAL_MS, stateMessage } from "../messages";
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

/** A waiting fan in queue order, with the state a position update carries. */
export interface WaitingFan {
  seq: number;
  fanId: string;
  state: FanState;
}

export interface NotifierSources {
  /** The fan's full state, as the contract's State. */
  stateOf(fanId: string): FanState;
  /** The class of the fan's latest request (cheap: no position count). */
  classOf(fanId: string): TicketClass | null;
  /** Up to `limit` waiting fans of a class after queue entry `afterSeq`, with fresh positions. */
  waitingSlice(c: TicketClass, afterSeq: number, limit: number): WaitingFan[];
}

/** The notifier's time: the object's clock, and its pauses (the wait before a pass, the pause between slices). */
export interface NotifierClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class FanNotifier {
  /** The last position sent to each waiting fan (lost on hibernation, which only costs a resend). */
  private readonly sentPosition = new Map<string, number>();
  private readonly dirty = new Map<string, TicketClass>();
  private lastPass = 0;
  private scheduled = false;
  private passing = false;

  constructor(
    private readonly sockets: FanSockets,
    private readonly sources: NotifierSources,
    private readonly clock: NotifierClock,
  ) {}

  /** Send a fan's state to one of its sockets (a greeting, or the answer to a `state` message). */
  sendTo(ws: WebSocket, state: FanState): void {
    this.send([ws], state);
  }

  /**
   * These fans' states changed: tell them now, and refresh positions in their classes soon. A fan
   * given with its state gets that state (the call that changed it has just computed it).
   */
  changed(fans: Map<string, FanState | undefined>): void {
    for (const [fanId, known] of fans) {
      const c = known ? classOfState(known) : this.sources.classOf(fanId);
      if (c) this.dirty.set(classKey(c), c);
      const sockets = this.sockets.of(fanId);
      if (sockets.length === 0) continue;
      const state = known ?? this.sources.stateOf(fanId);
      if (state.status === "WAITING" && state.position !== undefined) this.sentPosition.set(fanId, state.position);
      else this.sentPosition.delete(fanId);
      this.send(sockets, state);
    }
    this.schedule();
  }

  /**
   * One position pass over these classes: each connected waiting fan whose position moved gets its
   * state. Each slice reads the queue afresh, so a fan admitted or gone meanwhile is never sent a
   * stale WAITING.
   */
  async sendPositions(classes: TicketClass[]): Promise<void> {
    for (const c of classes) {
      for (let afterSeq = 0; ; ) {
        const slice = this.sources.waitingSlice(c, afterSeq, POSITION_SLICE);
        for (const { fanId, state } of slice) {
          if (this.sentPosition.get(fanId) === state.position) continue;
          const sockets = this.sockets.of(fanId);
          if (sockets.length === 0) continue;
          this.sentPosition.set(fanId, state.position ?? 0);
          this.send(sockets, state);
        }
        const last = slice.at(-1);
        if (!last || slice.length < POSITION_SLICE) break;
        afterSeq = last.seq;
        // Let calls waiting on the object (a release, an admission) run before the next slice.
        await this.clock.sleep(POSITION_SLICE_PAUSE_MS);
      }
    }
  }

  /** A socket closed: once a fan has no socket left, forget what was sent to it. */
  forget(ws: WebSocket, fanId: string | undefined): void {
    if (fanId !== undefined && this.sockets.of(fanId).every((s) => s === ws)) this.sentPosition.delete(fanId);
  }

  private schedule(): void {
    if (this.dirty.size === 0 || this.scheduled || this.passing) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastPass + POSITION_UPDATE_INTERVAL_MS - this.clock.now());
    this.clock
      .sleep(wait)
      .then(() => {
        this.scheduled = false;
        return this.pass();
      })
      .catch((err) => console.error("position pass failed", { error: String(err) }));
  }

  private async pass(): Promise<void> {
    this.passing = true;
    this.lastPass = this.clock.now();
    try {
      const classes = [...this.dirty.values()];
      this.dirty.clear();
      await this.sendPositions(classes);
    } finally {
      this.passing = false;
      this.schedule();
    }
  }

  /** One message for every socket of the fan (its tabs). */
  private send(sockets: WebSocket[], state: FanState): void {
    this.sockets.send(sockets, JSON.stringify(stateMessage(state, this.clock.now())));
  }
}

function classOfState(s: FanState): TicketClass | null {
  return s.sector === undefined ? null : { sector: s.sector, meia: s.meia ?? false };
}
