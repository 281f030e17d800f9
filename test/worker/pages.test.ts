import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { CONTENT_SECURITY_POLICY } from "../../src/security";
import { call, challengeIn, createShow, mailedCode, requestTicket, signIn } from "./helpers";

const ORIGIN = "http://catraca.test";

function expectSecurityHeaders(headers: Headers) {
  expect(headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  expect(headers.get("x-frame-options")).toBe("DENY");
}

/** What our CSP forbids in markup: inline scripts, `<style>` blocks and `style` attributes. */
function expectNoInlineCode(html: string) {
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
  expect(html).not.toMatch(/<style[\s>]/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
}

/** A browser's request as the Worker sees it, redirects not followed. */
async function browse(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await exports.default.fetch(`${ORIGIN}${path}`, { method, ...init, redirect: "manual" });
  const text = await res.text();
  let json: { error?: { code?: string } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function formPost(path: string, fields: Record<string, string>, origin = ORIGIN) {
  return browse("POST", path, {
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
  });
}

describe("security headers", () => {
  it("are on every response: a page, the API's JSON, an API error and a static file", async () => {
    const responses = await Promise.all([
      call("GET", "/"),
      call("GET", "/api/health"),
      call("GET", "/api/no-such-thing"),
      call("GET", "/robots.txt"),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 200]);
    for (const res of responses) expectSecurityHeaders(res.headers);
  });
});

describe("the fans' pages", () => {
  it("are in Brazilian Portuguese by default, with prices as R$ and no inline code", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 15000, meiaShare: 0 }] });
    const home = await call("GET", "/");
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(home.text).toContain('<html lang="pt-BR">');
    expect(home.text).toContain("Próximos shows");
    expect(home.text).toContain(`href="/shows/${show.id}"`);
    expect(home.text).toMatch(/R\$\s150,00/);
    // The same for every fan (the shared cache keeps it); the browser asks again each time.
    expect(home.headers.get("cache-control")).toBe("no-cache");
    expectNoInlineCode(home.text);

    const page = await call("GET", `/shows/${show.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-show-id="${show.id}"`);
    expect(page.text).toContain("Entre para comprar");
    expectNoInlineCode(page.text);
  });

  it("are in English by Accept-Language, and a ?lang= choice is remembered in a cookie", async () => {
    const english = await call("GET", "/", { headers: { "accept-language": "en-GB,en;q=0.9" } });
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain("Upcoming shows");

    const choose = await browse("GET", "/?lang=pt-BR&x=1", { headers: { "accept-language": "en" } });
    expect(choose.status).toBe(303);
    expect(choose.headers.get("location")).toBe("/?x=1");
    expect(choose.headers.get("set-cookie")).toMatch(/catraca_lang=pt-BR/);
    const after = await call("GET", "/", { headers: { "accept-language": "en", cookie: "catraca_lang=pt-BR" } });
    expect(after.text).toContain('<html lang="pt-BR">');
  });

  it("leave the greeting and the sale panel of a show's page to the client, which asks GET /api/me", async () => {
    const show = await createShow();
    const fan = await signIn("Renata Dias");
    const page = await call("GET", `/shows/${show.id}`, { headers: { cookie: `catraca_session=${fan.token}` } });
    expect(page.text).not.toContain("Renata Dias");
    expect(page.text).toContain("data-session");
    expect(page.text).toContain("data-sale-body");
    expect(page.text).toContain("<template data-sign-in-panel>");
    const me = await call("GET", "/api/me", { headers: { cookie: `catraca_session=${fan.token}` } });
    expect(me.json).toEqual({ user: { id: fan.id, name: "Renata Dias" } });
  });

  it("answer an unknown show with a 404 page, an unknown address with a page for browsers and JSON otherwise", async () => {
    const show = await call("GET", "/shows/show_nope");
    expect(show.status).toBe(404);
    expect(show.text).toContain("Página não encontrada");

    const browser = await call("GET", "/nowhere", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(browser.status).toBe(404);
    expect(browser.text).toContain("Página não encontrada");

    const script = await call("GET", "/nowhere");
    expect(script.status).toBe(404);
    expect(script.json).toEqual({ error: { code: "NOT_FOUND", message: "no route for GET /nowhere" } });

    const api = await call("GET", "/api/nowhere", { headers: { accept: "text/html" } });
    expect(api.json.error.code).toBe("NOT_FOUND");
  });
});

describe("signing in with the page's form", () => {
  it("mails a code, then the code form sets the session cookie and offers a passkey before going back; signing out clears it", async () => {
    const email = `paula.${crypto.randomUUID()}@example.com`;
    const step = await formPost("/entrar", { name: "Paula Reis", email, voltar: "/shows/x?y=1" });
    expect(step.status).toBe(200);
    expect(step.headers.get("set-cookie")).toBeNull();
    expect(step.text).toContain(`Enviamos um código de 6 dígitos para ${email}.`);
    expect(step.text).toMatch(/<input[^>]+name="code"[^>]+autocomplete="one-time-code"/);
    expectNoInlineCode(step.text);

    const res = await formPost("/entrar/codigo", {
      challenge: challengeIn(step.text),
      code: await mailedCode(email),
      voltar: "/shows/x?y=1",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/entrar/chave?voltar=${encodeURIComponent("/shows/x?y=1")}`);
    expect(res.headers.get("set-cookie")).toMatch(/catraca_session=.+HttpOnly/i);

    const out = await formPost("/sair", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/catraca_session=;.*Max-Age=0/i);
  });

  it("never sends the fan to another site after signing in", async () => {
    for (const voltar of ["//evil.example", "https://evil.example/", "/\\evil.example"]) {
      const email = `ana.${crypto.randomUUID()}@example.com`;
      const step = await formPost("/entrar", { name: "Ana", email, voltar });
      const res = await formPost("/entrar/codigo", {
        challenge: challengeIn(step.text),
        code: await mailedCode(email),
        voltar,
      });
      expect(res.headers.get("location")).toBe("/entrar/chave?voltar=%2F");
    }
  });

  it("shows the form again with a clear message for a bad email, and signs nobody in", async () => {
    const res = await formPost("/entrar", { name: "Ana", email: "ana@", voltar: "/" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Confira o e-mail");
    expect(res.text).toContain('value="ana@"');
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a form posted from another site", async () => {
    const res = await formPost("/entrar", { name: "Ana", email: "ana@example.com" }, "https://evil.example");
    expect(res.status).toBe(403);
    expect(res.json?.error?.code).toBe("FORBIDDEN");
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

describe("the sandbox checkout page", () => {
  it("shows the fan's held ticket, the amount and the hold's countdown; another fan gets a 404", async () => {
    const show = await createShow();
    const fan = await signIn();
    const held = await requestTicket(show.id, fan);
    const pay = await call("POST", "/api/payments", {
      token: fan.token,
      body: { showId: show.id, ticketId: held.json.ticket.id },
    });
    expect(pay.json.checkoutUrl).toBe(`/checkout/${pay.json.payment.id}`);

    const page = await call("GET", pay.json.checkoutUrl, { headers: { cookie: `catraca_session=${fan.token}` } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Pagar R\$\s150,00/);
    expect(page.text).toContain(`data-expires-at="${held.json.expiresAt}"`);
    expect(page.text).toContain(`data-return="/shows/${show.id}?pagamento=${pay.json.payment.id}"`);
    expectNoInlineCode(page.text);

    const other = await signIn();
    const theirs = await call("GET", pay.json.checkoutUrl, { headers: { cookie: `catraca_session=${other.token}` } });
    expect(theirs.status).toBe(404);

    const anonymous = await browse("GET", pay.json.checkoutUrl);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/entrar?voltar=${encodeURIComponent(pay.json.checkoutUrl)}`);
  });

  it("reads the hold from the show's object like GET /:showId/ingresso: limited per fan, and a page saying to wait when busy", async () => {
    const show = await createShow();
    const fan = await signIn();
    const held = await requestTicket(show.id, fan);
    const pay = await call("POST", "/api/payments", {
      token: fan.token,
      body: { showId: show.id, ticketId: held.json.ticket.id },
    });
    const cookie = { cookie: `catraca_session=${fan.token}` };

    // The show's object overloaded: a page, with Retry-After, not the API's JSON.
    const overloaded = {
      getByName: () => ({
        state: async () => Promise.reject(Object.assign(new Error("overloaded"), { overloaded: true })),
      }),
    };
    const busy = await app.request(pay.json.checkoutUrl, { headers: cookie }, {
      ...env,
      SHOWS: overloaded,
    } as unknown as Env);
    expect(busy.status).toBe(503);
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await busy.text()).toContain("Muita gente neste show agora");

    // Past the fan's budget of calls to the show's objects (counted in 10 s windows: not at an edge).
    const left = 10_000 - (Date.now() % 10_000);
    if (left < 2_000) await new Promise((r) => setTimeout(r, left + 20));
    for (let i = 0; i < 1_000 && (await env.SHOW_CALL_LIMITER.limit({ key: fan.id })).success; i++);
    const limited = await call("GET", pay.json.checkoutUrl, { headers: cookie });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("10");
    expect(limited.text).toContain("Muitas tentativas em pouco tempo");
    expectNoInlineCode(limited.text);
  });
});
