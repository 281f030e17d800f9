/**
 * What a gate downloads (`GET /api/door/manifest`) to keep letting tickets in offline. Shared by
 * the Worker and the door page, so it has no Workers types.
 */
export interface DoorTicket {
  id: string;
  /** The booking fan: a code names its fan, and must match. */
  userId: string | null;
  holder: string;
  sector: string;
  meia: boolean;
  status: "AVAILABLE" | "IN_PROGRESS" | "BOOKED";
  /** ISO time of its check-in, if it got in already. */
  checkedInAt: string | null;
  gate: string | null;
}

export interface DoorManifest {
  show: { id: string; band: string; festival: string | null; address: string; startsAt: string };
  /** This gate's name (its door link's label). */
  gate: string;
  /** The raw Ed25519 key that checks C2 codes, base64url. */
  publicKey: string;
  generatedAt: string;
  tickets: DoorTicket[];
}

/** `POST /api/door/sync`'s answer for one offline scan. */
export type SyncOutcome = "admitted" | "conflict" | "INVALID_CODE" | "OTHER_SHOW" | "NOT_BOOKED";
