/**
 * Passkeys (src/accounts/passkeys.ts, src/routes/passkeys.ts, `/api/sessions/passkey`): a signed-in
 * fan registers one, lists and removes it; anyone signs in with one, once per challenge, and only
 * with an answer made for this site by the registered key. A software authenticator
 * (./authenticator.ts) plays the browser's part.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../../src/index";
import { faultyD1 } from "../faults/faulty-d1";
import { call, signIn, type TestFan } from "../helpers";
import { type Bend, SoftAuthenticator } from "./authenticator";

async function register(fan: TestFan, key: SoftAuthenticator, bend: Bend = {}) {
  const started = await call("POST", "/api/passkeys/registration/options", { token: fan.token });
  expect(started.status).toBe(200);
  const response = await key.register(started.json.options, bend);
  return call("POST", "/api/passkeys/registration", {
    token: fan.token,
    body: { state: started.json.state, response },
    headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36" },
  });
}

async function passkeySignIn(key: SoftAuthenticator, bend: Bend = {}) {
  const started = await call("POST", "/api/sessions/passkey/options");
  expect(started.status).toBe(200);
  const body = { state: started.json.state, response: await key.signIn(started.json.options, bend) };
  return { body, res: await call("POST", "/api/sessions/passkey", { body }) };
}

async function withPasskey() {
  const fan = await signIn("Sol Passkey");
  const key = await SoftAuthenticator.create();
  const res = await register(fan, key);
  expect(res.status).toBe(201);
  return { fan, key, passkey: res.json.passkey };
}

describe("passkeys", () => {
  it("a signed-in fan registers one; the options name the site, the fan and a discoverable key", async () => {
    const fan = await signIn("Tom Passkey");
    const started = await call("POST", "/api/passkeys/registration/options", { token: fan.token });
    expect(started.json.options).toMatchObject({
      rp: { id: "catraca.test", name: "catraca" },
      user: { name: expect.stringMatching(/@example\.com$/), displayName: "Tom Passkey" },
      authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      attestation: "none",
    });
    const key = await SoftAuthenticator.create();
    const res = await register(fan, key);
    expect(res.status).toBe(201);
    expect(res.json.passkey).toEqual({
      id: key.credentialId,
      label: "Chrome · Linux",
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    expect((await call("GET", "/api/passkeys", { token: fan.token })).json.passkeys).toEqual([res.json.passkey]);
    // The same passkey twice is refused; the next options exclude it.
    expect((await register(fan, key)).json.error.code).toBe("PASSKEY_REJECTED");
    const again = await call("POST", "/api/passkeys/registration/options", { token: fan.token });
    expect(again.json.options.excludeCredentials).toEqual([
      { id: key.credentialId, type: "public-key", transports: ["internal"] },
    ]);
  });

  it("signs a fan in with one tap: the session is the fan's, and the passkey's last use is recorded", async () => {
    const { fan, key } = await withPasskey();
    const { res } = await passkeySignIn(key);
    expect(res.status).toBe(201);
    expect(res.json.user).toEqual({ id: fan.id, name: "Sol Passkey", email: expect.stringMatching(/@example\.com$/) });
    expect(res.headers.get("set-cookie")).toMatch(/catraca_session=.+HttpOnly/i);
    const listed = await call("GET", "/api/passkeys", { token: res.json.token });
    expect(listed.status).toBe(200);
    expect(listed.json.passkeys[0].lastUsedAt).toEqual(expect.any(String));
  });

  it("signs in with a passkey without a single D1 query: the account object has all it needs", async () => {
    const { key } = await withPasskey();
    const ops: string[] = [];
    const counted = { ...env, DB: faultyD1(env.DB, { before: (op) => void ops.push(op) }) } as unknown as Env;
    const post = (path: string, body?: unknown) =>
      app.request(
        `http://catraca.test${path}`,
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) },
        counted,
      );
    const started = (await (await post("/api/sessions/passkey/options")).json()) as { options: unknown; state: string };
    const res = await post("/api/sessions/passkey", {
      state: started.state,
      response: await key.signIn(started.options),
    });
    expect(res.status).toBe(201);
    expect(ops).toEqual([]);
  });

  it("lets a passkey sign-in work once: the same answer again is 410 CHALLENGE_EXPIRED, even from a passkey without a counter", async () => {
    const fan = await signIn();
    const synced = await SoftAuthenticator.create({ counts: false });
    expect((await register(fan, synced)).status).toBe(201);
    const { body, res } = await passkeySignIn(synced);
    expect(res.status).toBe(201);
    const replay = await call("POST", "/api/sessions/passkey", { body });
    expect(replay.status).toBe(410);
    expect(replay.json.error.code).toBe("CHALLENGE_EXPIRED");
    expect((await passkeySignIn(synced)).res.status).toBe(201);
  });

  it("refuses an answer whose signature counter went back (a cloned key)", async () => {
    const { key } = await withPasskey();
    const { body } = await passkeySignIn(key);
    const replay = await call("POST", "/api/sessions/passkey", { body });
    expect(replay.status).toBe(400);
    expect(replay.json.error.code).toBe("PASSKEY_REJECTED");
  });

  it("refuses answers made for another site, with a bad signature, or by a key nobody registered", async () => {
    const { key } = await withPasskey();
    for (const bend of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { badSignature: true }]) {
      const { res } = await passkeySignIn(key, bend);
      expect({ bend, status: res.status, code: res.json.error?.code }).toEqual({
        bend,
        status: 400,
        code: "PASSKEY_REJECTED",
      });
    }
    const stranger = await SoftAuthenticator.create();
    await stranger.register({ user: { id: key.credentialId }, rp: { id: "catraca.test" }, challenge: "x" });
    const { res } = await passkeySignIn(stranger);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("PASSKEY_REJECTED");
    // The real one still works.
    expect((await passkeySignIn(key)).res.status).toBe(201);
  });

  it("refuses a registration for another origin, or with another fan's state", async () => {
    const fan = await signIn();
    const key = await SoftAuthenticator.create();
    expect((await register(fan, key, { origin: "https://evil.example" })).json.error.code).toBe("PASSKEY_REJECTED");
    const other = await signIn();
    const theirs = await call("POST", "/api/passkeys/registration/options", { token: other.token });
    const res = await call("POST", "/api/passkeys/registration", {
      token: fan.token,
      body: { state: theirs.json.state, response: await key.register(theirs.json.options) },
    });
    expect(res.json.error).toEqual({ code: "PASSKEY_REJECTED", message: "state: started by another fan" });
    expect((await call("GET", "/api/passkeys", { token: fan.token })).json.passkeys).toEqual([]);
  });

  it("removes a passkey: it no longer signs in, and removing it again is 404 PASSKEY_NOT_FOUND", async () => {
    const { fan, key, passkey } = await withPasskey();
    const other = await signIn();
    expect((await call("DELETE", `/api/passkeys/${passkey.id}`, { token: other.token })).status).toBe(404);
    expect((await call("DELETE", `/api/passkeys/${passkey.id}`, { token: fan.token })).status).toBe(204);
    expect((await call("GET", "/api/passkeys", { token: fan.token })).json.passkeys).toEqual([]);
    expect((await passkeySignIn(key)).res.json.error.code).toBe("PASSKEY_REJECTED");
    const again = await call("DELETE", `/api/passkeys/${passkey.id}`, { token: fan.token });
    expect(again.json).toEqual({ error: { code: "PASSKEY_NOT_FOUND", message: expect.any(String) } });
  });

  it("a passkey session ends too when the fan signs out everywhere", async () => {
    const { fan, key } = await withPasskey();
    const { res } = await passkeySignIn(key);
    expect((await call("DELETE", "/api/sessions", { token: fan.token })).status).toBe(204);
    expect((await call("GET", "/api/passkeys", { token: res.json.token })).status).toBe(401);
    const after = await passkeySignIn(key);
    expect((await call("GET", "/api/passkeys", { token: after.res.json.token })).status).toBe(200);
  });

  it("needs a session to list, register or remove passkeys", async () => {
    for (const [method, path] of [
      ["GET", "/api/passkeys"],
      ["POST", "/api/passkeys/registration/options"],
      ["POST", "/api/passkeys/registration"],
      ["DELETE", "/api/passkeys/x"],
    ] as const) {
      expect((await call(method, path)).status).toBe(401);
    }
  });
});
