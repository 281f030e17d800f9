/**
 * Rate limits (src/rate-limit.ts): sign-ins per client address, ticket calls per fan, codes per
 * email (the account object, src/accounts/rules.ts), 429
 * RATE_LIMITED with Retry-After, nothing changed by a refused call. A budget is used up through the
 * binding itself, so the tests do not send hundreds of requests; miniflare counts in windows aligned
 * to the clock, so each test starts away from a window's edge.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { app } from "../../../src/index";
import { call, createShow, outbox, requestTicket, signIn, state, ticketRows } from "../helpers";

/** A documentation-range IPv6 address of its own for each test. */
const address = () =>
  `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;

/** Wait, if needed, so that the current window of `periodSeconds` has at least 2 s left. */
async function awayFromWindowEdge(periodSeconds: number) {
  const period = periodSeconds * 1000;
  const left = period - (Date.now() % period);
  if (left < 2000) await new Promise((r) => setTimeout(r, left + 20));
}

/** Use up `key`'s budget; answers how many calls it allowed. */
async function exhaust(limiter: RateLimit, key: string): Promise<number> {
  for (let allowed = 0; allowed < 10_000; allowed++) {
    if (!(await limiter.limit({ key })).success) return allowed;
  }
  throw new Error("the limiter never said no");
}

const signInFrom = (ip: string, email = `${crypto.randomUUID()}@example.com`) =>
  call("POST", "/api/sessions", { body: { name: "Ana", email }, headers: { "cf-connecting-ip": ip } });

async function userExists(email: string) {
  return (await env.DB.prepare("SELECT 1 FROM users WHERE email = ?").bind(email).first()) !== null;
}

describe("rate limits", () => {
  it("gives one address a generous sign-in budget, then answers 429 RATE_LIMITED with Retry-After and creates nobody", async () => {
    await awayFromWindowEdge(60);
    const ip = address();
    expect((await signInFrom(ip)).status).toBe(202);
    // Fans behind one carrier-grade NAT address share it: hundreds of sign-ins a minute get through.
    expect(1 + (await exhaust(env.SIGN_IN_LIMITER, ip))).toBeGreaterThanOrEqual(300);

    const email = `${crypto.randomUUID()}@example.com`;
    const refused = await signInFrom(ip, email);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: { code: "RATE_LIMITED", message: expect.stringMatching(/sign-ins/) } });
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await userExists(email)).toBe(false);
    expect(await outbox(email)).toEqual([]);
    // Typing codes counts against the same budget.
    const code = await call("POST", "/api/sessions/verify", {
      body: { challenge: "x", code: "123456" },
      headers: { "cf-connecting-ip": ip },
    });
    expect(code.status).toBe(429);

    expect((await signInFrom(address())).status).toBe(202);
  });

  it("sends one email a code at most every 30 s and 6 an hour, whatever the addresses, with Retry-After", async () => {
    const email = `${crypto.randomUUID()}@example.com`;
    const object = env.ACCOUNTS.getByName(await accountKey(email));
    const start = Date.now();
    const at = (t: number) =>
      runInDurableObject(object, (account: Account) => {
        account.now = () => t;
      });
    await at(start);
    expect((await signInFrom(address(), email)).status).toBe(202);
    const soon = await signInFrom(address(), email);
    expect(soon.status).toBe(429);
    expect(soon.json.error).toEqual({ code: "RATE_LIMITED", message: expect.stringMatching(/this email/) });
    expect(soon.headers.get("retry-after")).toBe("30");
    await at(start + 20_000);
    expect((await signInFrom(address(), email)).headers.get("retry-after")).toBe("10");
    for (let i = 1; i < 6; i++) {
      await at(start + i * 31_000);
      expect((await signInFrom(address(), email)).status).toBe(202);
    }
    await at(start + 6 * 31_000);
    const seventh = await signInFrom(address(), email);
    expect(seventh.status).toBe(429);
    // The window is an hour from the first of the six.
    expect(seventh.headers.get("retry-after")).toBe(String(3600 - 6 * 31));
    expect(await outbox(email)).toHaveLength(6);
    await at(start + 3600_000);
    expect((await signInFrom(address(), email)).status).toBe(202);
  });

  it("applies the same sign-in budget to the page's form, answering the sign-in page with 429", async () => {
    await awayFromWindowEdge(60);
    const ip = address();
    await exhaust(env.SIGN_IN_LIMITER, ip);
    const email = `${crypto.randomUUID()}@example.com`;
    const refused = await call("POST", "/entrar", {
      body: new URLSearchParams({ name: "Ana", email, voltar: "/" }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://catraca.test",
        "cf-connecting-ip": ip,
      },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(refused.text).toContain("Muitas tentativas");
    expect(await userExists(email)).toBe(false);
  });

  it("limits ticket calls per fan, so fans sharing one address do not hold each other back", async () => {
    await awayFromWindowEdge(10);
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0 }] });
    const ip = address();
    const fans = [];
    for (let i = 0; i < 25; i++) fans.push(await signIn());
    const answers = await Promise.all(
      fans.map((f) =>
        call("PATCH", `/${show.id}/ingresso/request`, {
          token: f.token,
          body: { sector: "Pista" },
          headers: { "cf-connecting-ip": ip },
        }),
      ),
    );
    expect(answers.map((a) => a.status).filter((s) => s === 429)).toEqual([]);

    const [ana] = fans as [(typeof fans)[0]];
    const before = await state(show.id, ana);
    await exhaust(env.TICKET_LIMITER, ana.id);
    const refused = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMITED");
    expect(refused.headers.get("retry-after")).toBe("10");
    // Refused calls change nothing, and reading the state is counted apart (below).
    expect(await state(show.id, ana)).toEqual(before);
    expect((await requestTicket(show.id, ana)).status).toBe(429);
    expect([200, 202]).toContain((await requestTicket(show.id, fans[1] as (typeof fans)[0])).status);
  });

  it("regression: reading the state and opening sockets reached the show's object unthrottled; now every fan call that reaches it is limited per fan", async () => {
    await awayFromWindowEdge(10);
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia] = [await signIn(), await signIn()];
    const held = await requestTicket(show.id, ana);
    // Generous: several tabs polling every 4 s and reconnecting with backoff stay well within it.
    expect(1 + (await exhaust(env.SHOW_CALL_LIMITER, ana.id))).toBeGreaterThanOrEqual(30);

    const expect429 = (res: { status: number; json: { error: { code: string } }; headers: Headers }) => {
      expect(res.status).toBe(429);
      expect(res.json.error.code).toBe("RATE_LIMITED");
      expect(res.headers.get("retry-after")).toBe("10");
    };
    expect429(await call("GET", `/${show.id}/ingresso`, { token: ana.token }));
    const ws = await call("GET", `/${show.id}/ingresso/ws`, { token: ana.token, headers: { upgrade: "websocket" } });
    expect429(ws);
    expect429(
      await call("POST", "/api/payments", {
        token: ana.token,
        body: { showId: show.id, ticketId: held.json.ticket.id },
      }),
    );
    // Nothing changed, and other fans are not held back.
    expect(await state(show.id, bia)).toEqual({ status: "NONE", booked: [] });
    expect((await ticketRows(show.id)).map((t) => t.userId)).toEqual([ana.id]);
  });

  it("is switched off by RATE_LIMIT=off, for local load tests only", async () => {
    await awayFromWindowEdge(60);
    const ip = address();
    await exhaust(env.SIGN_IN_LIMITER, ip);
    expect((await signInFrom(ip)).status).toBe(429);
    const off = { ...env, RATE_LIMIT: "off" } as unknown as Env;
    const res = await app.request(
      "/api/sessions",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: JSON.stringify({ name: "Bia", email: `${crypto.randomUUID()}@example.com` }),
      },
      off,
    );
    expect(res.status).toBe(202);
  });
});
