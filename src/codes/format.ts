/**
 * Ticket codes (the text in a booked ticket's QR), as any reader sees them: the Worker, and the
 * door page that checks codes with no network. No secrets and no Workers types here.
 *
 * `<version>.<ticketId>.<showId>.<userId>.<signature>`, base64url signature over everything
 * before it. IDs are `[A-Za-z0-9_-]`, so `.` separates.
 * - `C1`: HMAC-SHA256 under `TICKET_SECRET`, first 128 bits. Only the Worker can check it, so a
 *   gate checks C1 codes online. Codes booked before C2 existed carry it.
 * - `C2`: Ed25519 under `TICKET_SIGNING_KEY`. Anybody with the public key can check it, so a gate
 *   that lost the network still knows a real code from a forged one.
 */
export const CODE_VERSIONS = ["C1", "C2"] as const;
export type CodeVersion = (typeof CODE_VERSIONS)[number];

/** Signature length in bytes per version. */
const SIGNATURE_BYTES: Record<CodeVersion, number> = { C1: 16, C2: 64 };
const ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface TicketClaims {
  ticketId: string;
  showId: string;
  userId: string;
}

export interface ParsedCode {
  version: CodeVersion;
  claims: TicketClaims;
  /** The signed text: everything before the last `.`. */
  payload: string;
  signature: Uint8Array<ArrayBuffer>;
}

export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    // A length no base64 text can have.
    return undefined;
  }
}

export const payloadOf = (version: CodeVersion, c: TicketClaims) => `${version}.${c.ticketId}.${c.showId}.${c.userId}`;

function isVersion(v: string): v is CodeVersion {
  return (CODE_VERSIONS as readonly string[]).includes(v);
}

/** A well-formed code of a known version, its signature not checked yet; `undefined` otherwise. */
export function parseTicketCode(code: string): ParsedCode | undefined {
  const parts = code.trim().split(".");
  if (parts.length !== 5) return undefined;
  const [version = "", ticketId = "", showId = "", userId = "", presented = ""] = parts;
  if (!isVersion(version) || ![ticketId, showId, userId].every((id) => ID.test(id))) return undefined;
  const signature = fromBase64url(presented);
  // The last base64 character may carry bits the bytes do not use: only the canonical text is ours,
  // so one code has exactly one valid spelling.
  if (signature?.byteLength !== SIGNATURE_BYTES[version] || base64url(signature) !== presented) return undefined;
  const claims = { ticketId, showId, userId };
  return { version, claims, payload: payloadOf(version, claims), signature };
}

/** The gate's verifying key, from the raw 32 bytes (base64url) the door manifest carries. */
export function importTicketPublicKey(raw: string): Promise<CryptoKey> {
  const bytes = fromBase64url(raw);
  if (bytes?.byteLength !== 32) throw new Error("a ticket public key is 32 bytes, base64url");
  return crypto.subtle.importKey("raw", bytes, { name: "Ed25519" }, false, ["verify"]);
}

/** A C2 code's signature checked with the public key alone (the door, offline). */
export async function verifyC2(publicKey: CryptoKey, parsed: ParsedCode): Promise<boolean> {
  if (parsed.version !== "C2") return false;
  return crypto.subtle.verify("Ed25519", publicKey, parsed.signature, new TextEncoder().encode(parsed.payload));
}
