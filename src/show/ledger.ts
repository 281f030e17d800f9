/**
 * The show's tickets in D1, the record of who holds and who booked what: the show object's only way
 * to D1. Every write here is conditional on the ticket's current status and holder, so a repeat
 * (after a crash or a retried alarm) or a bug elsewhere can never hand one ticket to two fans. Any
 * D1 failure comes out as `RecordUnavailable`.
 */
import {
  and,
  asc,
  eq,
  exists,
  fillPlaceholders,
  gt,
  isNotNull,
  lte,
  ne,
  notExists,
  type Placeholder,
  type Query,
  sql,
} from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { payments, sectors, shows, tickets } from "../db/schema";
import { RecordUnavailable, SHOW_NOT_ON_SALE } from "../errors";
import { seatClasses } from "../prepare/plan";
import type { HoldRecord, RemoteTicket } from "./rules";
import type { ClassConfig, NotReady, ShowConfig, TicketClass } from "./types";

const notReady = (message: string): NotReady => ({ ok: false, code: "SALES_NOT_OPEN", message });

export type PaymentCheck = "ok" | "not-approved" | "already-used";

/** A claim of one class's lowest free tickets for these fans, in their order. */
export interface Claim {
  c: TicketClass;
  fanIds: string[];
  expiresAt: number;
}

/** One show's tickets in D1, for its object. `db` is asked at every call (the object's seam). */
export class ShowLedger {
  constructor(
    private readonly db: () => Db,
    readonly showId: string,
  ) {}

  /** The show's rules and its classes with their ticket totals (see `loadShowConfig`). */
  config(): Promise<ShowConfig | NotReady | undefined> {
    return this.call("loading the show", (db) => loadShowConfig(db, this.showId));
  }

  /** Every ticket of the show that is not AVAILABLE: what reconcile compares the object against. */
  takenTickets(): Promise<RemoteTicket[]> {
    return this.call("reading the taken tickets", (db) => loadTakenTickets(db, this.showId));
  }

  /** Hold tickets for these fans (see `releaseAndClaim`, without releases). */
  async claim(claim: Claim): Promise<Map<string, HoldRecord>> {
    if (claim.fanIds.length === 0) return new Map();
    const [held = new Map()] = await this.releaseAndClaim([], [claim]);
    return held;
  }

  /** Give held tickets back and hold tickets for the next fans, in one transaction (see below). */
  releaseAndClaim(
    holds: Pick<HoldRecord, "ticketId" | "fanId">[],
    claims: Claim[],
  ): Promise<Map<string, HoldRecord>[]> {
    return this.call("a release or claim", (db) => releaseAndClaim(db, this.showId, holds, claims));
  }

  checkPayment(p: { paymentId: string; fanId: string; ticketId: string; priceCents: number }): Promise<PaymentCheck> {
    return this.call("checking a payment", (db) => checkPayment(db, p));
  }

  book(b: { ticketId: string; fanId: string; paymentId: string; bookedAt: number }): Promise<boolean> {
    return this.call("a booking", (db) => bookTicket(db, b));
  }

  /** A payment in flight extends its live hold, once per hold (see `extendHoldForPayment`). */
  extendHold(g: { ticketId: string; fanId: string; paymentId: string; from: number; to: number }): Promise<boolean> {
    return this.call("a hold's grace", (db) => extendHoldForPayment(db, g));
  }

  private async call<T>(what: string, run: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await run(this.db());
    } catch (err) {
      throw new RecordUnavailable(what, err);
    }
  }
}

/**
 * The show's rules and its classes with their ticket totals, once every seat exists; `NotReady`
 * while the show is being prepared (its totals are still growing, so nothing may be cached);
 * undefined when there is no such show.
 */
async function loadShowConfig(db: Db, showId: string): Promise<ShowConfig | NotReady | undefined> {
  const [show] = await db.select().from(shows).where(eq(shows.id, showId));
  if (!show) return undefined;
  if (show.status === "preparing") return notReady(SHOW_NOT_ON_SALE.preparing(show));
  // Archived before its last seat was written: it never went on sale, and its totals never settled.
  if (show.seatsCreated < show.seatsTotal) return notReady(SHOW_NOT_ON_SALE.archived);
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
    prequeueOpensAt: show.prequeueOpensAt,
    holdSeconds: show.holdSeconds,
    maxTicketsPerUser: show.maxTicketsPerUser,
    lanes: show.lanes,
    classes,
  };
}

async function loadTakenTickets(db: Db, showId: string): Promise<RemoteTicket[]> {
  const rows = await db
    .select({
      id: tickets.id,
      userId: tickets.userId,
      sector: tickets.sector,
      meia: tickets.meia,
      priceCents: tickets.priceCents,
      status: tickets.status,
      holdExpiresAt: tickets.holdExpiresAt,
      bookedAt: tickets.bookedAt,
      paymentId: tickets.paymentId,
    })
    .from(tickets)
    // The tickets with a holder, through the (show_id, user_id) index: a restart costs the fans, not the seats.
    .where(and(eq(tickets.showId, showId), gt(tickets.userId, ""), ne(tickets.status, "AVAILABLE")));
  return rows.flatMap((t) => (t.status === "AVAILABLE" ? [] : [{ ...t, status: t.status }]));
}

/**
 * Give held tickets back (cancel or expiry), marking any approved payment for them that did not book
 * a ticket as REFUND_DUE, then hold one specific ticket for each fan of the claims, all in one D1
 * transaction: a freed ticket reaches the next fan in one round trip. Only a ticket still
 * IN_PROGRESS for that very fan is released, so running this twice is harmless. Each claim takes
 * the lowest AVAILABLE seat of its class, only while it is still AVAILABLE and only for a fan who
 * holds no other ticket of the show, so D1 decides: a fan for whom no row comes back holds nothing
 * new, and repeating a claim whose answer was lost never gives a fan a second ticket. Answers the
 * holds granted, one map per claim.
 */
async function releaseAndClaim(
  db: Db,
  showId: string,
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
  const claimed = slots.map(({ claim: { c, expiresAt }, fanId }) =>
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

/** Is this payment approved, this fan's, for this ticket and its amount, and not used before? */
async function checkPayment(
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
async function bookTicket(
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

/** How long after a pre-queue's opening the cron still pokes its show, in case the alarm was lost. */
export const DRAW_SAFETY_NET_MS = 60 * 60_000;

/**
 * Shows with a pre-queue whose opening passed within `DRAW_SAFETY_NET_MS`: the cron pokes them, so
 * that the draw happens even if the alarm was lost (a show already drawn is not drawn again).
 */
export async function showsWithDrawDue(db: Db, now: number): Promise<string[]> {
  const rows = await db
    .select({ showId: shows.id })
    .from(shows)
    .where(
      and(
        isNotNull(shows.prequeueOpensAt),
        lte(shows.salesOpenAt, now),
        gt(shows.salesOpenAt, now - DRAW_SAFETY_NET_MS),
      ),
    );
  return rows.map((r) => r.showId);
}

/**
 * Extend a live hold to `to` for the payment the provider reports in flight, once per hold: only
 * while D1 still has it IN_PROGRESS for this fan, ending at `from` (so the object and D1 agree on
 * which hold), and only if that end is not itself a grace given before (a payment of this hold
 * whose `grace_until` is it). The payment records the grace in the same transaction. Answers
 * whether the hold was extended.
 */
async function extendHoldForPayment(
  db: Db,
  g: { ticketId: string; fanId: string; paymentId: string; from: number; to: number },
): Promise<boolean> {
  const [extended] = await db.batch([
    db
      .update(tickets)
      .set({ holdExpiresAt: g.to })
      .where(
        and(
          eq(tickets.id, g.ticketId),
          eq(tickets.userId, g.fanId),
          eq(tickets.status, "IN_PROGRESS"),
          eq(tickets.holdExpiresAt, g.from),
          notExists(
            db
              .select({ one: sql`1` })
              .from(payments)
              .where(
                and(eq(payments.ticketId, g.ticketId), eq(payments.userId, g.fanId), eq(payments.graceUntil, g.from)),
              ),
          ),
        ),
      )
      .returning({ id: tickets.id }),
    db
      .update(payments)
      .set({ graceUntil: g.to })
      .where(
        and(
          eq(payments.id, g.paymentId),
          exists(
            db
              .select({ one: sql`1` })
              .from(tickets)
              .where(
                and(
                  eq(tickets.id, g.ticketId),
                  eq(tickets.userId, g.fanId),
                  eq(tickets.status, "IN_PROGRESS"),
                  eq(tickets.holdExpiresAt, g.to),
                ),
              ),
          ),
        ),
      ),
  ]);
  return extended.length === 1;
}
