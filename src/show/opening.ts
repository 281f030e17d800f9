/**
 * The fair opening (#14) in the show's object: its seed (`DrawSeed`), its own pre-queue with one
 * lane (`Prequeue`), and the draw itself, which the sale runs first in the first step at or after
 * `salesOpenAt` (the alarm's, on time, or any call's), so that no fan arriving after the opening can
 * be placed before the draw. With one lane the pre-queue enters the queue in key order; with lanes
 * the draw only reveals the seed, in the view every lane gets, and each lane draws its own fans
 * (src/lanes/lane-opening.ts): the coordinator merges their buffers by key as always.
 */

import type { LaneView } from "../lanes/protocol";
import type { DrawnClass } from "./draw";
import { commitmentOf, drawOrder, newSeed } from "./draw";
import { DrawSeed, Prequeue, type PrequeueEntry } from "./draw-store";
import type { ShowStore } from "./store";
import type { ShowConfig, TicketClass } from "./types";

/** The draw as revealed: the seed, when, and (one lane) the entrants; with lanes, the lanes list theirs. */
export interface DrawResult {
  seed: string;
  drawnAt: number;
  entrants: DrawnClass[];
}

/**
 * With lanes, how long after the reveal the coordinator waits for every lane's draw before it
 * admits anyway: a lane that cannot be reached must not hold the whole sale back. Until then
 * nobody is admitted, so the first tickets go to the first keys across every lane.
 */
export const LANE_DRAW_WAIT_MS = 5_000;

export class Opening {
  /** The last step drew: the lanes must hear of it now, not at their next view. */
  private fresh = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: ShowStore,
    readonly seed: DrawSeed,
    readonly prequeue: Prequeue,
  ) {}

  /** The show object's opening, over its own storage. */
  static of(storage: DurableObjectStorage, store: ShowStore): Opening {
    return new Opening(storage, store, new DrawSeed(storage), new Prequeue(storage));
  }

  /** At the show's creation: the secret seed, drawn once, and its commitment (what is published). */
  commit(): Promise<string> {
    return commitmentOf(this.seed.commit(newSeed));
  }

  /** When the draw must happen (undefined: done, or the show has none). */
  dueAt(config: ShowConfig): number | undefined {
    if (config.prequeueOpensAt === null || !this.seed.has() || this.seed.revealed()) return undefined;
    return config.salesOpenAt;
  }

  /**
   * Whether tickets may be given now: with lanes, not between the reveal and every lane's report
   * of its own draw (or `LANE_DRAW_WAIT_MS`), so that no lane's first fans go before another's.
   */
  admitsNow(config: ShowConfig, now: number): boolean {
    if (config.lanes <= 1) return true;
    const revealed = this.seed.revealed();
    if (!revealed) return true;
    return this.seed.lanesDrawn() >= config.lanes || now >= revealed.drawnAt + LANE_DRAW_WAIT_MS;
  }

  /** With lanes: the lanes that reported their draw (call inside a storage transaction). */
  lanesDrew(config: ShowConfig, lanes: number[]): void {
    if (lanes.length === 0) return;
    const before = this.seed.lanesDrawn();
    for (const lane of lanes) this.seed.laneDrew(lane);
    // The last of them: every lane must see the merged line now.
    if (before < config.lanes && this.seed.lanesDrawn() >= config.lanes) this.fresh = true;
  }

  /** What the lanes' view says of the draw: the seed once revealed, and `drawing` until every lane's draw is in. */
  forLanes(config: ShowConfig, now: number): Pick<LaneView, "seed" | "drawing"> {
    const revealed = this.seed.revealed();
    if (!revealed) return {};
    return this.admitsNow(config, now) ? { seed: revealed.seed } : { seed: revealed.seed, drawing: true };
  }

  /** Whether a step drew since the last ask. */
  takeFresh(): boolean {
    const fresh = this.fresh;
    this.fresh = false;
    return fresh;
  }

  result(): DrawResult | undefined {
    const revealed = this.seed.revealed();
    return revealed && { ...revealed, entrants: this.prequeue.entrants() };
  }

  /** A fan joins the pre-queue (call inside a storage transaction). */
  join(fanId: string, c: TicketClass, now: number): void {
    this.prequeue.join(fanId, c, now);
    this.store.setFan(fanId, "PRE_QUEUE", c, null);
  }

  /** A fan leaves it before the draw (call inside a storage transaction). */
  leave(fanId: string, c: TicketClass): void {
    this.prequeue.leave(fanId);
    this.store.setFan(fanId, "CANCELLED", c, null);
  }

  /**
   * The draw, if due at `now`: every entrant's key, the queue filled in key order class by class,
   * the seed revealed, in one transaction. Answers the fans placed (now WAITING), or undefined when
   * no draw was due.
   */
  async drawIfDue(config: ShowConfig, now: number): Promise<PrequeueEntry[] | undefined> {
    const due = this.dueAt(config);
    const seed = this.seed.secret();
    if (due === undefined || now < due || seed === undefined) return undefined;
    const entrants = this.prequeue.waiting();
    const ordered = await drawOrder(
      seed,
      entrants.map((e) => e.fanId),
    );
    const byId = new Map(entrants.map((e) => [e.fanId, e]));
    this.storage.transactionSync(() => {
      // The queue's order is its seq: inserting in key order is admitting in key order.
      for (const { fanId } of ordered) {
        const e = byId.get(fanId);
        if (!e) continue;
        this.store.enqueue(fanId, e, now);
        this.store.setFan(fanId, "WAITING", e, null);
      }
      this.prequeue.record(ordered, now);
      this.seed.reveal(now);
    });
    this.fresh = true;
    return entrants;
  }
}
