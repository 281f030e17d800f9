import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { type Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { accountObject } from "../accounts/identity";
import { readAssertion, relyingParty, signInOptions, verifyAssertion } from "../accounts/passkeys";
import { startSignIn, type Verification, verifySignIn } from "../accounts/sign-in";
import { type FanVariables, issueSession, requireFan, SESSION_COOKIE, signOutEverywhere } from "../auth";
import { ApiError } from "../errors";
import { requestLang } from "../page/lang";
import { clientAddress, rateLimit } from "../rate-limit";
import { passkeySignInBody, sessionBody, verifyBody } from "../schemas";
import { validate } from "../validate";

type SessionsEnv = { Bindings: Env; Variables: FanVariables };

const unknownPasskey = () =>
  new ApiError("PASSKEY_REJECTED", "this passkey is not registered (it may have been removed)");

/** A refused verification as the API's error. */
function verificationError(v: Verification & { ok: false }): ApiError {
  switch (v.code) {
    case "WRONG_CODE":
      return new ApiError(
        "WRONG_CODE",
        v.triesLeft > 0
          ? `wrong code; ${v.triesLeft} ${v.triesLeft === 1 ? "try" : "tries"} left`
          : "wrong code, and no tries left: ask for a new code",
      );
    case "CHALLENGE_EXPIRED":
      return new ApiError("CHALLENGE_EXPIRED", "this code has expired or was already used: ask for a new code");
    case "BAD_CHALLENGE":
      return new ApiError("BAD_REQUEST", "challenge: not a sign-in challenge of ours");
  }
}

/** A proven sign-in (a code or a passkey): v1's `201 {"user", "token"}` and the session cookie. */
async function signedIn(
  c: Context<SessionsEnv>,
  profile: { userId: string; name: string; email: string },
  account: string,
  version: number,
) {
  const token = await issueSession(c, { id: profile.userId, name: profile.name, account, version });
  return c.json({ user: { id: profile.userId, name: profile.name, email: profile.email }, token }, 201);
}

function codeLimitError(retryAfterSeconds: number): ApiError {
  return new ApiError(
    "RATE_LIMITED",
    `a code was sent to this email moments ago; ask again in ${retryAfterSeconds} seconds`,
    { "retry-after": String(retryAfterSeconds) },
  );
}

/**
 * Fans' sessions. `POST /api/sessions` mails a one-time code and answers the challenge to send it
 * back with; `POST /api/sessions/verify` turns challenge and code into a session; `DELETE
 * /api/sessions` signs the fan out everywhere. `POST /api/sessions/passkey/options`, then `POST
 * /api/sessions/passkey`: a session from a passkey, no mail needed.
 */
export const sessions = new Hono<SessionsEnv>()
  .post("/", rateLimit("SIGN_IN_LIMITER", clientAddress), validate("json", sessionBody), async (c) => {
    const { name, email, lang } = c.req.valid("json");
    const started = await startSignIn(c.env, { name, email, lang: lang ?? requestLang(c) });
    if (!started.ok) throw codeLimitError(started.retryAfterSeconds);
    return c.json({ challenge: started.challenge, expiresAt: new Date(started.expiresAt).toISOString() }, 202);
  })
  .post("/verify", rateLimit("SIGN_IN_LIMITER", clientAddress), validate("json", verifyBody), async (c) => {
    const verified = await verifySignIn(c.env, c.req.valid("json"));
    if (!verified.ok) throw verificationError(verified);
    return signedIn(c, verified.profile, verified.account, verified.sessionVersion);
  })
  .post("/passkey/options", rateLimit("SIGN_IN_LIMITER", clientAddress), async (c) => {
    return c.json(await signInOptions(c.env, relyingParty(c.req.url)));
  })
  .post("/passkey", rateLimit("SIGN_IN_LIMITER", clientAddress), validate("json", passkeySignInBody), async (c) => {
    const body = c.req.valid("json");
    const response = body.response as AuthenticationResponseJSON;
    const refuse = (r: { reason: "EXPIRED" | "REJECTED"; message: string }) =>
      new ApiError(r.reason === "EXPIRED" ? "CHALLENGE_EXPIRED" : "PASSKEY_REJECTED", r.message);
    const assertion = await readAssertion(c.env, { state: body.state, response });
    if (!assertion.ok) throw refuse(assertion);
    const account = accountObject(c.env, assertion.account);
    const passkey = await account.passkey(response.id);
    if (!passkey) throw unknownPasskey();
    const verified = await verifyAssertion(relyingParty(c.req.url), assertion, response, passkey);
    if (!verified.ok) throw refuse(verified);
    const done = await account.completePasskeySignIn(
      assertion.challenge,
      assertion.expiresAt,
      passkey.id,
      verified.counter,
    );
    if (!done.ok) {
      throw done.reason === "USED"
        ? new ApiError("CHALLENGE_EXPIRED", "this passkey sign-in was already used: start again")
        : unknownPasskey();
    }
    return signedIn(c, done.profile, assertion.account, done.sessionVersion);
  })
  .delete("/", requireFan(), async (c) => {
    await signOutEverywhere(c.env, c.var.fan.account);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
