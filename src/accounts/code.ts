/** The six-digit sign-in code: drawn uniformly, kept only as a keyed digest, compared in constant time. */
import { toBase64url } from "./bytes";
import { mac } from "./sealed";

const CODES = 1_000_000;
/** The largest multiple of a million below 2^32: draws at or above it are redrawn, so every code is as likely. */
const LIMIT = 2 ** 32 - (2 ** 32 % CODES);

export function newCode(): string {
  const draw = new Uint32Array(1);
  do crypto.getRandomValues(draw);
  while ((draw[0] ?? LIMIT) >= LIMIT);
  return String((draw[0] ?? 0) % CODES).padStart(6, "0");
}

/**
 * The code as the challenge carries it: an HMAC under a key only the Worker has, bound to the
 * challenge's nonce. Whoever holds the challenge cannot try the million codes offline.
 */
export async function codeDigest(env: Pick<Env, "SESSION_SECRET">, nonce: string, code: string): Promise<string> {
  return toBase64url(await mac(env, "code-digest", `${nonce}:${code}`));
}

export async function codeMatches(
  env: Pick<Env, "SESSION_SECRET">,
  nonce: string,
  code: string,
  digest: string,
): Promise<boolean> {
  const enc = new TextEncoder();
  const [given, expected] = [enc.encode(await codeDigest(env, nonce, code)), enc.encode(digest)];
  return given.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(given, expected);
}

export function newNonce(): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(16)));
}
