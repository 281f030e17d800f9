/**
 * Signed, stateless values handed to the client and given back later: the sign-in challenge and
 * the passkey ceremonies. `<base64url(JSON)>.<base64url(HMAC-SHA256)>`, under a key derived from
 * SESSION_SECRET for one purpose, so that a value sealed for one purpose never opens as another.
 * Sealed values are signed, not encrypted: they carry nothing the holder did not send or may not see.
 */
import { sessionSecret } from "../auth";
import { fromBase64url, toBase64url } from "./bytes";

export type Purpose = "sign-in-code" | "code-digest" | "passkey-registration" | "passkey-sign-in";

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key of `purpose`: HMAC(SESSION_SECRET, "catraca:" + purpose), imported once per isolate. */
export function purposeKey(env: Pick<Env, "SESSION_SECRET">, purpose: Purpose): Promise<CryptoKey> {
  const secret = sessionSecret(env);
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = (async () => {
      const enc = new TextEncoder();
      const root = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      const derived = await crypto.subtle.sign("HMAC", root, enc.encode(`catraca:${purpose}`));
      return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    })();
    keys.set(id, key);
  }
  return key;
}

export async function mac(env: Pick<Env, "SESSION_SECRET">, purpose: Purpose, text: string): Promise<Uint8Array> {
  const key = await purposeKey(env, purpose);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

export async function seal(env: Pick<Env, "SESSION_SECRET">, purpose: Purpose, value: object): Promise<string> {
  const body = toBase64url(new TextEncoder().encode(JSON.stringify(value)));
  return `${body}.${toBase64url(await mac(env, purpose, body))}`;
}

/** The value sealed for `purpose`, or undefined for anything we did not seal (or sealed for another purpose). */
export async function unseal(
  env: Pick<Env, "SESSION_SECRET">,
  purpose: Purpose,
  sealed: string,
): Promise<Record<string, unknown> | undefined> {
  const [body, signature, ...rest] = sealed.split(".");
  if (!body || !signature || rest.length > 0) return undefined;
  const given = fromBase64url(signature);
  if (!given) return undefined;
  // `verify` compares in constant time.
  const ok = await crypto.subtle.verify("HMAC", await purposeKey(env, purpose), given, new TextEncoder().encode(body));
  if (!ok) return undefined;
  const bytes = fromBase64url(body);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
