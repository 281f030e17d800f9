/**
 * Writing a show's seats into D1, one bounded chunk at a time (src/prepare/plan.ts gives the
 * order). Each chunk and the progress it makes commit in one D1 transaction, so the progress in
 * `shows.seats_created` is always exactly the seats that exist; a chunk that runs twice (after a
 * crash between the commit and the builder's next step) writes nothing twice, because ticket ids
 * are a function of the seat and the insert skips rows that exist.
 */
import { asc, eq } from "drizzle-orm";
import { SEATS_PER_CHUNK, seatClasses, seatRuns, ticketIdPrefix } from "../prepare/plan";
import { database } from "./database";
import { type ShowStatus, sectors, shows } from "./schema";

export interface Preparation {
  status: ShowStatus;
  seatsCreated: number;
  seatsTotal: number;
}

// D1 binds JavaScript numbers as REAL: the CAST keeps seat numbers (and the ids made of them) integers.
const INSERT_RUN = `WITH RECURSIVE seat(n) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT n + 1 FROM seat WHERE n < ?2)
INSERT OR IGNORE INTO tickets (id, show_id, number, sector, meia, price_cents, status)
SELECT ?3 || n, ?4, n, ?5, ?6, ?7, 'AVAILABLE' FROM seat`;

// Progress only moves forward, and the show goes on sale in the same transaction as its last seat.
const RECORD_PROGRESS = `UPDATE shows SET seats_created = ?1,
  status = CASE WHEN ?1 >= seats_total THEN 'ready' ELSE status END
WHERE id = ?2 AND status = 'preparing' AND seats_created < ?1`;

export async function preparation(d1: D1Database, showId: string): Promise<Preparation | undefined> {
  const [row] = await database(d1)
    .select({ status: shows.status, seatsCreated: shows.seatsCreated, seatsTotal: shows.seatsTotal })
    .from(shows)
    .where(eq(shows.id, showId));
  return row;
}

/**
 * Write the next chunk of a preparing show's seats (at most `maxSeats`) and answer the progress
 * after it. A show that is not preparing (ready, archived, or unknown) is left as it is.
 */
export async function writeNextChunk(
  d1: D1Database,
  showId: string,
  maxSeats = SEATS_PER_CHUNK,
): Promise<Preparation | undefined> {
  const db = database(d1);
  const [[show], sectorRows] = await db.batch([
    db
      .select({ status: shows.status, seatsCreated: shows.seatsCreated, seatsTotal: shows.seatsTotal })
      .from(shows)
      .where(eq(shows.id, showId)),
    db.select().from(sectors).where(eq(sectors.showId, showId)).orderBy(asc(sectors.position)),
  ]);
  if (show?.status !== "preparing") return show;
  const to = Math.min(show.seatsTotal, show.seatsCreated + maxSeats);
  const inserts = seatRuns(seatClasses(sectorRows), show.seatsCreated, to).map(({ cls, first, last }) =>
    d1
      .prepare(INSERT_RUN)
      .bind(first, last, ticketIdPrefix(showId, cls), showId, cls.sector, cls.meia ? 1 : 0, cls.priceCents),
  );
  await d1.batch([...inserts, d1.prepare(RECORD_PROGRESS).bind(to, showId)]);
  return { status: to >= show.seatsTotal ? "ready" : "preparing", seatsCreated: to, seatsTotal: show.seatsTotal };
}

/** Shows whose seats are still being written: the cron makes sure each has its builder running. */
export async function showsBeingPrepared(d1: D1Database): Promise<string[]> {
  const rows = await database(d1).select({ id: shows.id }).from(shows).where(eq(shows.status, "preparing"));
  return rows.map((r) => r.id);
}
