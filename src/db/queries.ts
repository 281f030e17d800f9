/** Catalogue, organizer and payment queries on D1 (the per-show ticket rules live in src/show/). */
import { and, asc, count, desc, eq, exists, gt, inArray, lte, ne, notExists, sql } from "drizzle-orm";
import { createdInClass, seatClasses } from "../prepare/plan";
import type { SectorInput, ShowBody } from "../schemas";
import type { ClassAvailability } from "../show/types";
import { CATALOGUE_PAGE_SIZE, type Cursor, encodeCursor, type Segment } from "./cursor";
import { type Db, database } from "./database";
import { inIds, insertGroups } from "./limits";
import {
  type BandRow,
  bands,
  type PaymentProviderName,
  type PaymentRow,
  payments,
  type SectorRow,
  type ShowRow,
  sectors,
  shows,
  tickets,
  users,
  webhookDeliveries,
} from "./schema";
import type { BandView, CataloguePage, ShowView } from "./views";

export type { BandView, CataloguePage, ShowView };

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
export async function createShow(
  d1: D1Database,
  input: ShowBody,
  now: number,
  /** A show with a pre-queue (#14) is named before it is written: its object commits to the draw first. */
  draw?: { showId: string; commitment: string },
): Promise<string> {
  const db = database(d1);
  const showId = draw?.showId ?? newId("show");
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
      lanes: input.lanes,
      prequeueOpensAt: input.prequeueOpensAt ?? null,
      drawCommitment: draw?.commitment ?? null,
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
  if (showIds.length === 0) return [];
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

/** A show's row with its sectors: what its availability is counted from. */
export interface ShowWithSectors {
  show: ShowRow;
  sectors: SectorRow[];
}

/**
 * Who counts the free and held tickets of each class of these shows, by show id: D1 (`d1Availability`,
 * for the organizers' and the payments' reads) or the show objects (src/edge/live-availability.ts,
 * for the catalogue and the fans' pages, where a rush must never reach D1).
 */
export type AvailabilitySource = (db: Db, shows: ShowWithSectors[]) => Promise<Map<string, ClassAvailability[]>>;

/**
 * Nothing of a show is sold before its sales open, nor while its seats are being written (every
 * fan call is refused then): its availability is its seats, known without counting anything.
 */
export function nothingSoldYet(show: ShowRow, now: number): boolean {
  return show.status === "preparing" || (show.status === "ready" && show.salesOpenAt > now);
}

/** From D1's tickets: one query for every show that may have sold something, none for the others. */
export const d1Availability: AvailabilitySource = async (db, list) => {
  const now = Date.now();
  const taken = await takenCounts(
    db,
    list.filter(({ show }) => !nothingSoldYet(show, now)).map(({ show }) => show.id),
  );
  return new Map(
    list.map(({ show, sectors: showSectors }) => {
      const of = classCounts(show, showSectors, taken);
      const classes = seatClasses(showSectors).map((c) => ({
        sector: c.sector,
        meia: c.meia,
        ...of(c.sector, c.meia),
      }));
      return [
        show.id,
        classes.map(({ sector, meia, available, inProgress }) => ({ sector, meia, available, inProgress })),
      ];
    }),
  );
};

function showView(show: ShowRow, band: BandRow, showSectors: SectorRow[], classes: ClassAvailability[]): ShowView {
  const of = (sector: string, meia: boolean) =>
    classes.find((c) => c.sector === sector && c.meia === meia) ?? { available: 0, inProgress: 0 };
  return {
    id: show.id,
    band: bandView(band),
    festival: show.festival,
    address: show.address,
    startsAt: new Date(show.startsAt).toISOString(),
    salesOpenAt: new Date(show.salesOpenAt).toISOString(),
    prequeueOpensAt: show.prequeueOpensAt === null ? null : new Date(show.prequeueOpensAt).toISOString(),
    drawCommitment: show.drawCommitment,
    holdSeconds: show.holdSeconds,
    maxTicketsPerUser: show.maxTicketsPerUser,
    lanes: show.lanes,
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

/** These shows (a page, or one) with their sectors and availability, in the order given. */
async function showViews(
  db: Db,
  rows: { show: ShowRow; band: BandRow }[],
  availability: AvailabilitySource,
): Promise<ShowView[]> {
  const ids = rows.map((r) => r.show.id);
  if (ids.length === 0) return [];
  const sectorRows = await db.select().from(sectors).where(inIds(sectors.showId, ids)).orderBy(asc(sectors.position));
  const withSectors = rows.map(({ show }) => ({ show, sectors: sectorRows.filter((s) => s.showId === show.id) }));
  const counted = await availability(db, withSectors);
  return rows.map(({ show, band }, i) =>
    showView(show, band, withSectors[i]?.sectors ?? [], counted.get(show.id) ?? []),
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

/**
 * A page of the catalogue: upcoming shows, soonest first, then (with `past`) shows whose time has
 * come, most recent first; archived shows never. Keyset paging on (startsAt, id): a page costs the
 * same whatever the page number and however many shows there are.
 */
export async function listShows(
  db: Db,
  opts: { now: number; cursor?: Cursor; past?: boolean; pageSize?: number },
  availability: AvailabilitySource = d1Availability,
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
  return { shows: await showViews(db, rows, availability), nextCursor: next ? encodeCursor(next) : null };
}

/** Where a page ended; undefined when it ended before its first show (the next one starts the segment). */
function lastOf(rows: { show: ShowRow }[]): Cursor["after"] {
  const last = rows.at(-1);
  return last && { startsAt: last.show.startsAt, id: last.show.id };
}

/** One show, whatever its status (an archived show's page still shows a fan their tickets). */
export async function getShow(
  db: Db,
  showId: string,
  availability: AvailabilitySource = d1Availability,
): Promise<ShowView | undefined> {
  const rows = await db
    .select({ show: shows, band: bands })
    .from(shows)
    .innerJoin(bands, eq(shows.bandId, bands.id))
    .where(eq(shows.id, showId));
  return (await showViews(db, rows, availability))[0];
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

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function paymentView(p: PaymentRow) {
  return {
    id: p.id,
    showId: p.showId,
    ticketId: p.ticketId,
    amountCents: p.amountCents,
    status: p.status,
    provider: p.provider,
    /** Where the fan pays, while the payment is PENDING. */
    checkoutUrl: p.status === "PENDING" ? p.checkoutUrl : null,
    createdAt: iso(p.createdAt),
    approvedAt: iso(p.approvedAt),
    /** Set when the provider reported the payment in flight and the hold was extended until then. */
    graceUntil: iso(p.graceUntil),
    refundedAt: iso(p.refundedAt),
  };
}

export async function createPayment(
  db: Db,
  p: { showId: string; ticketId: string; userId: string; amountCents: number; provider: PaymentProviderName },
) {
  const [payment] = await db
    .insert(payments)
    .values({ id: newId("pay"), ...p })
    .returning();
  if (!payment) throw new Error("createPayment: no row returned");
  return payment;
}

export async function paymentById(db: Db, paymentId: string): Promise<PaymentRow | undefined> {
  const [payment] = await db.select().from(payments).where(eq(payments.id, paymentId));
  return payment;
}

/** Where the provider's checkout for this payment is. */
export async function setCheckout(db: Db, paymentId: string, checkout: { externalId: string | null; url: string }) {
  await db
    .update(payments)
    .set({ externalId: checkout.externalId, checkoutUrl: checkout.url })
    .where(eq(payments.id, paymentId));
}

/** The checkout closed (or never opened) without money: no payment can come through it. */
export async function markExpired(db: Db, paymentId: string) {
  await db
    .update(payments)
    .set({ status: "EXPIRED" })
    .where(and(eq(payments.id, paymentId), eq(payments.status, "PENDING")));
}

/** Money that did not match the hold (amount or currency): it buys nothing and is owed back. */
export async function refuseMismatch(db: Db, paymentId: string, now: number) {
  await db
    .update(payments)
    .set({ status: "REFUND_DUE", approvedAt: now })
    .where(and(eq(payments.id, paymentId), inArray(payments.status, ["PENDING", "EXPIRED"])));
}

/**
 * The money went back: by the provider (with its refund id) or by the organizer's own hand (marked
 * in the console, no refund id). Only money owed back (never a booking's) becomes REFUNDED, once.
 */
export async function markRefunded(
  db: Db,
  r: { paymentId: string; refundId: string | null; now: number; showId?: string },
) {
  await db
    .update(payments)
    .set({ status: "REFUNDED", refundId: r.refundId, refundedAt: r.now })
    .where(
      and(
        eq(payments.id, r.paymentId),
        r.showId === undefined ? undefined : eq(payments.showId, r.showId),
        eq(payments.status, "REFUND_DUE"),
      ),
    );
}

/** The payment's fan still holds its ticket at `now` (a subquery over the outer `payments` row). */
function holdStillLive(db: Db, now: number) {
  return db
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
}

/** PENDING payments whose hold is over (ended, or never this fan's any more): their checkouts must close. */
export async function checkoutsOfEndedHolds(db: Db, now: number, limit: number): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.status, "PENDING"), notExists(holdStillLive(db, now))))
    .orderBy(asc(payments.createdAt))
    .limit(limit);
}

/** Money still owed back through providers that refund by API (a refund that failed is tried again). */
export async function refundsToMake(db: Db, providers: PaymentProviderName[], limit: number): Promise<PaymentRow[]> {
  if (providers.length === 0) return [];
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.status, "REFUND_DUE"), inIds(payments.provider, providers)))
    .orderBy(asc(payments.createdAt))
    .limit(limit);
}

/**
 * Record a verified webhook delivery; false when this very delivery (same event, same signature
 * timestamp) was received before: a replay.
 */
export async function recordDelivery(
  db: Db,
  d: { provider: PaymentProviderName; eventId: string; signedAt: number; eventType: string; receivedAt: number },
): Promise<boolean> {
  const inserted = await db
    .insert(webhookDeliveries)
    .values({ ...d })
    .onConflictDoNothing()
    .returning({ eventId: webhookDeliveries.eventId });
  return inserted.length === 1;
}

export async function userEmail(db: Db, userId: string): Promise<string | undefined> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return user?.email;
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
 * APPROVED while this fan still holds the ticket, REFUND_DUE when the hold has already ended
 * (also for a checkout closed as EXPIRED whose money arrived all the same).
 */
export async function approvePayment(db: Db, paymentId: string, userId: string, now: number) {
  const stillHeld = holdStillLive(db, now);
  await db
    .update(payments)
    .set({
      status: sql`CASE WHEN ${exists(stillHeld)} THEN 'APPROVED' ELSE 'REFUND_DUE' END`,
      approvedAt: now,
    })
    .where(
      and(eq(payments.id, paymentId), eq(payments.userId, userId), inArray(payments.status, ["PENDING", "EXPIRED"])),
    );
  return findPayment(db, paymentId, userId);
}

/**
 * Money that bought no ticket: REFUND_DUE (the organizer owes it back; a provider that refunds by
 * API is still being asked) and REFUNDED (given back, with the provider's refund id).
 */
export async function refundsDue(db: Db, showId: string) {
  const rows = await db
    .select({ payment: payments, user: { id: users.id, name: users.name, email: users.email } })
    .from(payments)
    .innerJoin(users, eq(payments.userId, users.id))
    .where(and(eq(payments.showId, showId), inArray(payments.status, ["REFUND_DUE", "REFUNDED"])))
    .orderBy(asc(payments.approvedAt));
  return rows.map((r) => ({ ...paymentView(r.payment), refundId: r.payment.refundId, user: r.user }));
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

/** Every ticket a fan has booked, across shows, soonest show first, with what the ticket shows of it. */
export async function bookedTicketsOf(db: Db, userId: string) {
  const rows = await db
    .select({ ticket: tickets, show: shows, band: bands })
    .from(tickets)
    .innerJoin(shows, eq(tickets.showId, shows.id))
    .innerJoin(bands, eq(shows.bandId, bands.id))
    .where(and(eq(tickets.userId, userId), eq(tickets.status, "BOOKED")))
    .orderBy(asc(shows.startsAt), asc(shows.id), asc(tickets.bookedAt), asc(tickets.id));
  return rows.map(({ ticket: t, show, band }) => ({
    id: t.id,
    sector: t.sector,
    meia: t.meia,
    priceCents: t.priceCents,
    show: {
      id: show.id,
      band: band.name,
      genre: band.genre,
      festival: show.festival,
      address: show.address,
      startsAt: new Date(show.startsAt).toISOString(),
    },
  }));
}

export type BookedTicketOf = Awaited<ReturnType<typeof bookedTicketsOf>>[number];
