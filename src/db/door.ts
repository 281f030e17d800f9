/**
 * The door in D1: gate credentials, check-ins (one per ticket, decided by one conditional insert),
 * the ticket list a gate downloads to work offline, and the conflicts learnt when gates sync.
 */
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { base64url } from "../codes/format";
import type { DoorTicket } from "../door/manifest";
import type { TicketClaims } from "../ticket-code";
import type { Db } from "./database";
import { newId } from "./queries";
import { checkinConflicts, checkins, type DoorCredentialRow, doorCredentials, tickets, users } from "./schema";

// --- credentials ----------------------------------------------------------------------------------

export type DoorCredential = Pick<DoorCredentialRow, "id" | "showId" | "label">;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function credentialView(row: DoorCredentialRow, now: number) {
  return {
    id: row.id,
    showId: row.showId,
    label: row.label,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: new Date(row.expiresAt).toISOString(),
    revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt).toISOString(),
    active: row.revokedAt === null && row.expiresAt > now,
  };
}

/**
 * A new gate credential. The token (`<id>.<secret>`) is answered once and never stored: D1 keeps
 * the secret's SHA-256, so a leaked database opens no gate.
 */
export async function createCredential(db: Db, input: { showId: string; label: string; expiresAt: number }) {
  const id = newId("door");
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const [row] = await db
    .insert(doorCredentials)
    .values({ id, ...input, tokenHash: await sha256Hex(secret) })
    .returning();
  if (!row) throw new Error("createCredential: no row returned");
  return { row, token: `${id}.${secret}` };
}

export async function listCredentials(db: Db, showId: string) {
  return db
    .select()
    .from(doorCredentials)
    .where(eq(doorCredentials.showId, showId))
    .orderBy(asc(doorCredentials.createdAt));
}

/** Revoke one of the show's credentials (repeating it changes nothing); `undefined` if there is none. */
export async function revokeCredential(db: Db, showId: string, id: string, now: number) {
  await db
    .update(doorCredentials)
    .set({ revokedAt: now })
    .where(
      and(eq(doorCredentials.id, id), eq(doorCredentials.showId, showId), sql`${doorCredentials.revokedAt} IS NULL`),
    );
  const [row] = await db
    .select()
    .from(doorCredentials)
    .where(and(eq(doorCredentials.id, id), eq(doorCredentials.showId, showId)));
  return row;
}

export type CredentialLookup =
  | { ok: true; credential: DoorCredential; expiresAt: number }
  | { ok: false; reason: "unknown" | "revoked" | "expired" };

export async function findCredential(db: Db, token: string, now: number): Promise<CredentialLookup> {
  const match = /^(door_[A-Za-z0-9]{1,40})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "unknown" };
  const [, id = "", secret = ""] = match;
  const [row] = await db.select().from(doorCredentials).where(eq(doorCredentials.id, id));
  const expected = row?.tokenHash ?? "0".repeat(64);
  const given = await sha256Hex(secret);
  const same = crypto.subtle.timingSafeEqual(new TextEncoder().encode(expected), new TextEncoder().encode(given));
  if (!row || !same) return { ok: false, reason: "unknown" };
  if (row.revokedAt !== null) return { ok: false, reason: "revoked" };
  if (row.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, credential: { id: row.id, showId: row.showId, label: row.label }, expiresAt: row.expiresAt };
}

// --- check-in -------------------------------------------------------------------------------------

export interface Scan {
  claims: TicketClaims;
  gate: string;
  at: number;
  /** Names this scan; a gate's offline scan keeps it across retried syncs. */
  scanId: string;
  offline: boolean;
  credentialId: string | null;
}

export type CheckinOutcome =
  | { kind: "admitted"; holder: { name: string }; ticket: AdmittedTicket }
  | {
      kind: "already";
      checkedInAt: number;
      gate: string;
      scanId: string;
      holder: { name: string };
      ticket: AdmittedTicket;
    }
  | { kind: "not-booked" };

export interface AdmittedTicket {
  id: string;
  showId: string;
  sector: string;
  meia: boolean;
  priceCents: number;
}

async function bookedByClaims(db: Db, claims: TicketClaims) {
  const [row] = await db
    .select({
      ticket: {
        id: tickets.id,
        showId: tickets.showId,
        sector: tickets.sector,
        meia: tickets.meia,
        priceCents: tickets.priceCents,
      },
      holder: { name: users.name },
    })
    .from(tickets)
    .innerJoin(users, eq(tickets.userId, users.id))
    .where(
      and(
        eq(tickets.id, claims.ticketId),
        eq(tickets.showId, claims.showId),
        eq(tickets.userId, claims.userId),
        eq(tickets.status, "BOOKED"),
      ),
    );
  return row;
}

/**
 * Let a ticket in, once. One statement decides: it inserts the check-in only while D1 says the
 * ticket is BOOKED by the code's fan at the code's show, and the ticket's primary key in
 * `checkins` makes every other scan, however simultaneous, insert nothing.
 */
export async function checkIn(d1: D1Database, db: Db, scan: Scan): Promise<CheckinOutcome> {
  const inserted = await d1
    .prepare(
      `INSERT INTO checkins (ticket_id, show_id, gate, checked_in_at, scan_id, offline, credential_id)
       SELECT id, show_id, ?1, ?2, ?3, ?4, ?5 FROM tickets
       WHERE id = ?6 AND show_id = ?7 AND user_id = ?8 AND status = 'BOOKED'
       ON CONFLICT DO NOTHING
       RETURNING ticket_id`,
    )
    .bind(
      scan.gate,
      scan.at,
      scan.scanId,
      scan.offline ? 1 : 0,
      scan.credentialId,
      scan.claims.ticketId,
      scan.claims.showId,
      scan.claims.userId,
    )
    .first<{ ticket_id: string }>();
  const booked = await bookedByClaims(db, scan.claims);
  if (!booked) return { kind: "not-booked" };
  if (inserted) return { kind: "admitted", ...booked };
  const [first] = await db.select().from(checkins).where(eq(checkins.ticketId, scan.claims.ticketId));
  if (!first) return { kind: "not-booked" };
  return { kind: "already", checkedInAt: first.checkedInAt, gate: first.gate, scanId: first.scanId, ...booked };
}

/**
 * A gate's offline admission, learnt at sync, of a ticket that already has a check-in: two gates
 * let it in. The earlier scan keeps the check-in and the later one becomes the conflict, whichever
 * synced first; one D1 transaction, and repeating it (a retried sync) changes nothing.
 */
export async function recordOfflineConflict(d1: D1Database, scan: Scan, now: number): Promise<void> {
  const t = scan.claims.ticketId;
  await d1.batch([
    // The recorded check-in was later than this scan: it becomes the conflict...
    d1
      .prepare(
        `INSERT INTO checkin_conflicts (scan_id, ticket_id, show_id, gate, scanned_at, recorded_at)
         SELECT scan_id, ticket_id, show_id, gate, checked_in_at, ?1 FROM checkins
         WHERE ticket_id = ?2 AND checked_in_at > ?3 AND scan_id <> ?4
         ON CONFLICT DO NOTHING`,
      )
      .bind(now, t, scan.at, scan.scanId),
    // ...and this scan the check-in.
    d1
      .prepare(
        `UPDATE checkins SET gate = ?1, checked_in_at = ?2, scan_id = ?3, offline = 1, credential_id = ?4
         WHERE ticket_id = ?5 AND checked_in_at > ?2 AND scan_id <> ?3
           AND NOT EXISTS (SELECT 1 FROM checkin_conflicts WHERE scan_id = ?3)`,
      )
      .bind(scan.gate, scan.at, scan.scanId, scan.credentialId, t),
    // Otherwise this scan is the conflict.
    d1
      .prepare(
        `INSERT INTO checkin_conflicts (scan_id, ticket_id, show_id, gate, scanned_at, recorded_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM checkins WHERE scan_id = ?1)
         ON CONFLICT DO NOTHING`,
      )
      .bind(scan.scanId, t, scan.claims.showId, scan.gate, scan.at, now),
  ]);
}

/** Whether this scan is recorded as the ticket's check-in (after a sync). */
export async function isCheckinScan(db: Db, scanId: string): Promise<boolean> {
  const [row] = await db.select({ one: sql`1` }).from(checkins).where(eq(checkins.scanId, scanId));
  return row !== undefined;
}

// --- what a gate downloads, and what the console shows ---------------------------------------------

/** Every booked ticket of the show with its holder and check-in, for a gate that may go offline. */
export async function doorTickets(db: Db, showId: string): Promise<DoorTicket[]> {
  const rows = await db
    .select({
      id: tickets.id,
      userId: tickets.userId,
      holder: users.name,
      sector: tickets.sector,
      meia: tickets.meia,
      status: tickets.status,
      checkedInAt: checkins.checkedInAt,
      gate: checkins.gate,
    })
    .from(tickets)
    .innerJoin(users, eq(tickets.userId, users.id))
    .leftJoin(checkins, eq(checkins.ticketId, tickets.id))
    .where(and(eq(tickets.showId, showId), eq(tickets.status, "BOOKED")))
    .orderBy(asc(tickets.id));
  return rows.map((r) => ({
    ...r,
    checkedInAt: r.checkedInAt === null ? null : new Date(r.checkedInAt).toISOString(),
  }));
}

export async function checkinsByGate(db: Db, showId: string) {
  return db
    .select({ gate: checkins.gate, checkedIn: count(), offline: sql<number>`TOTAL(${checkins.offline})` })
    .from(checkins)
    .where(eq(checkins.showId, showId))
    .groupBy(checkins.gate)
    .orderBy(asc(checkins.gate))
    .then((rows) => rows.map((r) => ({ gate: r.gate, checkedIn: r.checkedIn, offline: Number(r.offline) })));
}

/** Tickets let in twice, each with the check-in that stands. */
export async function conflicts(db: Db, showId: string) {
  const rows = await db
    .select({ conflict: checkinConflicts, holder: users.name, sector: tickets.sector, first: checkins })
    .from(checkinConflicts)
    .innerJoin(tickets, eq(tickets.id, checkinConflicts.ticketId))
    .innerJoin(users, eq(tickets.userId, users.id))
    .leftJoin(checkins, eq(checkins.ticketId, checkinConflicts.ticketId))
    .where(eq(checkinConflicts.showId, showId))
    .orderBy(desc(checkinConflicts.scannedAt));
  return rows.map((r) => ({
    ticketId: r.conflict.ticketId,
    holder: r.holder,
    sector: r.sector,
    gate: r.conflict.gate,
    scannedAt: new Date(r.conflict.scannedAt).toISOString(),
    first: r.first ? { gate: r.first.gate, checkedInAt: new Date(r.first.checkedInAt).toISOString() } : null,
  }));
}
