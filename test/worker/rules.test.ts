import { describe, expect, it } from "vitest";
import {
  admissionsFor,
  availableCount,
  decideBook,
  decideGrace,
  decideRequest,
  isSoldOut,
  PAYMENT_GRACE_MS,
  type RequestFacts,
  reconcilePlan,
} from "../../src/show/rules";

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    now: 1_000,
    showStatus: "ready",
    salesOpenAt: 0,
    prequeueOpensAt: null,
    maxTicketsPerUser: 4,
    sector: "Pista",
    counts: { total: 10, held: 0, booked: 0, waiting: 0 },
    fanStatus: "NONE",
    bookedByFan: 0,
    ...over,
  };
}

describe("queue rules", () => {
  it("admits one waiting fan per free ticket, never more", () => {
    expect(admissionsFor({ total: 10, held: 3, booked: 5, waiting: 7 })).toBe(2);
    expect(admissionsFor({ total: 10, held: 3, booked: 5, waiting: 1 })).toBe(1);
    expect(admissionsFor({ total: 10, held: 5, booked: 5, waiting: 9 })).toBe(0);
  });

  it("counts a class as sold out only when every ticket is booked", () => {
    expect(isSoldOut({ total: 2, held: 1, booked: 1, waiting: 3 })).toBe(false);
    expect(isSoldOut({ total: 2, held: 0, booked: 2, waiting: 3 })).toBe(true);
    expect(isSoldOut({ total: 0, held: 0, booked: 0, waiting: 0 })).toBe(true);
    expect(availableCount({ total: 2, held: 2, booked: 1, waiting: 0 })).toBe(0);
  });

  it("checks a request in the contract's order", () => {
    expect(decideRequest(facts({ counts: undefined })).kind).toBe("error");
    expect(decideRequest(facts({ salesOpenAt: 2_000 }))).toMatchObject({ code: "SALES_NOT_OPEN" });
    // A fan with a place keeps it, whatever the limit or availability says.
    expect(decideRequest(facts({ fanStatus: "WAITING", bookedByFan: 4 })).kind).toBe("current");
    expect(decideRequest(facts({ fanStatus: "IN_PROGRESS" })).kind).toBe("current");
    expect(decideRequest(facts({ bookedByFan: 4 }))).toMatchObject({ code: "LIMIT_REACHED" });
    expect(decideRequest(facts({ counts: { total: 10, held: 0, booked: 10, waiting: 0 } }))).toMatchObject({
      code: "SOLD_OUT",
    });
    // Every ticket held but not booked: the fan waits, a hold may still come back.
    expect(decideRequest(facts({ counts: { total: 10, held: 10, booked: 0, waiting: 5 } })).kind).toBe("enqueue");
    expect(decideRequest(facts({ fanStatus: "EXPIRED", bookedByFan: 3 })).kind).toBe("enqueue");
  });

  it("refuses new requests on an archived show and keeps the places it gave", () => {
    expect(decideRequest(facts({ showStatus: "archived" }))).toMatchObject({
      code: "SALES_NOT_OPEN",
      message: expect.stringContaining("archived"),
    });
    expect(decideRequest(facts({ showStatus: "archived", fanStatus: "WAITING" })).kind).toBe("current");
    expect(decideRequest(facts({ showStatus: "archived", fanStatus: "IN_PROGRESS" })).kind).toBe("current");
  });

  it("checks a booking as never held, then hold ended", () => {
    expect(decideBook({ holdsTicket: false, everHeld: false, bookedWithThisPayment: false })).toMatchObject({
      code: "TICKET_NOT_HELD",
    });
    expect(decideBook({ holdsTicket: false, everHeld: true, bookedWithThisPayment: false })).toMatchObject({
      code: "HOLD_EXPIRED",
    });
    expect(decideBook({ holdsTicket: true, everHeld: true, bookedWithThisPayment: false }).kind).toBe("book");
    expect(decideBook({ holdsTicket: false, everHeld: true, bookedWithThisPayment: true }).kind).toBe("already-booked");
  });
});

describe("reconcile plan", () => {
  const hold = (ticketId: string, fanId: string, expiresAt = 5_000) => ({
    ticketId,
    fanId,
    sector: "Pista",
    meia: false,
    priceCents: 100,
    expiresAt,
  });
  const remote = (
    id: string,
    userId: string,
    status: "IN_PROGRESS" | "BOOKED",
    holdExpiresAt: number | null = 5_000,
  ) => ({
    id,
    userId,
    sector: "Pista",
    meia: false,
    priceCents: 100,
    status,
    holdExpiresAt,
    bookedAt: status === "BOOKED" ? 4_000 : null,
    paymentId: status === "BOOKED" ? `pay-${id}` : null,
  });

  it("adopts a hold D1 granted but the object never recorded", () => {
    const plan = reconcilePlan({ holds: [], booked: [] }, [remote("t1", "ana", "IN_PROGRESS")], 1_000);
    expect(plan.adoptHolds).toEqual([hold("t1", "ana")]);
    expect(plan.dropHolds).toEqual([]);
  });

  it("drops a hold D1 released, as expired or cancelled by the clock", () => {
    const plan = reconcilePlan({ holds: [hold("t1", "ana", 500), hold("t2", "bia", 5_000)], booked: [] }, [], 1_000);
    expect(plan.dropHolds).toEqual([
      { hold: hold("t1", "ana", 500), outcome: "EXPIRED" },
      { hold: hold("t2", "bia", 5_000), outcome: "CANCELLED" },
    ]);
  });

  it("turns a hold D1 booked into a booking", () => {
    const plan = reconcilePlan(
      { holds: [hold("t1", "ana")], booked: [] },
      [remote("t1", "ana", "BOOKED", null)],
      1_000,
    );
    expect(plan.dropHolds).toEqual([]);
    expect(plan.adoptBooked.map((b) => [b.ticketId, b.fanId, b.paymentId])).toEqual([["t1", "ana", "pay-t1"]]);
  });

  it("changes nothing when both sides agree", () => {
    const plan = reconcilePlan({ holds: [hold("t1", "ana")], booked: [] }, [remote("t1", "ana", "IN_PROGRESS")], 1_000);
    expect(plan).toEqual({ adoptHolds: [], dropHolds: [], adoptBooked: [], dropBooked: [] });
  });
});

describe("decideGrace", () => {
  const hold = { ticketId: "t1", fanId: "f1", sector: "Pista", meia: false, priceCents: 100, expiresAt: 10_000 };

  it("extends a live hold of that ticket by the grace, from its end", () => {
    expect(decideGrace({ hold, ticketId: "t1", now: 9_999 })).toEqual({
      kind: "extend",
      hold,
      expiresAt: 10_000 + PAYMENT_GRACE_MS,
    });
  });

  it("extends nothing for a hold that has ended, another ticket, or no hold", () => {
    expect(decideGrace({ hold, ticketId: "t1", now: 10_000 })).toEqual({ kind: "none" });
    expect(decideGrace({ hold, ticketId: "t2", now: 0 })).toEqual({ kind: "none" });
    expect(decideGrace({ hold: undefined, ticketId: "t1", now: 0 })).toEqual({ kind: "none" });
  });
});
