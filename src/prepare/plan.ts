/**
 * A show's seats in one fixed order, as plain functions: sectors in the organizer's order, in each
 * the full-price class and then the meia class, seats numbered 1..n within their class (admission
 * takes the lowest AVAILABLE number). Seats are written in this order, so "how many exist" is one
 * number, and a chunk of seats is a range of it.
 */

/** The most seats one chunk writes: ~10 ms of D1 in `wrangler dev` (bench/README.md, "Creating a show"). */
export const SEATS_PER_CHUNK = 2_000;

export interface SectorSeats {
  position: number;
  name: string;
  capacity: number;
  priceCents: number;
  meiaPriceCents: number;
  meiaCount: number;
}

/** One ticket class's seats, and where they start in the show's order. */
export interface SeatClass {
  position: number;
  sector: string;
  meia: boolean;
  priceCents: number;
  count: number;
  /** Seats of the classes before this one. */
  offset: number;
}

/** Consecutive seat numbers of one class, `first..last` inclusive. */
export interface SeatRun {
  cls: SeatClass;
  first: number;
  last: number;
}

/** The show's classes in creation order; a class with no seat (meiaShare 0) is left out. */
export function seatClasses(sectors: SectorSeats[]): SeatClass[] {
  const classes: SeatClass[] = [];
  let offset = 0;
  for (const s of [...sectors].sort((a, b) => a.position - b.position)) {
    for (const [meia, count, priceCents] of [
      [false, s.capacity - s.meiaCount, s.priceCents],
      [true, s.meiaCount, s.meiaPriceCents],
    ] as const) {
      if (count <= 0) continue;
      classes.push({ position: s.position, sector: s.name, meia, priceCents, count, offset });
      offset += count;
    }
  }
  return classes;
}

export function seatCount(classes: SeatClass[]): number {
  return classes.reduce((n, c) => n + c.count, 0);
}

/** The seats `from` (inclusive) to `to` (exclusive) of the show's order, as runs within classes. */
export function seatRuns(classes: SeatClass[], from: number, to: number): SeatRun[] {
  const runs: SeatRun[] = [];
  for (const cls of classes) {
    const start = Math.max(from, cls.offset);
    const end = Math.min(to, cls.offset + cls.count);
    if (start < end) runs.push({ cls, first: start - cls.offset + 1, last: end - cls.offset });
  }
  return runs;
}

/** How many seats of this class exist once the first `seatsCreated` of the show's order do. */
export function createdInClass(cls: SeatClass, seatsCreated: number): number {
  return Math.min(cls.count, Math.max(0, seatsCreated - cls.offset));
}

/**
 * A seat's ticket id is a function of the show, its class and its number: writing a seat twice
 * (a chunk repeated after a crash) names the same row, which `INSERT OR IGNORE` then skips.
 */
export function ticketIdPrefix(showId: string, cls: Pick<SeatClass, "position" | "meia">): string {
  return `${showId}-${cls.position}${cls.meia ? "m" : "f"}-`;
}
