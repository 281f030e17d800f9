/**
 * Signing and checking the code printed in a booked ticket's QR (formats in `codes/format.ts`).
 * New codes are C2 (Ed25519 under `TICKET_SIGNING_KEY`), so a gate checks them offline with the
 * public key; C1 codes (HMAC under `TICKET_SECRET`) booked before keep verifying here, online.
 * A valid signature proves who issued the code; the door still asks D1 whether it holds.
 */
import {
  base64url,
  importTicketPublicKey,
  type ParsedCode,
  parseTicketCode,
  payloadOf,
  type TicketClaims,
  verifyC2,
} from "./codes/format";

export type { TicketClaims };

type CodeSecrets = Pick<Env, "TICKET_SECRET" | "TICKET_SIGNING_KEY">;

function ticketSecret(env: Pick<Env, "TICKET_SECRET">): string {
  const secret = env.TICKET_SECRET;
  if (!secret || secret.length < 16) {
    throw new Error(
      "TICKET_SECRET is not set (or shorter than 16 characters): add it to .dev.vars or `wrangler secret put TICKET_SECRET`",
    );
  }
  return secret;
}

interface SigningKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The raw public key, base64url: what a gate downloads. */
  publicRaw: string;
}

/** Imported once per isolate and secret: importing costs more than signing. */
const signingKeys = new Map<string, Promise<SigningKeys>>();

async function importSigningKeys(secret: string): Promise<SigningKeys> {
  const der = Uint8Array.from(atob(secret.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
  const privateKey = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
  const { x } = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!x) throw new Error("TICKET_SIGNING_KEY: no public key in the private key");
  return { privateKey, publicKey: await importTicketPublicKey(x), publicRaw: x };
}

function keys(env: Pick<Env, "TICKET_SIGNING_KEY">): Promise<SigningKeys> {
  const secret = env.TICKET_SIGNING_KEY;
  if (!secret) {
    throw new Error(
      "TICKET_SIGNING_KEY is not set: run `npm run ticket-key` and add the line it prints to .dev.vars, or `wrangler secret put TICKET_SIGNING_KEY`",
    );
  }
  let pending = signingKeys.get(secret);
  if (!pending) {
    pending = importSigningKeys(secret).catch((err) => {
      signingKeys.delete(secret);
      throw new Error(`TICKET_SIGNING_KEY is not an Ed25519 private key (PKCS#8, base64url): ${err}`);
    });
    signingKeys.set(secret, pending);
  }
  return pending;
}

/** The key a gate needs to check C2 codes without the server. */
export async function ticketPublicKey(env: Pick<Env, "TICKET_SIGNING_KEY">): Promise<string> {
  return (await keys(env)).publicRaw;
}

/** A new ticket code (C2). */
export async function signTicketCode(env: Pick<Env, "TICKET_SIGNING_KEY">, claims: TicketClaims): Promise<string> {
  const payload = payloadOf("C2", claims);
  const signature = await crypto.subtle.sign(
    "Ed25519",
    (await keys(env)).privateKey,
    new TextEncoder().encode(payload),
  );
  return `${payload}.${base64url(new Uint8Array(signature))}`;
}

async function hmac(secret: string, payload: string): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const full = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload));
  return new Uint8Array(full, 0, 16);
}

/**
 * A C1 code, as tickets booked before C2 carry. Nothing issues them any more; tests make them to
 * prove those printed tickets still get in.
 */
export async function signLegacyTicketCode(env: Pick<Env, "TICKET_SECRET">, claims: TicketClaims): Promise<string> {
  const payload = payloadOf("C1", claims);
  return `${payload}.${base64url(await hmac(ticketSecret(env), payload))}`;
}

async function signatureHolds(env: CodeSecrets, parsed: ParsedCode): Promise<boolean> {
  if (parsed.version === "C2") return verifyC2((await keys(env)).publicKey, parsed);
  const expected = await hmac(ticketSecret(env), parsed.payload);
  return crypto.subtle.timingSafeEqual(expected, parsed.signature);
}

/** The claims of a well-formed code of any version whose signature is ours; `undefined` otherwise. */
export async function verifyTicketCode(env: CodeSecrets, code: string): Promise<TicketClaims | undefined> {
  const parsed = parseTicketCode(code);
  return parsed && (await signatureHolds(env, parsed)) ? parsed.claims : undefined;
}
