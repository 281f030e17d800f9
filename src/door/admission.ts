/**
 * Letting tickets in: a scan online (`POST /api/tickets/checkin`) and a gate's offline scans
 * synced later (`POST /api/door/sync`). The code's signature says we issued it; D1 says whether
 * it is still booked and whether it already got in.
 */

import { database } from "../db/database";
import { type AdmittedTicket, checkIn, isCheckinScan, recordOfflineConflict } from "../db/door";
import { ApiError } from "../errors";
import type { DoorAgent } from "../organizer";
import { type TicketClaims, verifyTicketCode } from "../ticket-code";
import type { SyncOutcome } from "./manifest";

/** What the gate is told about a meia ticket (the API's words; the door page has its own). */
export const MEIA_NOTICE =
  "Meia-entrada: check the holder's document before letting them in (Lei 12.933/2013: student card, ID Jovem, disability, 60+)";

/** The show this door checks: a gate's own show, or the one the organizer names (any otherwise). */
export function doorShow(agent: DoorAgent, named: string | undefined): string | undefined {
  if (agent.kind === "organizer") return named;
  if (named !== undefined && named !== agent.credential.showId) {
    throw new ApiError("FORBIDDEN", "this door link is for another show");
  }
  return agent.credential.showId;
}

function gateOf(agent: DoorAgent, named: string | undefined): string {
  return named ?? (agent.kind === "gate" ? agent.credential.label : "organizer");
}

async function claimsFor(env: Env, code: string, showId: string | undefined): Promise<TicketClaims> {
  const claims = await verifyTicketCode(env, code);
  if (!claims) throw new ApiError("INVALID_CODE", "not a ticket code of ours: malformed, altered or forged");
  if (showId !== undefined && claims.showId !== showId) {
    throw new ApiError("OTHER_SHOW", "this ticket is for another show: it does not get in here");
  }
  return claims;
}

function admittedBody(ticket: AdmittedTicket, holder: { name: string }, gate: string, at: number) {
  return {
    admitted: true as const,
    ticket,
    holder,
    meia: ticket.meia,
    ...(ticket.meia && { checkDocument: true, notice: MEIA_NOTICE }),
    gate,
    checkedInAt: new Date(at).toISOString(),
  };
}

/** One scan at a gate with network: admitted the first time, `409 ALREADY_CHECKED_IN` after. */
export async function admitOnline(
  env: Env,
  agent: DoorAgent,
  body: { code: string; gate?: string; showId?: string },
  now: number,
) {
  const claims = await claimsFor(env, body.code, doorShow(agent, body.showId));
  const gate = gateOf(agent, body.gate);
  const outcome = await checkIn(env.DB, database(env.DB), {
    claims,
    gate,
    at: now,
    scanId: crypto.randomUUID(),
    offline: false,
    credentialId: agent.kind === "gate" ? agent.credential.id : null,
  });
  if (outcome.kind === "not-booked") {
    throw new ApiError("NOT_BOOKED", "this ticket is no longer booked (cancelled or refunded): it does not get in");
  }
  if (outcome.kind === "already") {
    const at = new Date(outcome.checkedInAt).toISOString();
    throw new ApiError(
      "ALREADY_CHECKED_IN",
      `this ticket already got in at ${at}, gate "${outcome.gate}"`,
      {},
      { checkedInAt: at, gate: outcome.gate, holder: outcome.holder, ticket: outcome.ticket },
    );
  }
  return admittedBody(outcome.ticket, outcome.holder, gate, now);
}

export type SyncResult =
  | { scanId: string; outcome: Extract<SyncOutcome, "admitted">; ticketId: string }
  | {
      scanId: string;
      outcome: Extract<SyncOutcome, "conflict">;
      ticketId: string;
      first: { gate: string; checkedInAt: string };
    }
  | { scanId: string; outcome: Exclude<SyncOutcome, "admitted" | "conflict">; ticketId?: string };

/**
 * A gate's admissions made offline, each recorded once however often the gate retries. A ticket
 * that also got in elsewhere is a conflict: the earlier admission stands, the later is listed.
 */
export async function syncOffline(
  env: Env,
  agent: DoorAgent,
  showId: string | undefined,
  scans: { scanId: string; code: string; gate?: string; scannedAt: number }[],
  now: number,
): Promise<SyncResult[]> {
  const db = database(env.DB);
  const show = doorShow(agent, showId);
  const results: SyncResult[] = [];
  for (const s of scans) {
    let claims: TicketClaims;
    try {
      claims = await claimsFor(env, s.code, show);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      results.push({ scanId: s.scanId, outcome: err.code === "OTHER_SHOW" ? "OTHER_SHOW" : "INVALID_CODE" });
      continue;
    }
    // A phone's clock ahead of ours cannot date an admission in the future.
    const scan = {
      claims,
      gate: gateOf(agent, s.gate),
      at: Math.min(s.scannedAt, now),
      scanId: s.scanId,
      offline: true,
      credentialId: agent.kind === "gate" ? agent.credential.id : null,
    };
    const outcome = await checkIn(env.DB, db, scan);
    const ticketId = claims.ticketId;
    if (outcome.kind === "not-booked") {
      results.push({ scanId: s.scanId, outcome: "NOT_BOOKED", ticketId });
    } else if (outcome.kind === "admitted" || outcome.scanId === s.scanId) {
      results.push({ scanId: s.scanId, outcome: "admitted", ticketId });
    } else {
      await recordOfflineConflict(env.DB, scan, now);
      const standing = (await isCheckinScan(db, s.scanId))
        ? { gate: scan.gate, checkedInAt: new Date(scan.at).toISOString() }
        : { gate: outcome.gate, checkedInAt: new Date(outcome.checkedInAt).toISOString() };
      results.push({ scanId: s.scanId, outcome: "conflict", ticketId, first: standing });
    }
  }
  return results;
}
