/**
 * Passkeys (WebAuthn) through @simplewebauthn/server, which runs on Workers on WebCrypto alone.
 * Ceremony state is sealed and handed to the client, like the sign-in challenge: registering needs
 * nothing stored before the answer, and a passkey sign-in finds its account by the user handle the
 * authenticator gives back (the account key, set at registration), whose object then lets each
 * sign-in challenge work once. The relying party is the request's own host, so the same code serves
 * http://localhost in development and the deployed domain (WebAuthn refuses IP addresses as RP IDs).
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { StoredPasskey } from "./account";
import { fromBase64url, fromHex, toBase64url, toHex } from "./bytes";
import { ACCOUNT_KEY } from "./identity";
import { seal, unseal } from "./sealed";

/** EdDSA, ES256, RS256: what passkey providers use. Fixed, so options and verification agree. */
const ALGORITHMS = [-8, -7, -257];
/** How long the browser may take to answer; the sealed state lasts a little longer. */
const CEREMONY_TIMEOUT_MS = 120_000;
const CEREMONY_LIFETIME_MS = 5 * 60_000;

export interface RelyingParty {
  id: string;
  origin: string;
}

export function relyingParty(requestUrl: string): RelyingParty {
  const url = new URL(requestUrl);
  return { id: url.hostname, origin: url.origin };
}

type Rejected = { ok: false; reason: "EXPIRED" | "REJECTED"; message: string };

const rejected = (message: string): Rejected => ({ ok: false, reason: "REJECTED", message });
const expired: Rejected = {
  ok: false,
  reason: "EXPIRED",
  message: "this passkey request has expired or was already used: start again",
};

// --- registration (a signed-in fan adds a passkey) -------------------------------------------------

export async function registrationOptions(
  env: Env,
  rp: RelyingParty,
  fan: { account: string; name: string; email: string },
  existing: StoredPasskey[],
) {
  const options = await generateRegistrationOptions({
    rpName: "catraca",
    rpID: rp.id,
    userName: fan.email,
    userDisplayName: fan.name,
    // The account key is the user handle: a passkey sign-in names its account by it.
    userID: fromHex(fan.account),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
  const state = await seal(env, "passkey-registration", {
    a: fan.account,
    c: options.challenge,
    x: Date.now() + CEREMONY_LIFETIME_MS,
  });
  return { options, state };
}

export async function verifyRegistration(
  env: Env,
  rp: RelyingParty,
  account: string,
  input: { state: string; response: RegistrationResponseJSON; label: string },
): Promise<{ ok: true; passkey: StoredPasskey } | Rejected> {
  const state = await unseal(env, "passkey-registration", input.state);
  if (!state || typeof state.c !== "string" || typeof state.x !== "number") return rejected("state: not ours");
  if (state.a !== account) return rejected("state: started by another fan");
  if (Date.now() >= state.x) return expired;
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: state.c,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (err) {
    return rejected(`the authenticator's answer does not verify: ${err instanceof Error ? err.message : "invalid"}`);
  }
  if (!result.verified) return rejected("the authenticator's answer does not verify");
  const { credential } = result.registrationInfo;
  const now = Date.now();
  return {
    ok: true,
    passkey: {
      id: credential.id,
      publicKey: toBase64url(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
      label: input.label,
      createdAt: now,
      lastUsedAt: null,
    },
  };
}

// --- sign-in (anyone; the passkey says who) -------------------------------------------------------

export async function signInOptions(env: Env, rp: RelyingParty) {
  // No allowCredentials: the browser offers the passkeys it has for this site, and the answer
  // tells nothing about which emails have accounts.
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: "preferred",
  });
  const state = await seal(env, "passkey-sign-in", { c: options.challenge, x: Date.now() + CEREMONY_LIFETIME_MS });
  return { options, state };
}

export interface PasskeyAssertion {
  account: string;
  /** The challenge, which is also the once-only nonce of this sign-in. */
  challenge: string;
  expiresAt: number;
}

/** The sealed state and the account the answer names, before its signature is checked. */
export async function readAssertion(
  env: Env,
  input: { state: string; response: AuthenticationResponseJSON },
): Promise<({ ok: true } & PasskeyAssertion) | Rejected> {
  const state = await unseal(env, "passkey-sign-in", input.state);
  if (!state || typeof state.c !== "string" || typeof state.x !== "number") return rejected("state: not ours");
  if (Date.now() >= state.x) return expired;
  const handle = input.response.response.userHandle;
  const bytes = handle === undefined ? undefined : fromBase64url(handle);
  const account = bytes && toHex(bytes);
  if (!account || !ACCOUNT_KEY.test(account)) return rejected("this passkey is not one of ours");
  return { ok: true, account, challenge: state.c, expiresAt: state.x };
}

export async function verifyAssertion(
  rp: RelyingParty,
  assertion: PasskeyAssertion,
  response: AuthenticationResponseJSON,
  passkey: StoredPasskey,
): Promise<{ ok: true; counter: number } | Rejected> {
  const publicKey = fromBase64url(passkey.publicKey);
  if (!publicKey) return rejected("this passkey's key is unreadable");
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: assertion.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.id, publicKey, counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: false,
    });
    if (!result.verified) return rejected("the passkey's signature does not verify");
    return { ok: true, counter: result.authenticationInfo.newCounter };
  } catch (err) {
    return rejected(`the passkey's answer does not verify: ${err instanceof Error ? err.message : "invalid"}`);
  }
}

/** A name the fan recognizes in their list: the browser and system that created the passkey. */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? "";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : undefined;
  const system = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : undefined;
  return [browser, system].filter(Boolean).join(" · ") || "Passkey";
}
