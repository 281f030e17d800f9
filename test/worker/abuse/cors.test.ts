/**
 * Cross-origin policy (src/cors.ts): the public catalogue is readable from any origin, without
 * credentials; nothing else is shared; a browser on another origin cannot write.
 */
import { describe, expect, it } from "vitest";
import { call, createShow, signIn, state, ticketRows } from "../helpers";

const ELSEWHERE = "https://elsewhere.example";

describe("CORS", () => {
  it("lets any origin read the public catalogue and health, without credentials", async () => {
    const show = await createShow();
    for (const path of ["/api/shows", `/api/shows/${show.id}`, "/api/shows/show_nope", "/api/health"]) {
      const res = await call("GET", path, { headers: { origin: ELSEWHERE } });
      expect({ path, allow: res.headers.get("access-control-allow-origin") }).toEqual({ path, allow: "*" });
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it("answers a preflight for the catalogue with GET only", async () => {
    const res = await call("OPTIONS", "/api/shows", {
      headers: { origin: ELSEWHERE, "access-control-request-method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET,HEAD");
  });

  it("shares nothing else with other origins: no CORS headers on fan, admin and payment endpoints", async () => {
    const show = await createShow();
    const fan = await signIn();
    const reads = [
      call("GET", `/${show.id}/ingresso`, { token: fan.token, headers: { origin: ELSEWHERE } }),
      call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true, headers: { origin: ELSEWHERE } }),
      call("GET", "/api/payments/pay_nope", { token: fan.token, headers: { origin: ELSEWHERE } }),
      call("OPTIONS", `/${show.id}/ingresso/request`, {
        headers: { origin: ELSEWHERE, "access-control-request-method": "PATCH" },
      }),
    ];
    for (const res of await Promise.all(reads)) expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses writes from a browser on another origin with 403 and changes nothing; same-origin writes work", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    const fan = await signIn();
    const foreign = await call("PATCH", `/${show.id}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
      headers: { origin: ELSEWHERE },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe("FORBIDDEN");
    expect((await state(show.id, fan)).status).toBe("NONE");
    expect((await ticketRows(show.id))[0]?.status).toBe("AVAILABLE");
    const signInElsewhere = await call("POST", "/api/sessions", {
      body: { name: "Eva", email: "eva@example.com" },
      headers: { origin: ELSEWHERE },
    });
    expect(signInElsewhere.status).toBe(403);

    const own = await call("PATCH", `/${show.id}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
      headers: { origin: "http://catraca.test" },
    });
    expect(own.status).toBe(200);
  });
});
