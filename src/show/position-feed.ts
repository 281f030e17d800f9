/**
 * What the notifier reads from the show object's records (src/show/notifier.ts `NotifierSources`):
 * a fan's state, a fan's class, and the waiting fans of a class a slice at a time, each with the
 * state a position update carries.
 */
import { classOf, fanState, ticketView } from "./fan-state";
import type { NotifierSources, WaitingFan } from "./notifier";
import type { ShowStore } from "./store";
import type { FanState, TicketClass, TicketView } from "./types";

export class PositionFeed implements NotifierSources {
  constructor(private readonly store: ShowStore) {}

  stateOf(fanId: string): FanState {
    const config = this.store.config();
    return config ? fanState(this.store, config, fanId) : { status: "NONE", booked: [] };
  }

  classOf(fanId: string): TicketClass | null {
    const fan = this.store.config() && this.store.fan(fanId);
    return fan ? classOf(fan) : null;
  }

  /** Three queries for the whole slice, whatever its length. */
  waitingSlice(c: TicketClass, afterSeq: number, limit: number): WaitingFan[] {
    const config = this.store.config();
    if (!config) return [];
    const entries = this.store.waitingAfter(c, afterSeq, limit);
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) return [];
    const booked = new Map<string, TicketView[]>();
    for (const b of this.store.bookedOfWaiting(c, afterSeq, last.seq)) {
      booked.set(b.fanId, [...(booked.get(b.fanId) ?? []), ticketView(config, b, "BOOKED")]);
    }
    const ahead = this.store.position(first) - 1;
    return entries.map((e, i) => ({
      seq: e.seq,
      fanId: e.fanId,
      state: {
        status: "WAITING",
        position: ahead + i + 1,
        sector: e.sector,
        meia: e.meia,
        booked: booked.get(e.fanId) ?? [],
      },
    }));
  }
}
