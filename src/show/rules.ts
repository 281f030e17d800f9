/**
 * The show's queue and hold rules as plain functions over plain data: no storage, no D1, no
 * clock of their own. The Durable Object gathers the facts, asks these functions what to do and
 * carries it out; the tests check the rules directly.
 */
import type { TicketRow, TicketStatus } from "../db/schema";
import { type ErrorCode, MESSAGES, OPENING, SHOW_NOT_ON_SALE } from "../errors";
import { openingAt } from "./draw";
import type { ClassCounts, FanState, FanStatus, TicketClass } from "./types";

export function classKey(c: TicketClass): string {
  return `${c.sector}\u0000${c.meia ? 1 : 0}`;
}

export function sameClass(a: TicketClass, b: TicketClass): boolean {
  return a.sector === b.sector && a.meia === b.meia;
}

/** Tickets of a class nobody holds or has booked. */
export function availableCount(c: ClassCounts): number {
  return Math.max(0, c.total - c.held - c.booked);
}

/** A class is sold out when every ticket is booked: nothing is AVAILABLE and nothing is held. */
export function isSoldOut(c: ClassCounts): boolean {
  return c.total - c.booked <= 0;
}

/**
 * How many waiting fans of a class to admit now: one per free ticket, from the head of the
 * queue, so that the fans in the purchase never outnumber the tickets.
 */
export function admissionsFor(c: ClassCounts): number {
  return Math.min(c.waiting, availableCount(c));
}

/** A request that left the fan waiting for a place (the queue, or the pre-queue) is answered 202 Accepted. */
export function queued(state: FanState): boolean {
  return state.status === "WAITING" || state.status === "PRE_QUEUE";
}

export type RequestDecision =
  | { kind: "error"; code: ErrorCode; message: string }
  /** The fan already has a place (waiting or holding): answer the current state unchanged. */
  | { kind: "current" }
  | { kind: "enqueue" }
  /** Before the opening, in its pre-queue (#14): the fan takes part in the draw. */
  | { kind: "prequeue" };

export interface RequestFacts {
  now: number;
  showStatus: "ready" | "archived";
  salesOpenAt: number;
  prequeueOpensAt: number | null;
  maxTicketsPerUser: number;
  sector: string;
  /** The class asked for, as counted now; undefined when the show has no such class. */
  counts: ClassCounts | undefined;
  fanStatus: FanStatus;
  bookedByFan: number;
}

/**
 * The contract's order of checks for `PATCH /:showId/ingresso/request`. Bad input first, then the
 * one-place-per-fan rule (a repeat answers the current state), then an archived show, limit and
 * availability.
 */
export function decideRequest(f: RequestFacts): RequestDecision {
  if (!f.counts) {
    return { kind: "error", code: "BAD_REQUEST", message: `sector: this show has no sector "${f.sector}"` };
  }
  const opening = openingAt(f, f.now);
  if (opening === "closed") {
    return { kind: "error", code: "SALES_NOT_OPEN", message: OPENING.notOpen(f.salesOpenAt, f.prequeueOpensAt) };
  }
  if (f.fanStatus === "WAITING" || f.fanStatus === "IN_PROGRESS" || f.fanStatus === "PRE_QUEUE") {
    return { kind: "current" };
  }
  // An archived show keeps the places it gave, and gives no new one.
  if (f.showStatus === "archived") return { kind: "error", code: "SALES_NOT_OPEN", message: SHOW_NOT_ON_SALE.archived };
  if (f.bookedByFan + 1 > f.maxTicketsPerUser) {
    return {
      kind: "error",
      code: "LIMIT_REACHED",
      message: `at most ${f.maxTicketsPerUser} tickets per fan for this show`,
    };
  }
  if (isSoldOut(f.counts)) return { kind: "error", code: "SOLD_OUT", message: MESSAGES.SOLD_OUT };
  return opening === "prequeue" ? { kind: "prequeue" } : { kind: "enqueue" };
}

export type BookDecision =
  | { kind: "error"; code: ErrorCode; message: string }
  | { kind: "already-booked" }
  | { kind: "book" };

export interface BookFacts {
  /** The fan holds this very ticket now (the hold's time has not passed). */
  holdsTicket: boolean;
  /** The fan held this ticket at some point. */
  everHeld: boolean;
  /** The fan booked this ticket with this payment. */
  bookedWithThisPayment: boolean;
}

/** `book` checks, in the contract's order: never held → 404, hold ended → 409. */
export function decideBook(f: BookFacts): BookDecision {
  if (f.bookedWithThisPayment) return { kind: "already-booked" };
  if (f.holdsTicket) return { kind: "book" };
  if (f.everHeld) return { kind: "error", code: "HOLD_EXPIRED", message: MESSAGES.HOLD_EXPIRED };
  return { kind: "error", code: "TICKET_NOT_HELD", message: MESSAGES.TICKET_NOT_HELD };
}

/** A hold as both sides record it. */
export interface HoldRecord {
  ticketId: string;
  fanId: string;
  sector: string;
  meia: boolean;
  priceCents: number;
  expiresAt: number;
}

export interface BookedRecord {
  ticketId: string;
  fanId: string;
  sector: string;
  meia: boolean;
  priceCents: number;
  paymentId: string | null;
  bookedAt: number;
}

/** A ticket of this show that D1 says is not AVAILABLE. */
export type RemoteTicket = Pick<
  TicketRow,
  "id" | "userId" | "sector" | "meia" | "priceCents" | "holdExpiresAt" | "bookedAt" | "paymentId"
> & { status: Exclude<TicketStatus, "AVAILABLE"> };

export interface ReconcilePlan {
  /** D1 holds the object did not know (it crashed after the D1 write). */
  adoptHolds: HoldRecord[];
  /** Object holds D1 no longer has (released in D1, the object's write lost); with the outcome. */
  dropHolds: { hold: HoldRecord; outcome: "EXPIRED" | "CANCELLED" }[];
  /** D1 bookings the object did not know. */
  adoptBooked: BookedRecord[];
  /** Object bookings D1 does not have (should never happen: D1 is written first). */
  dropBooked: BookedRecord[];
}

/**
 * D1 is the record of tickets; the object's storage holds the queue. After a crash between the two
 * writes, make the object's holds and bookings match D1's tickets.
 */
export function reconcilePlan(
  local: { holds: HoldRecord[]; booked: BookedRecord[] },
  remote: RemoteTicket[],
  now: number,
): ReconcilePlan {
  const remoteById = new Map(remote.map((t) => [t.id, t]));
  const localHolds = new Map(local.holds.map((h) => [h.ticketId, h]));
  const localBooked = new Map(local.booked.map((b) => [b.ticketId, b]));
  const plan: ReconcilePlan = { adoptHolds: [], dropHolds: [], adoptBooked: [], dropBooked: [] };

  for (const t of remote) {
    if (!t.userId) continue;
    if (t.status === "IN_PROGRESS") {
      const h = localHolds.get(t.id);
      if (!h || h.fanId !== t.userId || h.expiresAt !== t.holdExpiresAt) {
        plan.adoptHolds.push({
          ticketId: t.id,
          fanId: t.userId,
          sector: t.sector,
          meia: t.meia,
          priceCents: t.priceCents,
          expiresAt: t.holdExpiresAt ?? now,
        });
      }
    } else if (!localBooked.has(t.id)) {
      plan.adoptBooked.push({
        ticketId: t.id,
        fanId: t.userId,
        sector: t.sector,
        meia: t.meia,
        priceCents: t.priceCents,
        paymentId: t.paymentId,
        bookedAt: t.bookedAt ?? now,
      });
    }
  }
  for (const h of local.holds) {
    const t = remoteById.get(h.ticketId);
    const stillHeld = t?.status === "IN_PROGRESS" && t.userId === h.fanId;
    if (stillHeld) continue;
    // A hold that became a booking is adopted as a booking above; otherwise it ended unbooked.
    const booked = t?.status === "BOOKED" && t.userId === h.fanId;
    if (!booked) plan.dropHolds.push({ hold: h, outcome: h.expiresAt <= now ? "EXPIRED" : "CANCELLED" });
  }
  for (const b of local.booked) {
    const t = remoteById.get(b.ticketId);
    if (!(t?.status === "BOOKED" && t.userId === b.fanId)) plan.dropBooked.push(b);
  }
  return plan;
}

/**
 * How long a hold may be extended, once, when the provider reports the fan's payment in flight (a
 * Pix code issued and not yet paid, a card waiting on 3-D Secure): long enough for a bank app to
 * confirm, short enough that the queue behind keeps moving.
 */
export const PAYMENT_GRACE_MS = 3 * 60_000;

export type GraceDecision = { kind: "extend"; hold: HoldRecord; expiresAt: number } | { kind: "none" };

/**
 * A payment in flight for `ticketId`: extend the fan's hold by the grace, from its current end.
 * Only a live hold of that very ticket is extended; that it happens once per hold is D1's to decide
 * (`extendHoldForPayment`), so a repeated or late report changes nothing.
 */
export function decideGrace(f: { hold: HoldRecord | undefined; ticketId: string; now: number }): GraceDecision {
  const { hold } = f;
  if (!hold || hold.ticketId !== f.ticketId || hold.expiresAt <= f.now) return { kind: "none" };
  return { kind: "extend", hold, expiresAt: hold.expiresAt + PAYMENT_GRACE_MS };
}
