/**
 * The show's tickets in D1, the record of who holds and who booked what. Every write here is
 * conditional on the ticket's current status and holder, so a repeat (after a crash or a retried
 * alarm) or a bug elsewhere can never hand one ticket to two fans.
 */
import {
  and,
  asc,
  eq,
  exists,
  fillPlaceholders,
  gt,
  ne,
  notExists,
  type Placeholder,
  type Query,
  sql,
} from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { alias } from "drizzle-orm/sqlite-core";
import { payments, sectors, shows, tickets } from "../db/schema";
import { SHOW_NOT_ON_SALE } from "../errors";
import { seatClasses } from "../prepare/plan";
import type { HoldRecord, RemoteTicket } from "./rules";
import type { ClassConfig, ShowConfig, TicketClass } from "./types";

export type Db = ReturnType<typeof database>;

export function database(d1: D1Database) {
  return drizzle(d1);
}

/** Why the object must not serve a show: its seats are still being written, or never all were (#17). */
export interface NotReady {
  code: "SALES_NOT_OPEN";
  message: string;
}

/**
 * The show's rules and its classes with their ticket totals, once every seat exists; `NotReady`
 * while the show is being prepared (its totals are still growing, so nothing may be cached);
 * undefined when there is no such show.
 */
export async function loadShowConfig(db: Db, showId: string): Promise<ShowConfig | NotReady | undefined> {
  const [show] = await db.select().from(shows).where(eq(shows.id, showId));
  if (!show) return undefined;
  if (show.status === "preparing") return { code: "SALES_NOT_OPEN", message: SHOW_NOT_ON_SALE.preparing(show) };
  // Archived before its last seat was written: it never went on sale, and its totals never settled.
  if (show.seatsCreated < show.seatsTotal) return { code: "SALES_NOT_OPEN", message: SHOW_NOT_ON_SALE.archived };
  const sectorRows = await db.select().from(sectors).where(eq(sectors.showId, showId)).orderBy(asc(sectors.position));
  // A show is ready only once every seat of every class exists: the totals are the classes' sizes.
  const total = (sector: string, meia: boolean) =>
    seatClasses(sectorRows).find((c) => c.sector === sector && c.meia === meia)?.count ?? 0;
  const classes: ClassConfig[] = [];
  for (const s of sectorRows) {
    classes.push({ sector: s.name, meia: false, priceCents: s.priceCents, total: total(s.name, false) });
    classes.push({ sector: s.name, meia: true, priceCents: s.meiaPriceCents, total: total(s.name, true) });
  }
  return {
    id: show.id,
    status: show.status,
    salesOpenAt: show.salesOpenAt,
    holdSeconds: show.holdSeconds,
    maxTicketsPerUser: show.maxTicketsPerUser,
    classes,
  };
}

/**
 * Every ticket of the show that is not AVAILABLE: what reconcile compares the object against. Those
 * are the tickets with a holder, read through the (show_id, user_id) index (`user_id > ''`, see
 * `takenCounts` in src/db/queries.ts), so a restart costs the fans, not the seats.
 */
export async function loadTakenTickets(db: Db, showId: string): Promise<RemoteTicket[]> {
  const rows = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.showId, showId), gt(tickets.userId, ""), ne(tickets.status, "AVAILABLE")));
  return rows.map((t) => ({
    id: t.id,
    userId: t.userId,
    sector: t.sector,
    meia: t.meia,
    priceCents: t.priceCents,
    status: t.status as RemoteTicket["status"],
    holdExpiresAt: t.holdExpiresAt,
    bookedAt: t.bookedAt,
    paymentId: t.paymentId,
  }));
}

/**
 * Hold one specific ticket for each fan, in one D1 transaction. Each statement takes the lowest
 * AVAILABLE seat of the class and only if it is still AVAILABLE and the fan holds no other ticket of
 * the show, so D1 decides: a fan for whom no row comes back holds nothing new. Repeating a claim
 * whose answer was lost therefore never gives a fan a second ticket.
 */
export async function claimTickets(
  db: Db,
  showId: string,
  c: TicketClass,
  fanIds: string[],
  expiresAt: number,
): Promise<Map<string, HoldRecord>> {
  if (fanIds.length === 0) return new Map();
  const [held = new Map()] = await releaseAndClaim(db, [], [{ showId, c, fanIds, expiresAt }]);
  return held;
}

export interface Claim {
  showId: string;
  c: TicketClass;
  fanIds: string[];
  expiresAt: number;
}

/**
 * Give held tickets back (cancel or expiry), marking any approved payment for them that did not book
 * a ticket as REFUND_DUE, then hold tickets for the next fans (as `claimTickets`), all in one D1
 * transaction: a freed ticket reaches the next fan in one round trip. Only a ticket still
 * IN_PROGRESS for that very fan is released, so running this twice is harmless. Answers the holds
 * granted, one map per claim.
 */
export async function releaseAndClaim(
  db: Db,
  holds: Pick<HoldRecord, "ticketId" | "fanId">[],
  claims: Claim[],
): Promise<Map<string, HoldRecord>[]> {
  const q = releaseAndClaimQueries(db);
  const bind = (query: Query, values: Record<string, unknown>) =>
    db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values));
  const releases = holds.flatMap(({ ticketId, fanId }) => [
    bind(q.release, { ticketId, fanId }),
    bind(q.refund, { ticketId, fanId }),
  ]);
  // One conditional update per fan, each answered in the same order.
  const slots = claims.flatMap((claim) => claim.fanIds.map((fanId) => ({ claim, fanId })));
  const claimed = slots.map(({ claim: { showId, c, expiresAt }, fanId }) =>
    bind(q.claim, { showId, sector: c.sector, meia: c.meia ? 1 : 0, fanId, expiresAt }),
  );
  const held = claims.map(() => new Map<string, HoldRecord>());
  const statements = [...releases, ...claimed];
  if (statements.length === 0) return held;
  const results = await db.$client.batch<{ id: string; price_cents: number }>(statements);
  results.slice(releases.length).forEach((result, i) => {
    const row = result.results[0];
    const slot = slots[i];
    if (row && slot) {
      held[claims.indexOf(slot.claim)]!.set(slot.fanId, {
        ticketId: row.id,
        fanId: slot.fanId,
        sector: slot.claim.c.sector,
        meia: slot.claim.c.meia,
        priceCents: row.price_cents,
        expiresAt: slot.claim.expiresAt,
      });
    }
  });
  return held;
}

let built: { release: Query; refund: Query; claim: Query } | undefined;

/**
 * The statements from a freed ticket to the next fan's hold, built by drizzle once, with
 * placeholders, and bound per call: building a drizzle query costs ~60 µs of the object's CPU,
 * and a burst of releases built three per fan.
 */
function releaseAndClaimQueries(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  if (built) return built;
  const holding = alias(tickets, "holding");
  built = {
    release: db
      .update(tickets)
      .set({ status: "AVAILABLE", userId: null, holdExpiresAt: null })
      .where(and(eq(tickets.id, p("ticketId")), eq(tickets.userId, p("fanId")), eq(tickets.status, "IN_PROGRESS")))
      .toSQL(),
    refund: markUnusedPaymentsRefundDue(db, p("ticketId"), p("fanId")).toSQL(),
    // The lowest AVAILABLE seat of the class, only while it is still AVAILABLE and only for a fan
    // holding nothing else of the show (a repeated claim whose answer was lost): D1 decides.
    claim: db
      .update(tickets)
      .set({ status: "IN_PROGRESS", userId: sql`${p("fanId")}`, holdExpiresAt: sql`${p("expiresAt")}` })
      .where(
        and(
          eq(
            tickets.id,
            db
              .select({ id: tickets.id })
              .from(tickets)
              .where(
                and(
                  eq(tickets.showId, p("showId")),
                  eq(tickets.sector, p("sector")),
                  eq(tickets.meia, p("meia")),
                  eq(tickets.status, "AVAILABLE"),
                ),
              )
              .orderBy(asc(tickets.number))
              .limit(1),
          ),
          eq(tickets.status, "AVAILABLE"),
          notExists(
            db
              .select({ one: sql`1` })
              .from(holding)
              .where(
                and(eq(holding.showId, p("showId")), eq(holding.userId, p("fanId")), eq(holding.status, "IN_PROGRESS")),
              ),
          ),
        ),
      )
      .returning({ id: tickets.id, priceCents: tickets.priceCents })
      .toSQL(),
  };
  return built;
}

/**
 * Approved payments of this fan for this ticket that did not book it: the money must go back.
 * With `bookedWith`, only once the ticket is booked with that payment (the others are then surplus).
 */
function markUnusedPaymentsRefundDue(
  db: Db,
  ticketId: string | Placeholder,
  fanId: string | Placeholder,
  bookedWith?: string,
) {
  return db
    .update(payments)
    .set({ status: "REFUND_DUE" })
    .where(
      and(
        eq(payments.ticketId, ticketId),
        eq(payments.userId, fanId),
        eq(payments.status, "APPROVED"),
        bookedWith
          ? exists(
              db
                .select({ one: sql`1` })
                .from(tickets)
                .where(and(eq(tickets.id, ticketId), eq(tickets.paymentId, bookedWith))),
            )
          : undefined,
        notExists(db.select({ one: sql`1` }).from(tickets).where(eq(tickets.paymentId, payments.id))),
      ),
    );
}

export type PaymentCheck = "ok" | "not-approved" | "already-used";

/** Is this payment approved, this fan's, for this ticket and its amount, and not used before? */
export async function checkPayment(
  db: Db,
  p: { paymentId: string; fanId: string; ticketId: string; priceCents: number },
): Promise<PaymentCheck> {
  const [payment] = await db.select().from(payments).where(eq(payments.id, p.paymentId));
  if (
    payment?.status !== "APPROVED" ||
    payment.userId !== p.fanId ||
    payment.ticketId !== p.ticketId ||
    payment.amountCents !== p.priceCents
  ) {
    return "not-approved";
  }
  const [used] = await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.paymentId, p.paymentId));
  return used ? "already-used" : "ok";
}

/**
 * Mark a held ticket BOOKED with an approved payment, only while this fan still holds it and the
 * payment is still approved; other approved payments for the same hold become REFUND_DUE.
 * Answers whether the ticket was booked.
 */
export async function bookTicket(
  db: Db,
  b: { ticketId: string; fanId: string; paymentId: string; bookedAt: number },
): Promise<boolean> {
  const approved = db
    .select({ one: sql`1` })
    .from(payments)
    .where(
      and(
        eq(payments.id, b.paymentId),
        eq(payments.status, "APPROVED"),
        eq(payments.userId, b.fanId),
        eq(payments.ticketId, b.ticketId),
        eq(payments.amountCents, tickets.priceCents),
      ),
    );
  const [booked] = await db.batch([
    db
      .update(tickets)
      .set({ status: "BOOKED", bookedAt: b.bookedAt, paymentId: b.paymentId, holdExpiresAt: null })
      .where(
        and(
          eq(tickets.id, b.ticketId),
          eq(tickets.userId, b.fanId),
          eq(tickets.status, "IN_PROGRESS"),
          exists(approved),
        ),
      )
      .returning({ id: tickets.id }),
    markUnusedPaymentsRefundDue(db, b.ticketId, b.fanId, b.paymentId),
  ]);
  return booked.length === 1;
}

/** Shows with holds past their time in D1: the cron's safety net pokes their objects. */
export async function showsWithOverdueHolds(db: Db, now: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ showId: tickets.showId })
    .from(tickets)
    .where(and(eq(tickets.status, "IN_PROGRESS"), sql`${tickets.holdExpiresAt} <= ${now}`));
  return rows.map((r) => r.showId);
}
