import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { Hono } from "hono";
import type { StoredPasskey } from "../accounts/account";
import { accountObject } from "../accounts/identity";
import { deviceLabel, registrationOptions, relyingParty, verifyRegistration } from "../accounts/passkeys";
import { type FanVariables, requireFan } from "../auth";
import { ApiError } from "../errors";
import { passkeyRegistrationBody } from "../schemas";
import { validate } from "../validate";

function passkeyView(p: StoredPasskey) {
  return {
    id: p.id,
    label: p.label,
    createdAt: new Date(p.createdAt).toISOString(),
    lastUsedAt: p.lastUsedAt === null ? null : new Date(p.lastUsedAt).toISOString(),
  };
}

/**
 * A signed-in fan's passkeys: `GET /api/passkeys`, registering one (`POST
 * /api/passkeys/registration/options`, then `POST /api/passkeys/registration`), `DELETE
 * /api/passkeys/:passkeyId`. Signing in with one: `/api/sessions/passkey` (src/routes/sessions.ts).
 */
export const passkeysRoutes = new Hono<{ Bindings: Env; Variables: FanVariables }>()
  .use(requireFan())
  .get("/", async (c) => {
    const passkeys = await accountObject(c.env, c.var.fan.account).passkeys();
    return c.json({ passkeys: passkeys.map(passkeyView) });
  })
  .post("/registration/options", async (c) => {
    const { fan } = c.var;
    const account = accountObject(c.env, fan.account);
    const [profile, existing] = await Promise.all([account.profile(), account.passkeys()]);
    if (!profile) throw new ApiError("UNAUTHORIZED", "sign in again: this account is not known yet");
    const { options, state } = await registrationOptions(
      c.env,
      relyingParty(c.req.url),
      { account: fan.account, name: profile.name, email: profile.email },
      existing,
    );
    return c.json({ options, state });
  })
  .post("/registration", validate("json", passkeyRegistrationBody), async (c) => {
    const { fan } = c.var;
    const { state, response } = c.req.valid("json");
    const verified = await verifyRegistration(c.env, relyingParty(c.req.url), fan.account, {
      state,
      response: response as RegistrationResponseJSON,
      label: deviceLabel(c.req.header("user-agent")),
    });
    if (!verified.ok) {
      throw new ApiError(verified.reason === "EXPIRED" ? "CHALLENGE_EXPIRED" : "PASSKEY_REJECTED", verified.message);
    }
    const added = await accountObject(c.env, fan.account).addPasskey(verified.passkey);
    if (!added) throw new ApiError("PASSKEY_REJECTED", "this passkey is already registered");
    return c.json({ passkey: passkeyView(verified.passkey) }, 201);
  })
  .delete("/:passkeyId", async (c) => {
    const removed = await accountObject(c.env, c.var.fan.account).removePasskey(c.req.param("passkeyId"));
    if (!removed) throw new ApiError("PASSKEY_NOT_FOUND", "no passkey of yours with this id");
    return c.body(null, 204);
  });
