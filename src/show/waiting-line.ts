/**
 * Where the sale finds the fans to admit next. With one lane the object holds the queue itself
 * (`LocalLine`, the store's own queue); with K lanes it holds what the lanes reported, their
 * buffers (`LaneBuffers`, src/show/lane-buffers.ts). The sale admits from either the same way: the
 * first waiting fans of a class, one per free ticket, in order.
 */
import type { QueueEntry, ShowStore } from "./store";
import type { TicketClass } from "./types";

export interface WaitingLine {
  /** At most `limit` fans of the class that may be admitted now, in order. */
  heads(c: TicketClass, limit: number): QueueEntry[];
  /** This fan was admitted from its place (call inside the storage transaction that records the hold). */
  taken(entry: QueueEntry): void;
  /** The fan's place in the line, when the line knows it. */
  entryOf(fanId: string): QueueEntry | undefined;
  /** The class sold out: its waiting fans, for the sale to tell (none when they are told elsewhere). */
  closeClass(c: TicketClass): QueueEntry[];
  /** Whether fans of the class wait where this line cannot admit them yet (a lane's buffer ran dry). */
  blocked(c: TicketClass): boolean;
}

/** The object's own queue (one lane): the store's `queue` table, in arrival order. */
export class LocalLine implements WaitingLine {
  constructor(private readonly store: ShowStore) {}

  heads(c: TicketClass, limit: number): QueueEntry[] {
    return this.store.heads(c, limit);
  }

  /** `putHold` takes the fan out of the queue itself. */
  taken(): void {}

  entryOf(): undefined {
    return undefined;
  }

  closeClass(c: TicketClass): QueueEntry[] {
    return this.store.waitingIn(c);
  }

  blocked(): boolean {
    return false;
  }
}
