/** Catalogue, organizer and payment queries on D1 (the per-show ticket rules live in src/show/). */
import { and, asc, count, desc, eq, exists, gt, lte, ne, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { createdInClass, seatClasses } from "../prepare/plan";
import type { SectorInput, ShowBody } from "../schemas";
import { CATALOGUE_PAGE_SIZE, type Cursor, encodeCursor, type Segment } from "./cursor";
import { inIds, insertGroups } from "./limits";
import { type BandRow, bands, payments, type SectorRow, type ShowRow, sectors, shows, tickets, users } from "./schema";
import type { BandView, ShowView } from "./views";

export type { BandView, ShowView };

type Db = DrizzleD1Database;

export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

export function bandView(b: BandRow): BandView {
  return { id: b.id, name: b.name, genre: b.genre, description: b.description };
}

// --- users ----------------------------------------------------------------------------------------

/** The same email always yields the same user; the name is updated to the latest one given. */
export async function upsertUser(db: Db, name: string, email: string) {
  const [user] = await db
    .insert(users)
    .values({ id: newId("usr"), name, email })
    .onConflictDoUpdate({ target: users.email, set: { name } })
    .returning();
  if (!user) throw new Error("upsertUser: no row returned");
  return { id: user.id, name: user.name, email: user.email };
}

// --- bands and shows ------------------------------------------------------------------------------

export async function createBand(db: Db, input: { name: string; genre: string; description: string }) {
  const [band] = await db
    .insert(bands)
    .values({ id: newId("band"), ...input })
    .returning();
  if (!band) throw new Error("createBand: no row returned");
  return bandView(band);
}

export async function findBand(db: Db, bandId: string) {
  const [band] = await db.select().from(bands).where(eq(bands.id, bandId));
  return band;
}

/** The contract's meia rule: round(capacity × meiaShare) tickets at floor(price / 2). */
export function meiaSplit(s: SectorInput) {
  const meia = Math.round(s.capacity * s.meiaShare);
  return { meia, full: s.capacity - meia, meiaPriceCents: Math.floor(s.priceCents / 2) };
}

/**
 * Insert the show, `preparing`, with its sectors, in one D1 transaction; its seats are written
 * afterwards, chunk by chunk (`writeNextChunk` in src/db/seats.ts, run by src/prepare/).
 */
export async function createShow(d1: D1Database, input: ShowBody, now: number): Promise<string> {
  const db = drizzle(d1);
  const showId = newId("show");
  const sectorRows = input.sectors.map((s, position) => ({
    showId,
    name: s.name,
    position,
    capacity: s.capacity,
    priceCents: s.priceCents,
    meiaPriceCents: meiaSplit(s).meiaPriceCents,
    meiaCount: meiaSplit(s).meia,
  }));
  await db.batch([
    db.insert(shows).values({
      id: showId,
      bandId: input.bandId,
      festival: input.festival ?? null,
      address: input.address,
      startsAt: input.startsAt,
      salesOpenAt: input.salesOpenAt ?? now,
      holdSeconds: input.holdSeconds,
      maxTicketsPerUser: input.maxTicketsPerUser,
      status: "preparing",
      seatsTotal: input.sectors.reduce((n, s) => n + s.capacity, 0),
      seatsCreated: 0,
    }),
    // 50 sectors of 7 columns would bind 350 parameters in one statement.
    ...insertGroups(sectorRows, Object.keys(sectorRows[0] ?? {}).length).map((group) =>
      db.insert(sectors).values(group),
    ),
  ]);
  return showId;
}

/** The organizer takes the show off the catalogue; answers whether there is such a show. */
export async function archiveShow(db: Db, showId: string, now: number): Promise<boolean> {
  const rows = await db
    .update(shows)
    .set({ status: "archived", archivedAt: sql`coalesce(${shows.archivedAt}, ${now})` })
    .where(eq(shows.id, showId))
    .returning({ id: shows.id });
  return rows.length === 1;
}

type TakenCount = { showId: string; sector: string; meia: boolean; status: string; n: number };

/**
 * Held and booked tickets per class. Only those are counted: they are the rows with a holder, found
 * through the (show_id, user_id) index, so the cost follows the fans, not the seats (a
 * 1,000,000-seat show costs what a small one does). AVAILABLE follows from the class's size.
 * (`user_id > ''` rather than `IS NOT NULL`: a holder's id is never empty, and only the range makes
 * SQLite use that index instead of scanning every seat of the show through the class index.)
 */
async function takenCounts(db: Db, showIds: string[]): Promise<TakenCount[]> {
  return db
    .select({ showId: tickets.showId, sector: tickets.sector, meia: tickets.meia, status: tickets.status, n: count() })
    .from(tickets)
    .where(and(inIds(tickets.showId, showIds), gt(tickets.userId, "")))
    .groupBy(tickets.showId, tickets.sector, tickets.meia, tickets.status);
}

interface ClassCount {
  available: number;
  inProgress: number;
  booked: number;
}

/** Each class's counts, by sector name and meia; the seats of a preparing show count as they exist. */
function classCounts(show: ShowRow, showSectors: SectorRow[], taken: TakenCount[]) {
  const counts = new Map<string, ClassCount>();
  const key = (sector: string, meia: boolean) => `${sector}\u0000${meia}`;
  for (const cls of seatClasses(showSectors)) {
    const seats = show.status === "preparing" ? createdInClass(cls, show.seatsCreated) : cls.count;
    const n = (status: string) =>
      taken.find((t) => t.showId === show.id && t.sector === cls.sector && t.meia === cls.meia && t.status === status)
        ?.n ?? 0;
    const inProgress = n("IN_PROGRESS");
    const booked = n("BOOKED");
    counts.set(key(cls.sector, cls.meia), { available: seats - inProgress - booked, inProgress, booked });
  }
  return (sector: string, meia: boolean) => counts.get(key(sector, meia)) ?? { available: 0, inProgress: 0, booked: 0 };
}

function showView(show: ShowRow, band: BandRow, showSectors: SectorRow[], taken: TakenCount[]): ShowView {
  const of = classCounts(show, showSectors, taken);
  return {
    id: show.id,
    band: bandView(band),
    festival: show.festival,
    address: show.address,
    startsAt: new Date(show.startsAt).toISOString(),
    salesOpenAt: new Date(show.salesOpenAt).toISOString(),
    holdSeconds: show.holdSeconds,
    maxTicketsPerUser: show.maxTicketsPerUser,
    status: show.status,
    preparation: show.status === "preparing" ? { seatsCreated: show.seatsCreated, seatsTotal: show.seatsTotal } : null,
    sectors: showSectors.map((s) => ({
      name: s.name,
      priceCents: s.priceCents,
      meiaPriceCents: s.meiaPriceCents,
      capacity: s.capacity,
      available: { full: of(s.name, false).available, meia: of(s.name, true).available },
      inProgress: { full: of(s.name, false).inProgress, meia: of(s.name, true).inProgress },
    })),
  };
}

/** These shows (a page, or one) with their sectors and live availability, in the order given. */
async function showViews(db: Db, rows: { show: ShowRow; band: BandRow }[]): Promise<ShowView[]> {
  const ids = rows.map((r) => r.show.id);
  if (ids.length === 0) return [];
  const [sectorRows, taken] = await Promise.all([
    db.select().from(sectors).where(inIds(sectors.showId, ids)).orderBy(asc(sectors.position)),
    takenCounts(db, ids),
  ]);
  return rows.map(({ show, band }) =>
    showView(
      show,
      band,
      sectorRows.filter((s) => s.showId === show.id),
      taken,
    ),
  );
}

/** One page of the catalogue segment, from `after` on, in the segment's order. */
function segmentPage(db: Db, segment: Segment, now: number, limit: number, after?: Cursor["after"]) {
  const upcoming = segment === "upcoming";
  const position = after && sql`(${shows.startsAt}, ${shows.id})`;
  return db
    .select({ show: shows, band: bands })
    .from(shows)
    .innerJoin(bands, eq(shows.bandId, bands.id))
    .where(
      and(
        ne(shows.status, "archived"),
        upcoming ? gt(shows.startsAt, now) : lte(shows.startsAt, now),
        after &&
          (upcoming
            ? sql`${position} > (${after.startsAt}, ${after.id})`
            : sql`${position} < (${after.startsAt}, ${after.id})`),
      ),
    )
    .orderBy(...(upcoming ? [asc(shows.startsAt), asc(shows.id)] : [desc(shows.startsAt), desc(shows.id)]))
    .limit(limit);
}

export interface CataloguePage {
  shows: ShowView[];
  nextCursor: string | null;
}

/**
 * A page of the catalogue: upcoming shows, soonest first, then (with `past`) shows whose time has
 * come, most recent first; archived shows never. Keyset paging on (startsAt, id): a page costs the
 * same whatever the page number and however many shows there are.
 */
export async function listShows(
  db: Db,
  opts: { now: number; cursor?: Cursor; past?: boolean; pageSize?: number },
): Promise<CataloguePage> {
  const size = opts.pageSize ?? CATALOGUE_PAGE_SIZE;
  const cursor = opts.cursor ?? { segment: "upcoming" };
  // Past shows once asked for, on this page or on the one the cursor came from.
  const pastToo = opts.past === true || cursor.past === true || cursor.segment === "past";
  const rows: { show: ShowRow; band: BandRow }[] = [];
  let next: Cursor | undefined;
  if (cursor.segment === "upcoming") {
    const found = await segmentPage(db, "upcoming", opts.now, size + 1, cursor.after);
    rows.push(...found.slice(0, size));
    if (found.length > size) next = { segment: "upcoming", after: lastOf(rows), past: pastToo };
  }
  if (!next && pastToo) {
    const room = size - rows.length;
    const after = cursor.segment === "past" ? cursor.after : undefined;
    const found = await segmentPage(db, "past", opts.now, room + 1, after);
    const taken = found.slice(0, room);
    rows.push(...taken);
    if (found.length > room) next = { segment: "past", after: lastOf(taken), past: true };
  }
  return { shows: await showViews(db, rows), nextCursor: next ? encodeCursor(next) : null };
}

/** Where a page ended; undefined when it ended before its first show (the next one starts the segment). */
function lastOf(rows: { show: ShowRow }[]): Cursor["after"] {
  const last = rows.at(-1);
  return last && { startsAt: last.show.startsAt, id: last.show.id };
}

/** One show, whatever its status (an archived show's page still shows a fan their tickets). */
export async function getShow(db: Db, showId: string): Promise<ShowView | undefined> {
  const rows = await db
    .select({ show: shows, band: bands })
    .from(shows)
    .innerJoin(bands, eq(shows.bandId, bands.id))
    .where(eq(shows.id, showId));
  return (await showViews(db, rows))[0];
}

/** One row per class that has tickets, sectors in the show's order, full before meia. */
export async function classStats(db: Db, showId: string) {
  const [[show], sectorRows, taken] = await Promise.all([
    db.select().from(shows).where(eq(shows.id, showId)),
    db.select().from(sectors).where(eq(sectors.showId, showId)).orderBy(asc(sectors.position)),
    takenCounts(db, [showId]),
  ]);
  if (!show) return [];
  const of = classCounts(show, sectorRows, taken);
  return sectorRows.flatMap((s) =>
    [false, true]
      .map((meia) => ({ name: s.name, meia, ...of(s.name, meia) }))
      .filter((row) => row.available + row.inProgress + row.booked > 0),
  );
}

// --- payments -------------------------------------------------------------------------------------

export function paymentView(p: typeof payments.$inferSelect) {
  return {
    id: p.id,
    showId: p.showId,
    ticketId: p.ticketId,
    amountCents: p.amountCents,
    status: p.status,
    createdAt: new Date(p.createdAt).toISOString(),
    approvedAt: p.approvedAt === null ? null : new Date(p.approvedAt).toISOString(),
  };
}

export async function createPayment(
  db: Db,
  p: { showId: string; ticketId: string; userId: string; amountCents: number; provider: string },
) {
  const [payment] = await db
    .insert(payments)
    .values({ id: newId("pay"), ...p })
    .returning();
  if (!payment) throw new Error("createPayment: no row returned");
  return payment;
}

export async function findPayment(db: Db, paymentId: string, userId: string) {
  const [payment] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.id, paymentId), eq(payments.userId, userId)));
  return payment;
}

/**
 * The provider confirmed the money. One statement decides, atomically against the hold's release:
 * APPROVED while this fan still holds the ticket, REFUND_DUE when the hold has already ended.
 */
export async function approvePayment(db: Db, paymentId: string, userId: string, now: number) {
  const stillHeld = db
    .select({ one: sql`1` })
    .from(tickets)
    .where(
      and(
        eq(tickets.id, payments.ticketId),
        eq(tickets.userId, payments.userId),
        eq(tickets.status, "IN_PROGRESS"),
        sql`${tickets.holdExpiresAt} > ${now}`,
      ),
    );
  await db
    .update(payments)
    .set({
      status: sql`CASE WHEN ${exists(stillHeld)} THEN 'APPROVED' ELSE 'REFUND_DUE' END`,
      approvedAt: now,
    })
    .where(and(eq(payments.id, paymentId), eq(payments.userId, userId), eq(payments.status, "PENDING")));
  return findPayment(db, paymentId, userId);
}

/** Approved money whose hold ended without a booking: the organizer owes it back. */
export async function refundsDue(db: Db, showId: string) {
  const rows = await db
    .select({ payment: payments, user: { id: users.id, name: users.name, email: users.email } })
    .from(payments)
    .innerJoin(users, eq(payments.userId, users.id))
    .where(and(eq(payments.showId, showId), eq(payments.status, "REFUND_DUE")))
    .orderBy(asc(payments.approvedAt));
  return rows.map((r) => ({ ...paymentView(r.payment), user: r.user }));
}

// --- booked tickets (the fan's ticket page and the door) ------------------------------------------

/** A BOOKED ticket with its holder, or `undefined` for any other ticket. */
export async function bookedTicket(db: Db, ticketId: string) {
  const [row] = await db
    .select({ ticket: tickets, holder: { id: users.id, name: users.name, email: users.email } })
    .from(tickets)
    .innerJoin(users, eq(tickets.userId, users.id))
    .where(and(eq(tickets.id, ticketId), eq(tickets.status, "BOOKED")));
  if (!row) return undefined;
  const t = row.ticket;
  return {
    ticket: {
      id: t.id,
      showId: t.showId,
      sector: t.sector,
      meia: t.meia,
      priceCents: t.priceCents,
      status: t.status,
      bookedAt: t.bookedAt === null ? null : new Date(t.bookedAt).toISOString(),
    },
    holder: row.holder,
  };
}
