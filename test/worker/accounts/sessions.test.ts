/**
 * Sessions (src/auth.ts, src/accounts/session-versions.ts): a token carries its account's session
 * version; "sign out everywhere" raises it in the account object, and every older token stops
 * working, at once in the isolate that did it and within 10 s in others; 30 days otherwise.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { SessionVersions, VERSION_TRUST_MS } from "../../../src/accounts/session-versions";
import { askCode, call, createShow, mailedCode, requestTicket, signIn } from "../helpers";

/** Move the email's account object's clock `ms` ahead of now (past the 30 s between codes). */
async function laterBy(email: string, ms: number) {
  await runInDurableObject(env.ACCOUNTS.getByName(await accountKey(email)), (account: Account) => {
    const later = Date.now() + ms;
    account.now = () => later;
  });
}

/** Sign in on one device: a code for `email`, verified. */
async function signInAgain(name: string, email: string) {
  const { challenge } = await askCode(name, email);
  const res = await call("POST", "/api/sessions/verify", { body: { challenge, code: await mailedCode(email) } });
  if (res.status !== 201) throw new Error(`sign-in: ${res.status} ${res.text}`);
  return res.json.token as string;
}

describe("sessions", () => {
  it("last 30 days", async () => {
    const fan = await signIn();
    const claims = JSON.parse(atob(fan.token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")));
    expect(claims.exp - claims.iat).toBe(30 * 86_400);
    expect(claims).toMatchObject({ sub: fan.id, sv: 0, acc: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("signing out everywhere ends every session of the fan at once, on every device, and nobody else's", async () => {
    const show = await createShow();
    const email = `everywhere.${crypto.randomUUID()}@example.com`;
    const phone = await signInAgain("Rita", email);
    await laterBy(email, 31_000);
    const laptop = await signInAgain("Rita", email);
    const other = await signIn();
    for (const token of [phone, laptop, other.token]) {
      expect((await call("GET", `/${show.id}/ingresso`, { token })).status).toBe(200);
    }

    const out = await call("DELETE", "/api/sessions", { token: laptop });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/catraca_session=;.*Max-Age=0/i);
    for (const token of [phone, laptop]) {
      const res = await call("GET", `/${show.id}/ingresso`, { token });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("UNAUTHORIZED");
    }
    expect((await call("GET", `/${show.id}/ingresso`, { token: other.token })).status).toBe(200);
    expect((await call("DELETE", "/api/sessions", { token: phone })).status).toBe(401);

    // Signing in again gives a session of the new version.
    await laterBy(email, 62_000);
    const fresh = await signInAgain("Rita", email);
    expect(JSON.parse(atob(fresh.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))).sv).toBe(1);
    expect((await requestTicket(show.id, { id: "", name: "Rita", token: fresh })).status).toBe(200);
  });
});

describe("session versions in an isolate", () => {
  it("trust a version read within the last 10 s, and read it again after", async () => {
    let now = 1_000_000;
    const versions = new SessionVersions(() => now);
    let stored = 0;
    let reads = 0;
    const load = async () => {
      reads += 1;
      return stored;
    };
    expect(await versions.current("acc", load)).toBe(0);
    stored = 1; // signed out everywhere, in another isolate
    now += VERSION_TRUST_MS - 1;
    expect(await versions.current("acc", load)).toBe(0);
    expect(reads).toBe(1);
    now += 1;
    expect(await versions.current("acc", load)).toBe(1);
    expect(reads).toBe(2);
    // What this isolate wrote itself holds at once.
    versions.remember("acc", 2);
    expect(await versions.current("acc", load)).toBe(2);
    expect(reads).toBe(2);
  });
});
