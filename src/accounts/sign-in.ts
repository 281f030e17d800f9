/**
 * Sign-in by a one-time code, used by the API (`POST /api/sessions`, `/verify`) and the page's forms.
 * Starting one writes nothing to D1: the challenge is a sealed value the client keeps, the code
 * exists only in the mail and as a keyed digest in the challenge, and the email's account object
 * counts the codes and the wrong tries. After a verified code, D1 is written at most once (the user
 * upsert), and not at all for a fan the account object already knows under the same name.
 * Every email gets the same answers and the same work, so none tells whether it has an account.
 */

import { database } from "../db/database";
import { upsertUser } from "../db/queries";
import { codeMail } from "../email/code-mail";
import { sendMail } from "../email/send";
import { isLang, type Lang } from "../page/i18n";
import type { SignedIn } from "./account";
import { codeDigest, codeMatches, newCode, newNonce } from "./code";
import { accountKey, accountObject } from "./identity";
import { CODE_LIFETIME_MS } from "./rules";
import { seal, unseal } from "./sealed";

interface Challenge {
  email: string;
  name: string;
  lang: Lang;
  nonce: string;
  digest: string;
  expiresAt: number;
}

export type Started = { ok: true; challenge: string; expiresAt: number } | { ok: false; retryAfterSeconds: number };

export async function startSignIn(
  env: Env,
  input: { name: string; email: string; lang: Lang },
  opts: { fetch?: (input: string, init: RequestInit) => Promise<Response> } = {},
): Promise<Started> {
  const nonce = newNonce();
  const code = newCode();
  const expiresAt = Date.now() + CODE_LIFETIME_MS;
  const account = await accountKey(input.email);
  const opened = await accountObject(env, account).startCode(nonce, expiresAt);
  if (!opened.ok) return opened;
  const minutes = CODE_LIFETIME_MS / 60_000;
  await sendMail(env, codeMail(input.lang, input.email, input.name, code, minutes), {
    idempotencyKey: nonce,
    fetch: opts.fetch,
  });
  const claims = {
    e: input.email,
    n: input.name,
    l: input.lang,
    i: nonce,
    d: await codeDigest(env, nonce, code),
    x: expiresAt,
  };
  return { ok: true, challenge: await seal(env, "sign-in-code", claims), expiresAt };
}

/** The challenge's claims, or undefined for anything we did not seal. */
export async function readChallenge(env: Env, challenge: string): Promise<Challenge | undefined> {
  const c = await unseal(env, "sign-in-code", challenge);
  if (!c) return undefined;
  const { e, n, l, i, d, x } = c;
  if (typeof e !== "string" || typeof n !== "string" || !isLang(l) || typeof i !== "string") return undefined;
  if (typeof d !== "string" || typeof x !== "number") return undefined;
  return { email: e, name: n, lang: l, nonce: i, digest: d, expiresAt: x };
}

export interface Verified extends SignedIn {
  account: string;
}

export type Verification =
  | ({ ok: true } & Verified)
  | { ok: false; code: "WRONG_CODE"; triesLeft: number }
  | { ok: false; code: "CHALLENGE_EXPIRED" }
  | { ok: false; code: "BAD_CHALLENGE" };

export async function verifySignIn(env: Env, input: { challenge: string; code: string }): Promise<Verification> {
  const challenge = await readChallenge(env, input.challenge);
  if (!challenge) return { ok: false, code: "BAD_CHALLENGE" };
  // Past its time a challenge is over, whatever its object still remembers.
  if (Date.now() >= challenge.expiresAt) return { ok: false, code: "CHALLENGE_EXPIRED" };
  const correct = await codeMatches(env, challenge.nonce, input.code, challenge.digest);
  const account = await accountKey(challenge.email);
  const object = accountObject(env, account);
  const tried = await object.tryCode(challenge.nonce, correct);
  if (tried.outcome === "WRONG") return { ok: false, code: "WRONG_CODE", triesLeft: tried.triesLeft };
  if (tried.outcome === "EXPIRED") return { ok: false, code: "CHALLENGE_EXPIRED" };
  const known = tried.known;
  const profile =
    known && known.name === challenge.name && known.email === challenge.email
      ? known
      : await upsertUser(database(env.DB), challenge.name, challenge.email).then((u) => ({
          userId: u.id,
          name: u.name,
          email: u.email,
        }));
  return { ok: true, account, ...(await object.remember(profile)) };
}
