/**
 * The gate's own judgement when it has no network: the code's Ed25519 signature under the show's
 * public key, then the downloaded ticket list and this phone's own check-ins. A plain function of
 * what the phone holds, so it is tested without a browser.
 */
import { parseTicketCode, verifyC2 } from "../../codes/format";
import type { DoorManifest } from "../../door/manifest";

/** A check-in this phone made (online or not); the offline ones wait in IndexedDB for the sync. */
export interface LocalScan {
  scanId: string;
  ticketId: string;
  code: string;
  gate: string;
  /** ISO time. */
  scannedAt: string;
  /** Sent to the server (or made online): nothing left to sync. */
  synced: boolean;
}

export type Refusal = "INVALID_CODE" | "OTHER_SHOW" | "NOT_BOOKED" | "NOT_IN_LIST" | "LEGACY_OFFLINE";

export type Verdict =
  | { kind: "admitted"; ticketId: string; holder: string; sector: string; meia: boolean; offline: boolean }
  | { kind: "already"; holder: string; sector: string; meia: boolean; at: string; gate: string }
  | { kind: "refused"; reason: Refusal };

export async function decideOffline(
  manifest: DoorManifest,
  publicKey: CryptoKey,
  scans: readonly LocalScan[],
  code: string,
): Promise<Verdict> {
  const parsed = parseTicketCode(code);
  if (!parsed) return { kind: "refused", reason: "INVALID_CODE" };
  // C1 codes are HMACs: only the server can tell a real one from a forgery.
  if (parsed.version === "C1") return { kind: "refused", reason: "LEGACY_OFFLINE" };
  if (!(await verifyC2(publicKey, parsed))) return { kind: "refused", reason: "INVALID_CODE" };
  const { ticketId, showId, userId } = parsed.claims;
  if (showId !== manifest.show.id) return { kind: "refused", reason: "OTHER_SHOW" };
  const ticket = manifest.tickets.find((t) => t.id === ticketId);
  if (!ticket) return { kind: "refused", reason: "NOT_IN_LIST" };
  if (ticket.userId !== userId || ticket.status !== "BOOKED") return { kind: "refused", reason: "NOT_BOOKED" };
  const about = { holder: ticket.holder, sector: ticket.sector, meia: ticket.meia };
  const mine = scans.find((s) => s.ticketId === ticketId);
  if (mine) return { kind: "already", ...about, at: mine.scannedAt, gate: mine.gate };
  if (ticket.checkedInAt) return { kind: "already", ...about, at: ticket.checkedInAt, gate: ticket.gate ?? "" };
  return { kind: "admitted", ticketId, ...about, offline: true };
}
