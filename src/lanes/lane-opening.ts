/**
 * The fair opening (#14) in a lane: its share of the show's pre-queue, and its draw. The lane
 * keeps its pre-queued fans apart from its line until the coordinator reveals the seed (in the
 * view every lane gets, src/show/opening.ts); then each enters the line at its drawn key
 * (`drawKey`, src/lanes/key.ts), which sorts before every arrival key, and the lane reports its
 * classes at once: the coordinator merges the lanes' buffers by key, as always.
 */
import { drawnOrderKey, entrantKey } from "../show/draw";
import type { Prequeue } from "../show/draw-store";
import type { ShowConfig, TicketClass } from "../show/types";
import type { LaneFan, LaneStore } from "./lane-store";

export class LaneOpening {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: LaneStore,
    readonly prequeue: Prequeue,
  ) {}

  /** A fan joins the pre-queue (call inside a storage transaction). */
  join(fan: LaneFan, c: TicketClass, now: number): void {
    this.prequeue.join(fan.fanId, c, now);
    this.store.putFan({ ...fan, status: "PRE_QUEUE", sector: c.sector, meia: c.meia, owner: "lane", ticket: null });
  }

  /** A fan leaves it before the draw (call inside a storage transaction). */
  leave(fan: LaneFan): void {
    this.prequeue.leave(fan.fanId);
    this.store.putFan({ ...fan, status: "CANCELLED", owner: "lane" });
  }

  /** When the lane must ask the coordinator for the draw: at the opening, while it holds pre-queued fans. */
  dueAt(config: ShowConfig): number | undefined {
    return this.prequeue.waiting().length > 0 ? config.salesOpenAt : undefined;
  }

  /** The revealed seed, when the lane still has its own draw to make. */
  pendingSeed(): string | undefined {
    const seed = this.store.view()?.seed;
    return seed !== undefined && !this.prequeue.isDrawn() ? seed : undefined;
  }

  /**
   * The lane's draw with the revealed seed: every pre-queued fan enters the line at its drawn key,
   * in one transaction, and each class is owed to the coordinator now. Answers the fans placed
   * (undefined when this lane drew already).
   */
  async draw(seed: string, now: number): Promise<string[] | undefined> {
    if (this.prequeue.isDrawn()) return undefined;
    const entrants = this.prequeue.waiting();
    const keyed = await Promise.all(
      entrants.map(async (e) => ({
        e,
        key: await entrantKey(seed, e.fanId),
        order: await drawnOrderKey(seed, e.fanId),
      })),
    );
    this.storage.transactionSync(() => {
      for (const { e, order } of keyed) {
        const fan = this.store.fan(e.fanId);
        if (fan?.status !== "PRE_QUEUE") continue;
        const seq = this.store.enqueue(e.fanId, e, order, e.joinedAt, now);
        this.store.putFan({ ...fan, status: "WAITING", entry: seq, shownPosition: null, shownAt: null });
        this.store.owe(e, 2);
      }
      this.prequeue.record(
        keyed.map(({ e, key }) => ({ fanId: e.fanId, key })),
        now,
      );
    });
    return entrants.map((e) => e.fanId);
  }
}
