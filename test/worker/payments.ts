/**
 * What the payment tests, sandbox and Stripe alike, set up the same way: a show of one sector, a
 * held ticket with a payment opened for it, the hold's alarm at a given time, the refunds owed.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import { setClock } from "./faults/inject";
import { call, createShow, requestTicket, showStub, type TestFan } from "./helpers";

/** A show of one Pista sector for one test: its id. */
export async function pistaShow(spec: {
  seats?: number;
  priceCents: number;
  meiaShare?: number;
  holdSeconds?: number;
}) {
  const show = await createShow({
    sectors: [
      { name: "Pista", capacity: spec.seats ?? 1, priceCents: spec.priceCents, meiaShare: spec.meiaShare ?? 0 },
    ],
    holdSeconds: spec.holdSeconds,
  });
  return show.id;
}

/** The show's clock moved to `at` and its alarm run, as it would fire then. */
export async function alarmAt(showId: string, at: number) {
  setClock(showId, at);
  await runDurableObjectAlarm(showStub(showId));
}

/** The organizer's list of money to give back for the show. */
export async function refunds(showId: string) {
  const res = await call("GET", `/api/admin/shows/${showId}/refunds`, { admin: true });
  expect(res.status).toBe(200);
  return res.json.refunds as {
    id: string;
    status: string;
    amountCents: number;
    refundId: string | null;
    user: { id: string; email: string };
  }[];
}

/** A ticket held by `fan` and a payment opened for it: both answers, as the fan's page gets them. */
export async function holdWithPayment(showId: string, fan: TestFan) {
  const held = await requestTicket(showId, fan);
  expect(held.status).toBe(200);
  const pay = await call("POST", "/api/payments", {
    token: fan.token,
    body: { showId, ticketId: held.json.ticket.id },
  });
  expect(pay.status).toBe(201);
  return { held, pay };
}
