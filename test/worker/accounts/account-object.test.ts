/**
 * The account object (src/accounts/account.ts) and its rules (src/accounts/rules.ts): how often an
 * email gets a code, what a typed code does, and the alarm that forgets what ran out, so that an
 * email that never finished signing in leaves nothing behind.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { CODE_WINDOW_MS, codeBudget, MAX_WRONG_TRIES, RESEND_AFTER_MS, tryCode } from "../../../src/accounts/rules";
import { askCode, call, mailedCode } from "../helpers";

describe("the code rules", () => {
  it("send a code when none went out in the last 30 s and fewer than 6 in the last hour", () => {
    const now = 10 * CODE_WINDOW_MS;
    expect(codeBudget([], now)).toEqual({ ok: true });
    expect(codeBudget([now - RESEND_AFTER_MS + 1], now)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(codeBudget([now - RESEND_AFTER_MS], now)).toEqual({ ok: true });
    const six = [50, 40, 30, 20, 10, 1].map((m) => now - m * 60_000);
    expect(codeBudget(six, now)).toEqual({ ok: false, retryAfterMs: 10 * 60_000 });
    expect(codeBudget(six.slice(1), now)).toEqual({ ok: true });
    // Codes older than the hour do not count.
    expect(codeBudget([...six.slice(1), now - CODE_WINDOW_MS], now)).toEqual({ ok: true });
  });

  it("end a challenge on the right code, on the fifth wrong one, or past its time", () => {
    const open = { nonce: "n", expiresAt: 1000, wrongTries: 0 };
    expect(tryCode(open, true, 999)).toEqual({ answer: { outcome: "VERIFIED" }, next: null });
    expect(tryCode(open, true, 1000)).toEqual({ answer: { outcome: "EXPIRED" }, next: null });
    expect(tryCode(undefined, true, 0)).toEqual({ answer: { outcome: "EXPIRED" }, next: undefined });
    expect(tryCode(open, false, 0)).toEqual({
      answer: { outcome: "WRONG", triesLeft: 4 },
      next: { ...open, wrongTries: 1 },
    });
    const last = { ...open, wrongTries: MAX_WRONG_TRIES - 1 };
    expect(tryCode(last, false, 0)).toEqual({ answer: { outcome: "WRONG", triesLeft: 0 }, next: null });
  });
});

describe("the account object", () => {
  it("forgets an email that never finished signing in, once its codes and its hour ran out", async () => {
    const email = `gone.${crypto.randomUUID()}@example.com`;
    await askCode("Uma", email);
    const object = env.ACCOUNTS.getByName(await accountKey(email));
    const alarm = await runInDurableObject(object, (_a: Account, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now());

    // The code's expiry: the code goes, the send still counts for the hour.
    await runInDurableObject(object, (account: Account) => {
      const t = (alarm ?? 0) + 1;
      account.now = () => t;
    });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    const rows = (table: string) =>
      runInDurableObject(
        object,
        (_a: Account, state) => state.storage.sql.exec(`SELECT COUNT(*) AS n FROM ${table}`).one().n,
      );
    expect(await rows("codes")).toBe(0);
    expect(await rows("sends")).toBe(1);

    await runInDurableObject(object, (account: Account) => {
      const t = Date.now() + CODE_WINDOW_MS + 1;
      account.now = () => t;
    });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await rows("sends")).toBe(0);
    expect(await runInDurableObject(object, (_a: Account, state) => state.storage.getAlarm())).toBeNull();
    expect(await runDurableObjectAlarm(object)).toBe(false);
  });

  it("keeps a signed-in account (who it is, its session version) when its codes run out", async () => {
    const email = `kept.${crypto.randomUUID()}@example.com`;
    const { challenge } = await askCode("Vera", email);
    const signedIn = await call("POST", "/api/sessions/verify", { body: { challenge, code: await mailedCode(email) } });
    await call("DELETE", "/api/sessions", { token: signedIn.json.token });
    const object = env.ACCOUNTS.getByName(await accountKey(email));
    await runInDurableObject(object, (account: Account) => {
      const t = Date.now() + CODE_WINDOW_MS + 1;
      account.now = () => t;
    });
    await runDurableObjectAlarm(object);
    expect(await object.profile()).toEqual({ userId: signedIn.json.user.id, name: "Vera", email });
    expect(await object.sessionVersion()).toBe(1);
  });
});
