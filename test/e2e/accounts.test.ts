/**
 * Accounts over real HTTP against wrangler dev: the code mailed to the dev outbox (a Durable Object,
 * so any request reads it), the session it gives, and sign out everywhere.
 */
import { describe, expect, it } from "vitest";
import { devServerSuite } from "./server.ts";

const suite = devServerSuite();

describe("accounts against wrangler dev", () => {
  it("a fan signs in with the code mailed to the dev outbox, once, and only with it", async () => {
    const email = `e2e.${crypto.randomUUID()}@example.com`;
    const { challenge, expiresAt } = await suite.api.askCode("Ana", ` ${email.toUpperCase()}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    const code = await suite.api.mailedCode(email);
    const wrong = await suite.api.call("POST", "/api/sessions/verify", {
      body: { challenge, code: code === "000000" ? "111111" : "000000" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe("WRONG_CODE");

    const res = await fetch(`${suite.server.url}/api/sessions/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ challenge, code }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { email: string }; token: string };
    expect(body.user.email).toBe(email);
    expect(res.headers.get("set-cookie")).toMatch(
      /catraca_session=[^;]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax/,
    );

    const replay = await suite.api.call("POST", "/api/sessions/verify", { body: { challenge, code } });
    expect(replay.status).toBe(410);
    expect(replay.json.error.code).toBe("CHALLENGE_EXPIRED");
    expect((await suite.api.call("GET", "/api/passkeys", { token: body.token })).json).toEqual({ passkeys: [] });
  });

  it("signing out everywhere ends the fan's sessions over HTTP", async () => {
    const show = await suite.api.createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 10000, meiaShare: 0 }],
    });
    const fan = await suite.api.signIn("Bia");
    expect((await suite.api.call("GET", `/${show.id}/ingresso`, { token: fan.token })).status).toBe(200);
    expect((await suite.api.call("DELETE", "/api/sessions", { token: fan.token })).status).toBe(204);
    // wrangler dev runs one isolate: the revocation holds at once.
    const after = await suite.api.call("PATCH", `/${show.id}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
    });
    expect(after.status).toBe(401);
  });
});
