/**
 * The code printed in a booked ticket's QR: the ticket, its show and its holder, signed with an
 * HMAC under `TICKET_SECRET` so that a code cannot be forged or moved to another fan. The door
 * still checks D1 (`POST /api/tickets/verify`): a valid signature proves who issued the code, the
 * record proves the ticket is still booked by that fan.
 *
 * Format: `C1.<ticketId>.<showId>.<userId>.<mac>`, the mac being the first 128 bits of
 * HMAC-SHA256 over everything before it, base64url. IDs are `[A-Za-z0-9_-]`, so `.` separates.
 */
const VERSION = "C1";
const MAC_BYTES = 16;
const ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface TicketClaims {
  ticketId: string;
  showId: string;
  userId: string;
}

function ticketSecret(env: Pick<Env, "TICKET_SECRET">): string {
  const secret = env.TICKET_SECRET;
  if (!secret || secret.length < 16) {
    throw new Error(
      "TICKET_SECRET is not set (or shorter than 16 characters): add it to .dev.vars or `wrangler secret put TICKET_SECRET`",
    );
  }
  return secret;
}

async function mac(secret: string, payload: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const full = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload));
  return new Uint8Array(full, 0, MAC_BYTES);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    // A length no base64 text can have.
    return undefined;
  }
}

const payloadOf = (c: TicketClaims) => `${VERSION}.${c.ticketId}.${c.showId}.${c.userId}`;

export async function signTicketCode(env: Pick<Env, "TICKET_SECRET">, claims: TicketClaims): Promise<string> {
  const payload = payloadOf(claims);
  return `${payload}.${base64url(await mac(ticketSecret(env), payload))}`;
}

/** The claims of a well-formed code whose signature is ours; `undefined` for anything else. */
export async function verifyTicketCode(
  env: Pick<Env, "TICKET_SECRET">,
  code: string,
): Promise<TicketClaims | undefined> {
  const parts = code.trim().split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
  const [, ticketId = "", showId = "", userId = "", presented = ""] = parts;
  if (![ticketId, showId, userId].every((id) => ID.test(id))) return undefined;
  const given = fromBase64url(presented);
  // The last base64 character carries bits the bytes do not use: only the canonical text is ours,
  // so one code has exactly one valid spelling.
  if (given?.byteLength !== MAC_BYTES || base64url(given) !== presented) return undefined;
  const claims = { ticketId, showId, userId };
  const expected = await mac(ticketSecret(env), payloadOf(claims));
  return crypto.subtle.timingSafeEqual(expected, given) ? claims : undefined;
}
