/**
 * Sign-in by one-time code (src/accounts/sign-in.ts, src/routes/sessions.ts): the challenge and the
 * mail, normalization, wrong tries, single use, expiry, D1 left alone until the code is verified,
 * and answers that never say whether an email has an account.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { seal } from "../../../src/accounts/sealed";
import { app } from "../../../src/index";
import { faultyD1 } from "../faults/faulty-d1";
import { askCode, call, mailedCode, outbox } from "../helpers";

const freshEmail = () => `fa.${crypto.randomUUID()}@example.com`;
const verify = (challenge: string, code: string) => call("POST", "/api/sessions/verify", { body: { challenge, code } });
/** A wrong code for sure: the right one with its last digit changed. */
const wrong = (code: string) => code.slice(0, 5) + ((Number(code[5]) + 1) % 10);

async function accountOf(email: string) {
  return env.ACCOUNTS.getByName(await accountKey(email));
}

/** Past the 30 s between two codes for one email, by the email's account object's clock. */
async function resendAllowed(email: string) {
  await runInDurableObject(await accountOf(email), (account: Account) => {
    const later = Date.now() + 31_000;
    account.now = () => later;
  });
}

/** The Worker's app over a D1 that records every statement the Worker sends it. */
function countingD1() {
  const ops: string[] = [];
  const counted = { ...env, DB: faultyD1(env.DB, { before: (op) => void ops.push(op) }) } as unknown as Env;
  const request = (path: string, body: unknown) =>
    app.request(
      path,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      counted,
    );
  return { ops, request };
}

describe("signing in with a code sent by email", () => {
  it("mails a six-digit code and answers 202 with a challenge that lasts 10 minutes, and no session", async () => {
    const email = freshEmail();
    const before = Date.now();
    const res = await call("POST", "/api/sessions", { body: { name: "Ana", email } });
    expect(res.status).toBe(202);
    expect(Object.keys(res.json).sort()).toEqual(["challenge", "expiresAt"]);
    const lasts = Date.parse(res.json.expiresAt) - before;
    expect(lasts).toBeGreaterThanOrEqual(600_000);
    expect(lasts).toBeLessThan(605_000);
    expect(res.headers.get("set-cookie")).toBeNull();

    const [mail, ...more] = await outbox(email);
    expect(more).toEqual([]);
    const code = await mailedCode(email);
    expect(code).toMatch(/^\d{6}$/);
    expect(mail).toMatchObject({ to: email, subject: `${code} é o seu código de acesso ao catraca` });
    expect(mail?.text).toContain("Olá, Ana!");
    expect(mail?.html).toContain(code);
    expect(Date.parse(mail?.sentAt ?? "")).toBeGreaterThanOrEqual(before);
    // The challenge carries the code only as a keyed digest.
    expect(res.json.challenge).not.toContain(code);
    expect(atob(res.json.challenge.split(".")[0].replaceAll("-", "+").replaceAll("_", "/"))).not.toContain(code);
  });

  it("turns the right code into the v1 session: the user, a JWT and an HttpOnly SameSite=Lax cookie", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Bia", email);
    const res = await verify(challenge, await mailedCode(email));
    expect(res.status).toBe(201);
    expect(res.json.user).toEqual({ id: expect.stringMatching(/^usr_/), name: "Bia", email });
    expect(res.json.token.split(".")).toHaveLength(3);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/catraca_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=2592000/);
    const me = await call("GET", "/api/passkeys", { token: res.json.token });
    expect(me.status).toBe(200);
  });

  it("normalizes the email: ' Ana@Example.com ' and 'ana@example.com' are one fan, not a 400 and not two fans", async () => {
    const local = `Ana.${crypto.randomUUID()}`;
    const spaced = ` ${local}@Example.COM `;
    const normal = `${local.toLowerCase()}@example.com`;
    const first = await askCode("Ana", spaced);
    const signedIn = await verify(first.challenge, await mailedCode(normal));
    expect(signedIn.status).toBe(201);
    expect(signedIn.json.user.email).toBe(normal);
    await resendAllowed(normal);

    const again = await askCode("Ana Maria", normal);
    const second = await verify(again.challenge, await mailedCode(normal));
    expect(second.json.user).toEqual({ id: signedIn.json.user.id, name: "Ana Maria", email: normal });
    expect(await outbox(spaced)).toHaveLength(2);
  });

  it("answers 400 WRONG_CODE with the tries left; the fifth wrong code ends the challenge, even for the right code after it", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Caio", email);
    const code = await mailedCode(email);
    const left: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await verify(challenge, wrong(code));
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("WRONG_CODE");
      left.push(res.json.error.message);
    }
    expect(left).toEqual([
      "wrong code; 4 tries left",
      "wrong code; 3 tries left",
      "wrong code; 2 tries left",
      "wrong code; 1 try left",
      "wrong code, and no tries left: ask for a new code",
    ]);
    const late = await verify(challenge, code);
    expect(late.status).toBe(410);
    expect(late.json.error.code).toBe("CHALLENGE_EXPIRED");
    expect(late.headers.get("set-cookie")).toBeNull();

    // A new code starts a new challenge with five tries of its own.
    await resendAllowed(email);
    const next = await askCode("Caio", email);
    expect((await verify(next.challenge, await mailedCode(email))).status).toBe(201);
  });

  it("lets a code work once: the same challenge and code again is 410 CHALLENGE_EXPIRED", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Duda", email);
    const code = await mailedCode(email);
    expect((await verify(challenge, code)).status).toBe(201);
    const replay = await verify(challenge, code);
    expect(replay.status).toBe(410);
    expect(replay.json).toEqual({ error: { code: "CHALLENGE_EXPIRED", message: expect.any(String) } });
  });

  it("ends a code after 10 minutes: by the account object's clock, and without asking it once the challenge's time is past", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Elis", email);
    const code = await mailedCode(email);
    await runInDurableObject(await accountOf(email), (account: Account) => {
      const later = Date.now() + 10 * 60_000;
      account.now = () => later;
    });
    expect((await verify(challenge, code)).json.error.code).toBe("CHALLENGE_EXPIRED");

    // A challenge sealed with a time already past, for an email whose object has never been asked.
    const other = freshEmail();
    const past = await seal(env, "sign-in-code", {
      e: other,
      n: "Elis",
      l: "pt-BR",
      i: "nonce",
      d: "digest",
      x: Date.now() - 1,
    });
    const res = await verify(past, "123456");
    expect(res.status).toBe(410);
    expect(res.json.error.code).toBe("CHALLENGE_EXPIRED");
    await runInDurableObject(await accountOf(other), async (_account: Account, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM codes").one().n).toBe(0);
    });
  });

  it("takes a pasted code with spaces or a dash, and refuses other shapes with 400 naming the field", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Gal", email);
    const code = await mailedCode(email);
    for (const bad of ["12345", "1234567", "12a456", "", 123456]) {
      const res = await call("POST", "/api/sessions/verify", { body: { challenge, code: bad } });
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({ code: "BAD_REQUEST", message: expect.stringMatching(/^code/) });
    }
    // None of those counted as a try.
    expect((await verify(challenge, ` ${code.slice(0, 3)} - ${code.slice(3)} `)).status).toBe(201);
  });

  it("refuses a challenge it did not seal, or one changed to name another email, with 400 BAD_REQUEST", async () => {
    const email = freshEmail();
    const { challenge } = await askCode("Hugo", email);
    const code = await mailedCode(email);
    const [body, mac] = challenge.split(".") as [string, string];
    const claims = JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
    const retargeted = btoa(JSON.stringify({ ...claims, e: "victim@example.com" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    for (const forged of [`${retargeted}.${mac}`, "garbage", `${body}.`, `${body}.${mac}.x`]) {
      const res = await verify(forged, code);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("BAD_REQUEST");
    }
    // The untouched challenge still works: forgeries cost it no try.
    expect((await verify(challenge, code)).status).toBe(201);
  });

  it("writes nothing to D1 before the code is verified, one user upsert after, and none for a fan it knows", async () => {
    const email = freshEmail();
    const { ops, request } = countingD1();
    const started = (await (await request("/api/sessions", { name: "Iara", email })).json()) as { challenge: string };
    const code = await mailedCode(email);
    await request("/api/sessions/verify", { challenge: started.challenge, code: wrong(code) });
    expect(ops).toEqual([]);
    expect(await env.DB.prepare("SELECT 1 FROM users WHERE email = ?").bind(email).first()).toBeNull();

    expect((await request("/api/sessions/verify", { challenge: started.challenge, code })).status).toBe(201);
    expect(ops).toEqual(["write"]);

    // Back on sale day under the same name: the account object knows the fan, D1 is not touched.
    await resendAllowed(email);
    ops.length = 0;
    const again = (await (await request("/api/sessions", { name: "Iara", email })).json()) as { challenge: string };
    const back = await request("/api/sessions/verify", { challenge: again.challenge, code: await mailedCode(email) });
    expect(back.status).toBe(201);
    expect(ops).toEqual([]);
  });

  it("answers an email that has an account exactly as one that has none", async () => {
    const known = freshEmail();
    const { challenge } = await askCode("Jade", known);
    await verify(challenge, await mailedCode(known));
    await resendAllowed(known);
    const unknown = freshEmail();
    const shape = (res: Awaited<ReturnType<typeof call>>) => ({
      status: res.status,
      keys: Object.keys(res.json ?? {}).sort(),
      error: res.json?.error,
      headers: [...res.headers.keys()].filter((h) => h !== "date").sort(),
    });
    const [a, b] = [
      await call("POST", "/api/sessions", { body: { name: "Jade", email: known } }),
      await call("POST", "/api/sessions", { body: { name: "Jade", email: unknown } }),
    ];
    expect(shape(a)).toEqual(shape(b));
    const [wa, wb] = [
      await verify(a.json.challenge, wrong(await mailedCode(known))),
      await verify(b.json.challenge, wrong(await mailedCode(unknown))),
    ];
    expect(shape(wa)).toEqual(shape(wb));
    // Both mails say the same words, whoever has an account.
    const [ma, mb] = [(await outbox(known)).at(-1), (await outbox(unknown)).at(-1)];
    expect(ma?.text.replace(/\d{6}/, "")).toBe(mb?.text.replace(/\d{6}/, ""));
  });

  it("mails in English when asked in the body, by the language cookie or by Accept-Language", async () => {
    const cases: [Record<string, string>, Record<string, unknown>][] = [
      [{}, { lang: "en" }],
      [{ cookie: "catraca_lang=en" }, {}],
      [{ "accept-language": "en-GB,en;q=0.9" }, {}],
    ];
    for (const [headers, extra] of cases) {
      const email = freshEmail();
      const res = await call("POST", "/api/sessions", { body: { name: "Kim", email, ...extra }, headers });
      expect(res.status).toBe(202);
      const mail = (await outbox(email))[0];
      expect(mail?.subject).toMatch(/^\d{6} is your catraca sign-in code$/);
      expect(mail?.text).toContain("Hi Kim,");
    }
  });
});
