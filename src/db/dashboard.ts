/** What the organizers' console reads from D1 beside the catalogue: sales over time, money, attendees. */
import { and, asc, count, eq, gte, sql } from "drizzle-orm";
import type { Db } from "./database";
import { markRefunded, paymentView } from "./queries";
import { bands, payments, queueSamples, tickets } from "./schema";

/** A queue sample at most this often per show, however many consoles poll. */
export const QUEUE_SAMPLE_MS = 5_000;
/** The charts' window. */
export const SERIES_WINDOW_MS = 2 * 3600_000;

export async function listBands(db: Db) {
  return db
    .select({ id: bands.id, name: bands.name, genre: bands.genre, description: bands.description })
    .from(bands)
    .orderBy(asc(bands.name));
}

/** Tickets booked per minute since `since` (epoch minute → count), oldest first. */
export async function bookedPerMinute(db: Db, showId: string, since: number) {
  const minute = sql<number>`(${tickets.bookedAt} / 60000)`;
  const rows = await db
    .select({ minute, n: count() })
    .from(tickets)
    .where(and(eq(tickets.showId, showId), eq(tickets.status, "BOOKED"), gte(tickets.bookedAt, since)))
    .groupBy(minute)
    .orderBy(asc(minute));
  return rows.map((r) => ({ at: new Date(Number(r.minute) * 60_000).toISOString(), booked: r.n }));
}

/** Money for booked tickets (what the show has sold), and bookings in the last `recentMs`. */
export async function salesTotals(db: Db, showId: string, now: number, recentMs: number) {
  const [row] = await db
    .select({
      revenueCents: sql<number>`TOTAL(${tickets.priceCents})`,
      booked: count(),
      recent: sql<number>`TOTAL(${tickets.bookedAt} >= ${now - recentMs})`,
    })
    .from(tickets)
    .where(and(eq(tickets.showId, showId), eq(tickets.status, "BOOKED")));
  return { revenueCents: Number(row?.revenueCents ?? 0), booked: row?.booked ?? 0, recent: Number(row?.recent ?? 0) };
}

/** Remember the queue's length now, unless a sample was taken in the last few seconds. */
export async function sampleQueue(d1: D1Database, showId: string, now: number, waiting: number): Promise<void> {
  await d1
    .prepare(
      `INSERT INTO queue_samples (show_id, at, waiting)
       SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM queue_samples WHERE show_id = ?1 AND at > ?4)
       ON CONFLICT DO NOTHING`,
    )
    .bind(showId, now, waiting, now - QUEUE_SAMPLE_MS)
    .run();
}

export async function queueSeries(db: Db, showId: string, since: number) {
  const rows = await db
    .select({ at: queueSamples.at, waiting: queueSamples.waiting })
    .from(queueSamples)
    .where(and(eq(queueSamples.showId, showId), gte(queueSamples.at, since)))
    .orderBy(asc(queueSamples.at));
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), waiting: r.waiting }));
}

/**
 * The organizer paid a refund back by hand: `REFUND_DUE` becomes `REFUNDED`, once. Returns the
 * payment as it is now, or `undefined` when the show has no such payment.
 */
export async function markRefundedByHand(db: Db, showId: string, paymentId: string, now: number) {
  await markRefunded(db, { paymentId, showId, refundId: null, now });
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.id, paymentId), eq(payments.showId, showId)));
  return row && paymentView(row);
}
