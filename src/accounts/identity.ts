/** One email, one fan: the account object a normalized email names (`emailField` in src/schemas.ts normalizes). */
import { toHex } from "./bytes";

/**
 * The account's key: the SHA-256 of the normalized email, hex. It names the account object, rides
 * in the session token and is the passkeys' user handle, so none of them carries the email itself.
 * It depends on no secret, so rotating SESSION_SECRET never orphans an account's passkeys.
 */
export async function accountKey(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`catraca-account:${email}`));
  return toHex(new Uint8Array(digest));
}

export const ACCOUNT_KEY = /^[0-9a-f]{64}$/;

export function accountObject(env: Pick<Env, "ACCOUNTS">, key: string) {
  return env.ACCOUNTS.getByName(key);
}
