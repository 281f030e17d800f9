/**
 * The sale's invariants, checked from the outside: every fan's state as the show object answers it
 * and D1's tickets and payments, the record. The model-based test runs them after every step; the
 * fault-injection tests after recovery. Each violation is a sentence, so a failure reads as what
 * went wrong.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { laneName, laneOf } from "../../src/lanes/key";
import type { FanState, Outcome } from "../../src/show/types";
import { paymentRows, showStub, ticketRows } from "./helpers";

export type TicketRecord = Awaited<ReturnType<typeof ticketRows>>[number];
export type PaymentRecord = Awaited<ReturnType<typeof paymentRows>>[number];

export interface Snapshot {
  states: Map<string, FanState>;
  tickets: TicketRecord[];
  payments: PaymentRecord[];
}

/**
 * Every fan's state as the fan would read it (each call settles due expiries first; with lanes, from
 * the fan's lane, after the cron's poke has given every lane what it is owed), then D1's rows.
 */
export async function snapshot(showId: string, fanIds: string[]): Promise<Snapshot> {
  const row = await env.DB.prepare("SELECT lanes FROM shows WHERE id = ?").bind(showId).first<{ lanes: number }>();
  const lanes = row?.lanes ?? 1;
  if (lanes > 1) await showStub(showId).poke(showId);
  const stateOf = (fanId: string): Promise<Outcome> =>
    lanes > 1
      ? env.LANES.getByName(laneName(showId, laneOf(showId, fanId, lanes))).state(showId, fanId)
      : showStub(showId).state(showId, fanId);
  const outcomes = await Promise.all(fanIds.map(stateOf));
  const states = new Map<string, FanState>();
  outcomes.forEach((out, i) => {
    if (!out.ok) throw new Error(`state(${fanIds[i]}) answered ${out.code}: ${out.message}`);
    states.set(fanIds[i] as string, out.state);
  });
  const [tickets, payments] = await Promise.all([ticketRows(showId), paymentRows(showId)]);
  return { states, tickets, payments };
}

const classOf = (t: { sector: string; meia: boolean }) => `${t.sector}/${t.meia ? "meia" : "inteira"}`;

/**
 * The invariants over one snapshot taken at the object's time `now`. `fanIds` must name every fan
 * who ever took part, so that "one place per fan" and the payment checks see all of them.
 */
/**
 * `exactPositions`: positions in a class are 1..n, each once. With lanes a fan behind a join that
 * was on its way (stamped before it, arriving after) keeps reading the place it was shown, never a
 * later one, until the queue moves past: then positions are each at most the fan's true place, and
 * the model-based test checks them one by one.
 */
export function violations(
  s: Snapshot,
  now: number,
  names: Map<string, string> = new Map(),
  opts: { exactPositions?: boolean } = {},
): string[] {
  const out: string[] = [];
  const who = (fanId: string | null) => (fanId === null ? "nobody" : (names.get(fanId) ?? fanId));
  const byId = new Map(s.tickets.map((t) => [t.id, t]));

  // Seats: per class, held + booked never exceeds the tickets of the class.
  const classes = new Map<string, { total: number; taken: number; available: number }>();
  for (const t of s.tickets) {
    const c = classes.get(classOf(t)) ?? { total: 0, taken: 0, available: 0 };
    c.total += 1;
    if (t.status === "AVAILABLE") c.available += 1;
    else c.taken += 1;
    classes.set(classOf(t), c);
    if ((t.status === "AVAILABLE") !== (t.userId === null)) {
      out.push(`ticket ${t.id} is ${t.status} for ${who(t.userId)}`);
    }
    // No hold outlives its time once the object has settled.
    if (t.status === "IN_PROGRESS" && (t.holdExpiresAt ?? 0) <= now) {
      out.push(`ticket ${t.id} is still IN_PROGRESS for ${who(t.userId)} past its expiry`);
    }
  }
  for (const [key, c] of classes) {
    if (c.taken > c.total) out.push(`class ${key}: ${c.taken} held or booked of ${c.total} seats`);
  }

  // Every ticket a fan's state shows is that fan's in D1, and no ticket is shown to two fans.
  const shownTo = new Map<string, string>();
  const show = (ticketId: string, fanId: string) => {
    const other = shownTo.get(ticketId);
    if (other !== undefined && other !== fanId) {
      out.push(`ticket ${ticketId} is shown to both ${who(other)} and ${who(fanId)}`);
    }
    shownTo.set(ticketId, fanId);
  };
  const waitingByClass = new Map<string, number[]>();
  for (const [fanId, st] of s.states) {
    const mineHeld = s.tickets.filter((t) => t.userId === fanId && t.status === "IN_PROGRESS");
    const mineBooked = s.tickets.filter((t) => t.userId === fanId && t.status === "BOOKED");
    // One place per fan: at most one hold, and a hold only while IN_PROGRESS.
    if (mineHeld.length > 1) out.push(`${who(fanId)} holds ${mineHeld.length} tickets in D1`);
    if (st.status === "IN_PROGRESS") {
      const t = st.ticket ? byId.get(st.ticket.id) : undefined;
      if (!st.ticket || t?.status !== "IN_PROGRESS" || t.userId !== fanId) {
        out.push(`${who(fanId)} is IN_PROGRESS but D1 has ${t ? `${t.status} for ${who(t.userId)}` : "no such hold"}`);
      } else if (Date.parse(st.expiresAt ?? "") !== t.holdExpiresAt) {
        out.push(`${who(fanId)}'s hold expires at ${st.expiresAt} but D1 says ${t.holdExpiresAt}`);
      }
      if (st.ticket) show(st.ticket.id, fanId);
    } else if (mineHeld.length > 0) {
      out.push(`${who(fanId)} is ${st.status} but holds ${mineHeld.map((t) => t.id).join(", ")} in D1`);
    }
    if (st.status === "WAITING") {
      const key = classOf({ sector: st.sector ?? "?", meia: st.meia ?? false });
      waitingByClass.set(key, [...(waitingByClass.get(key) ?? []), st.position ?? 0]);
      // Nobody waits while their class has a free ticket.
      if ((classes.get(key)?.available ?? 0) > 0) {
        out.push(`${who(fanId)} is WAITING in ${key} while ${classes.get(key)?.available} tickets are AVAILABLE`);
      }
    }
    // Every booking is in the fan's booked list and in D1, and nothing else is.
    const listed = st.booked.map((t) => t.id).sort();
    const inD1 = mineBooked.map((t) => t.id).sort();
    if (listed.join() !== inD1.join()) {
      out.push(`${who(fanId)} lists booked [${listed.join(", ")}] but D1 has [${inD1.join(", ")}]`);
    }
    for (const id of listed) show(id, fanId);
    if (st.status === "BOOKED" && !listed.includes(st.ticket?.id ?? "")) {
      out.push(`${who(fanId)} is BOOKED but the ticket is not in the booked list`);
    }
  }
  // Positions within a class are 1..n, each once (or, not exact, each within 1..n).
  for (const [key, positions] of waitingByClass) {
    const sorted = [...positions].sort((a, b) => a - b);
    const wrong =
      opts.exactPositions === false
        ? sorted.some((p) => p < 1 || p > sorted.length)
        : sorted.some((p, i) => p !== i + 1);
    if (wrong) out.push(`class ${key} has positions [${sorted.join(", ")}]`);
  }

  // Money: a booking has an approved payment of the same fan, ticket and amount; approved money
  // either booked its ticket or backs the fan's current hold of it; anything else is owed back.
  const payById = new Map(s.payments.map((p) => [p.id, p]));
  for (const t of s.tickets.filter((x) => x.status === "BOOKED")) {
    const p = t.paymentId ? payById.get(t.paymentId) : undefined;
    const valid =
      p?.status === "APPROVED" && p.userId === t.userId && p.ticketId === t.id && p.amountCents === t.priceCents;
    if (!valid) out.push(`ticket ${t.id} is BOOKED by ${who(t.userId)} without its approved payment (${t.paymentId})`);
  }
  for (const p of s.payments.filter((x) => x.status === "APPROVED")) {
    const t = byId.get(p.ticketId);
    const booked = t?.status === "BOOKED" && t.paymentId === p.id;
    const backsHold = t?.status === "IN_PROGRESS" && t.userId === p.userId;
    if (!booked && !backsHold)
      out.push(`payment ${p.id} of ${who(p.userId)} is APPROVED but neither booked nor backs a hold`);
  }
  return out;
}

/** Take a snapshot at the object's time `now` and expect no violation. */
export async function expectInvariants(showId: string, fanIds: string[], now: number, names?: Map<string, string>) {
  const s = await snapshot(showId, fanIds);
  expect(violations(s, now, names)).toEqual([]);
  return s;
}
