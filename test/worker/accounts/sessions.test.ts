/**
 * Sessions (src/auth.ts, src/accounts/revocations.ts): a token carries its account's session
 * version; "sign out everywhere" raises it in the account object and records it in the revocation
 * list, and every older token stops working, at once in the isolate that did it and within 10 s in
 * the others (their copy of the list is at most 10 s old); 30 days otherwise.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { LIST_TRUST_MS, RevocationCache, type RevocationList, type Revoked } from "../../../src/accounts/revocations";
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

describe("the revocation list", () => {
  it("an isolate's copy is read at most every 10 s, only what changed since, and its own revocations hold at once", async () => {
    let now = 1_000_000;
    const copy = new RevocationCache(() => now);
    const list: Revoked[] = [];
    const cursors: number[] = [];
    const read = async (cursor: number) => {
      cursors.push(cursor);
      return { revoked: list.slice(cursor), cursor: list.length };
    };
    expect(await copy.minVersion("a", read)).toBe(0);
    list.push({ account: "a", version: 1 }); // signed out everywhere, in another isolate
    now += LIST_TRUST_MS - 1;
    expect(await copy.minVersion("a", read)).toBe(0);
    now += 1;
    expect(await copy.minVersion("a", read)).toBe(1);
    expect(cursors).toEqual([0, 0]);
    list.push({ account: "b", version: 3 });
    now += LIST_TRUST_MS;
    expect(await copy.minVersion("b", read)).toBe(3);
    expect(cursors).toEqual([0, 0, 1]);
    copy.note({ account: "c", version: 2 });
    expect(await copy.minVersion("c", read)).toBe(2);
    expect(cursors).toHaveLength(3);
  });

  it("reads once for the calls that arrive while a read is under way", async () => {
    const copy = new RevocationCache(() => 0);
    let reads = 0;
    const read = async () => {
      reads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return { revoked: [{ account: "a", version: 1 }], cursor: 1 };
    };
    expect(await Promise.all([1, 2, 3].map(() => copy.minVersion("a", read)))).toEqual([1, 1, 1]);
    expect(reads).toBe(1);
  });

  it("regression: a call never waits on another request's read itself; when that read never ends, it reads the list on its own", async () => {
    // The first call's request went away mid-read: in Workers its I/O dies with it and its promise
    // never settles. Before, every call of the isolate awaited that promise, and hung with it.
    const copy = new RevocationCache(() => 0);
    void copy.minVersion("a", () => new Promise<never>(() => {}));
    const read = async () => ({ revoked: [{ account: "a", version: 2 }], cursor: 1 });
    expect(await copy.minVersion("a", read)).toBe(2);
  });

  it("keeps checking against the copy it has while the list cannot be read, and tries again a second later", async () => {
    let now = 0;
    const copy = new RevocationCache(() => now);
    let down = false;
    let reads = 0;
    const read = async () => {
      reads += 1;
      if (down) throw new Error("list unreachable");
      return { revoked: [{ account: "a", version: 1 }], cursor: 1 };
    };
    await expect(
      new RevocationCache(() => 0).minVersion("a", async () => Promise.reject(new Error("down"))),
    ).rejects.toThrow("down");
    expect(await copy.minVersion("a", read)).toBe(1);
    down = true;
    now += LIST_TRUST_MS;
    expect(await copy.minVersion("a", read)).toBe(1);
    now += 999;
    expect(await copy.minVersion("a", read)).toBe(1);
    expect(reads).toBe(2);
    now += 1;
    await copy.minVersion("a", read);
    expect(reads).toBe(3);
  });

  it("keeps an entry as long as a session lasts, then forgets it", async () => {
    const list = env.REVOCATIONS.getByName(`test-${crypto.randomUUID()}`);
    await list.revoke("acc-1", 1, 1000);
    await list.revoke("acc-2", 4, 5000);
    await list.revoke("acc-1", 2, 1000);
    const all = await list.changesSince(0);
    expect(all.revoked).toEqual([
      { account: "acc-2", version: 4 },
      { account: "acc-1", version: 2 },
    ]);
    expect((await list.changesSince(all.cursor)).revoked).toEqual([]);
    await runInDurableObject(list, (o: RevocationList) => {
      const later = Date.now() + 2000;
      o.now = () => later;
    });
    await runDurableObjectAlarm(list);
    expect((await list.changesSince(0)).revoked).toEqual([{ account: "acc-2", version: 4 }]);
  });
});
