/**
 * What every fan gets alike: `GET /api/shows`, `GET /api/shows/:showId`, the home page and a show's
 * page come from the shared cache (src/edge/shared-cache.ts) for a few seconds, and nothing about a
 * fan is ever in them: the header's greeting and the sale panel come from `GET /api/me` and the fan's
 * own calls, never cached. An organizer's write shows at once where its purge reaches.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SHARED_TTL_MS } from "../../src/edge/shared-cache";
import { CONTENT_SECURITY_POLICY } from "../../src/security";
import {
  call,
  createShow,
  expireSharedAnswers,
  inDays,
  payAndBook,
  requestTicket,
  signIn,
  type TestFan,
} from "./helpers";

const session = (fan?: TestFan): Record<string, string> => (fan ? { cookie: `catraca_session=${fan.token}` } : {});

const sharedPaths = (showId: string) => ["/", `/shows/${showId}`, "/api/shows", `/api/shows/${showId}`];

function expectSecurityHeaders(headers: Headers) {
  expect(headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  expect(headers.get("x-frame-options")).toBe("DENY");
}

describe("the answers every fan gets alike", () => {
  it("are the same bytes for two fans and a stranger, name neither, and each fan learns only their own name and state", async () => {
    const show = await createShow({ startsAt: inDays(1), sectors: [{ name: "Pista", capacity: 2, priceCents: 5000 }] });
    const ana = await signIn("Ana Prado");
    const bruno = await signIn("Bruno Reis");
    const held = await requestTicket(show.id, ana);
    expect(held.json.status).toBe("IN_PROGRESS");

    for (const path of sharedPaths(show.id)) {
      // Ana's request renders it: whatever reached her render must not reach Bruno.
      const answers = [
        await call("GET", path, { headers: session(ana) }),
        await call("GET", path, { headers: session(bruno) }),
        await call("GET", path),
        await call("GET", path, { token: bruno.token }),
      ];
      for (const a of answers) {
        expect(a.status, path).toBe(200);
        expect(a.text, path).toBe(answers[0]?.text);
        for (const secret of ["Ana Prado", "Bruno Reis", ana.id, bruno.id, held.json.ticket.id, ana.token]) {
          expect(a.text, `${path} names ${secret}`).not.toContain(secret);
        }
        expect(a.headers.get("set-cookie"), path).toBeNull();
      }
    }

    const me = async (fan?: TestFan) => {
      const res = await call("GET", "/api/me", { headers: session(fan) });
      expect(res.headers.get("cache-control")).toBe("no-store");
      return res.json;
    };
    expect(await me(ana)).toEqual({ user: { id: ana.id, name: "Ana Prado" } });
    expect(await me(bruno)).toEqual({ user: { id: bruno.id, name: "Bruno Reis" } });
    expect(await me()).toEqual({ user: null });
    expect(await me({ ...ana, token: `${ana.token.slice(0, -4)}AAAA` })).toEqual({ user: null });
    const stateOf = (fan: TestFan) => call("GET", `/${show.id}/ingresso`, { headers: session(fan) });
    const [anaState, brunoState] = [await stateOf(ana), await stateOf(bruno)];
    expect(anaState.json.status).toBe("IN_PROGRESS");
    expect(brunoState.json).toEqual({ status: "NONE", booked: [] });
    expect(brunoState.headers.get("cache-control")).toBe("no-store");
  });

  it("come from the isolate's memory after the first, keep the security headers and never set a cookie", async () => {
    const show = await createShow();
    for (const path of sharedPaths(show.id)) {
      const first = await call("GET", path, { headers: { "accept-language": "en" } });
      const again = await call("GET", path, { headers: { "accept-language": "en" } });
      expect([first.headers.get("x-catraca-cache"), again.headers.get("x-catraca-cache")], path).toEqual([
        path === "/" || path === "/api/shows" ? expect.stringMatching(/^(render|edge)$/) : "render",
        "memory",
      ]);
      for (const res of [first, again]) {
        expectSecurityHeaders(res.headers);
        expect(res.headers.get("set-cookie")).toBeNull();
      }
      expect(again.text).toBe(first.text);
    }
    const page = await call("GET", `/shows/${show.id}`);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("vary")).toBe("Accept-Language, Cookie");
    const json = await call("GET", `/api/shows/${show.id}`);
    expect(Number(/max-age=(\d+)/.exec(json.headers.get("cache-control") ?? "")?.[1])).toBeLessThanOrEqual(
      SHARED_TTL_MS / 1000,
    );
    expect(json.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answer a ?lang= choice with its cookie and a redirect, uncached, and keep one page per language", async () => {
    const show = await createShow();
    const chosen = await exports.default.fetch(`http://catraca.test/shows/${show.id}?lang=en`, { redirect: "manual" });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.get("set-cookie")).toMatch(/catraca_lang=en/);
    expect(chosen.headers.get("x-catraca-cache")).toBeNull();
    const english = await call("GET", `/shows/${show.id}`, { headers: { cookie: "catraca_lang=en" } });
    const portuguese = await call("GET", `/shows/${show.id}`, { headers: { "accept-language": "pt-BR" } });
    expect(english.text).toContain('<html lang="en">');
    expect(portuguese.text).toContain('<html lang="pt-BR">');
    // The other language's link is the page's own address, never another fan's.
    expect(english.text).toContain(`href="/shows/${show.id}?lang=pt-BR"`);
  });

  it("leave out what a fan's own pages are: sign-in, My tickets, My account and the checkout are never cached", async () => {
    const show = await createShow();
    const fan = await signIn("Clara Nunes");
    const held = await requestTicket(show.id, fan);
    const pay = await call("POST", "/api/payments", {
      token: fan.token,
      body: { showId: show.id, ticketId: held.json.ticket.id },
    });
    const signInPage = await call("GET", "/entrar");
    expect(signInPage.headers.get("cache-control")).toBe("no-store");
    for (const path of ["/meus-ingressos", "/conta", `/checkout/${pay.json.payment.id}`]) {
      const res = await call("GET", path, { headers: session(fan) });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("x-catraca-cache"), path).toBeNull();
      expect(res.text, path).toContain("Olá, Clara Nunes");
    }
  });

  it("tell a hold and a booking within the TTL: the cached counts are a few seconds old at most", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 1000, meiaShare: 0 }] });
    const seat = async () => (await call("GET", `/api/shows/${show.id}`)).json.show.sectors[0];
    expect((await seat()).available).toEqual({ full: 3, meia: 0 });
    const fan = await signIn();
    const held = await requestTicket(show.id, fan);
    expect((await seat()).available).toEqual({ full: 3, meia: 0 });
    expireSharedAnswers();
    expect(await seat()).toMatchObject({ available: { full: 2, meia: 0 }, inProgress: { full: 1, meia: 0 } });
    await payAndBook(show.id, fan, held.json.ticket.id);
    expireSharedAnswers();
    expect(await seat()).toMatchObject({ available: { full: 2, meia: 0 }, inProgress: { full: 0, meia: 0 } });
  });
});

describe("an organizer's write, where its purge reaches (this isolate, this data center)", () => {
  it("lists a new show at once, and takes an archived one off at once", async () => {
    const before = await call("GET", "/api/shows");
    await call("GET", "/");
    const show = await createShow({ startsAt: inDays(0.01) });
    const listed = (await call("GET", "/api/shows")).json.shows.map((s: { id: string }) => s.id);
    expect(before.json.shows.map((s: { id: string }) => s.id)).not.toContain(show.id);
    expect(listed[0]).toBe(show.id);
    expect((await call("GET", "/")).text).toContain(`href="/shows/${show.id}"`);

    await call("GET", `/shows/${show.id}`);
    await call("GET", `/api/shows/${show.id}`);
    expect((await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true })).status).toBe(200);
    expect((await call("GET", `/api/shows/${show.id}`)).json.show.status).toBe("archived");
    expect((await call("GET", `/shows/${show.id}`)).text).toContain("data-archived");
    expect((await call("GET", "/api/shows")).json.shows.map((s: { id: string }) => s.id)).not.toContain(show.id);
    expect((await call("GET", "/")).text).not.toContain(`href="/shows/${show.id}"`);
  });

  it("puts a show being prepared on sale at once when its builder writes the last seat", async () => {
    const created = await call("POST", "/api/admin/shows", {
      admin: true,
      body: {
        bandId: (await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda", genre: "Axé" } })).json
          .band.id,
        address: "Arena, Salvador - BA",
        startsAt: inDays(30),
        sectors: [{ name: "Pista", capacity: 3_000, priceCents: 1000, meiaShare: 0 }],
      },
    });
    const showId = created.json.show.id as string;
    expect((await call("GET", `/api/shows/${showId}`)).json.show.status).toBe("preparing");
    expect((await call("GET", `/shows/${showId}`)).text).not.toContain("data-show-id");
    while (await runDurableObjectAlarm(env.BUILDERS.getByName(showId))) {
      // Each alarm writes a chunk; the last one puts the show on sale.
    }
    const ready = (await call("GET", `/api/shows/${showId}`)).json.show;
    expect(ready).toMatchObject({ status: "ready", preparation: null });
    expect(ready.sectors[0].available).toEqual({ full: 3_000, meia: 0 });
    expect((await call("GET", `/shows/${showId}`)).text).toContain(`data-show-id="${showId}"`);
  });
});
