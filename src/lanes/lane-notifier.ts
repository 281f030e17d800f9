/**
 * A lane's live notifications (#13), over its fans' sockets (src/do/fan-sockets.ts). A fan's own
 * change (admitted, expired, cancelled, booked, sold out) goes out at once. Positions go out in
 * passes, at most one per `POSITION_UPDATE_INTERVAL_MS`, on a budget: the fans within
 * `NEAR_POSITION` of the head of their class hear every change of their position; fans further
 * back hear it every `FAR_INTERVAL_MS`; and a pass sends at most `POSITION_BUDGET` messages (the
 * rest wait for the next pass). So a lane's position traffic is bounded by its fans near the head
 * plus its far fans over 20 s, whatever the rate of admissions. A position is never later than the
 * last one the fan was shown for the same place (the source keeps it): an estimate may only move
 * a fan forward.
 */

import type { Counters } from "../do/metrics";
import { POSITION_UPDATE_INTERVAL_MS, stateMessage } from "../messages";
import type { NotifierClock } from "../show/notifier";
import type { FanState, TicketClass } from "../show/types";
import type { OrderKey } from "./key";

/** Fans this close to the head of their class get every change of their position (at most once a second). */
export const NEAR_POSITION = 2_000;
/** Fans further back get theirs this often. */
export const FAR_INTERVAL_MS = 20_000;
/** Position messages a lane sends per pass at most. */
export const POSITION_BUDGET = 4_000;
/** Waiting fans read per slice of a pass; the pass pauses between slices so that calls get in. */
export const PASS_SLICE = 64;
const PASS_PAUSE_MS = 2;

export interface PassFan {
  fanId: string;
  key: OrderKey;
  /** The fan's state with its position as of now, already no later than the one last shown. */
  state: FanState;
  /** The position last shown (null: none yet). */
  shown: number | null;
  shownAt: number | null;
}

/** Where messages go: the fans' sockets (src/do/fan-sockets.ts `FanSockets`). */
export interface SocketSink {
  of(fanId: string): WebSocket[];
  send(sockets: WebSocket[], text: string): void;
}

export interface LanePositionSource {
  /** Classes with fans waiting in this lane. */
  classes(): TicketClass[];
  /** Up to `limit` waiting fans of the class after key `after`, in order, with their positions. */
  slice(c: TicketClass, after: OrderKey | undefined, limit: number): PassFan[];
  /** These fans were shown these positions now. */
  shown(fans: { fanId: string; position: number }[], at: number): void;
}

export class LaneNotifier {
  private scheduled = false;
  private passing = false;
  private again = false;
  private lastPass = 0;
  private lastFarRound = Number.NEGATIVE_INFINITY;
  /** A round over the far fans under way: where it stands in each class (it may take several passes). */
  private farRound: Map<string, OrderKey | undefined> | undefined;
  private budget = 0;

  constructor(
    private readonly sockets: SocketSink,
    private readonly source: LanePositionSource,
    private readonly clock: NotifierClock,
    private readonly metrics?: Counters,
  ) {}

  /** A fan's state to one of its sockets (the greeting, or the answer to a `state` message). */
  sendTo(ws: WebSocket, state: FanState): void {
    this.send([ws], state);
  }

  /** These fans' states changed: each is told now (with the state given, or `stateOf`'s). */
  changed(fans: Map<string, FanState | undefined>, stateOf: (fanId: string) => FanState): void {
    for (const [fanId, known] of fans) {
      const sockets = this.sockets.of(fanId);
      if (sockets.length === 0) continue;
      this.send(sockets, known ?? stateOf(fanId));
    }
  }

  /** Positions may have moved: a pass within the interval. */
  moved(): void {
    if (this.passing) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastPass + POSITION_UPDATE_INTERVAL_MS - this.clock.now());
    this.clock
      .sleep(wait)
      .then(() => {
        this.scheduled = false;
        return this.pass();
      })
      .catch((err) => console.error("lane position pass failed", { error: String(err) }));
  }

  /**
   * One pass: in each class, the near fans whose position moved, from the head; then, when their
   * turn came, the far ones, from where the last pass of their round stopped. Answers the messages sent.
   */
  async pass(): Promise<number> {
    this.passing = true;
    const now = this.clock.now();
    this.lastPass = now;
    if (!this.farRound && now - this.lastFarRound >= FAR_INTERVAL_MS) this.farRound = new Map();
    this.budget = POSITION_BUDGET;
    let sent = 0;
    let unfinished = false;
    try {
      for (const c of this.source.classes()) {
        const name = `${c.sector}\u0000${c.meia}`;
        const near = await this.walk(c, undefined, (position) => position <= NEAR_POSITION);
        sent += near.sent;
        unfinished ||= !near.complete && near.stoppedBy === "budget";
        const round = this.farRound;
        if (!round || (round.has(name) && round.get(name) === DONE)) continue;
        const from = [round.get(name), near.last]
          .filter((k): k is string => k !== undefined)
          .sort()
          .at(-1);
        const far = await this.walk(c, from, () => true);
        sent += far.sent;
        round.set(name, far.complete ? DONE : far.last);
        unfinished ||= !far.complete;
      }
      if (this.farRound && !unfinished) {
        this.farRound = undefined;
        this.lastFarRound = now;
      }
      this.metrics?.add("positionMessages", sent);
      this.metrics?.add("passes");
      return sent;
    } finally {
      this.passing = false;
      if (this.again || unfinished) {
        this.again = false;
        this.moved();
      }
    }
  }

  /** Send the moved positions of the class's fans after `after`, while `near` holds and the budget lasts. */
  private async walk(c: TicketClass, after: OrderKey | undefined, near: (position: number) => boolean) {
    let sent = 0;
    let last: OrderKey | undefined = after;
    for (;;) {
      const slice = this.source.slice(c, last, PASS_SLICE);
      const shown: { fanId: string; position: number }[] = [];
      let stoppedBy: "near" | "budget" | undefined;
      for (const f of slice) {
        const position = f.state.position ?? 0;
        if (!near(position)) {
          stoppedBy = "near";
          break;
        }
        if (this.budget <= 0) {
          stoppedBy = "budget";
          break;
        }
        last = f.key;
        if (position === f.shown) continue;
        const sockets = this.sockets.of(f.fanId);
        if (sockets.length === 0) continue;
        this.send(sockets, f.state);
        shown.push({ fanId: f.fanId, position });
        this.budget -= 1;
        sent += 1;
      }
      if (shown.length > 0) this.source.shown(shown, this.clock.now());
      if (stoppedBy) return { sent, last, complete: false, stoppedBy };
      if (slice.length < PASS_SLICE) return { sent, last, complete: true, stoppedBy };
      await this.clock.sleep(PASS_PAUSE_MS);
    }
  }

  private send(sockets: WebSocket[], state: FanState): void {
    this.sockets.send(sockets, JSON.stringify(stateMessage(state, this.clock.now())));
    this.metrics?.add("messages", sockets.length);
  }
}

/** A class whose far fans this round already covered. */
const DONE = "\uffff";
