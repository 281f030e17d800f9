/**
 * The accounts' pages (src/routes/pages.ts, src/page/sign-in.ts, my-tickets.ts, account.ts): the
 * code step in words, resending, the passkey offer, /meus-ingressos and /conta, as a browser
 * without the client bundle gets them.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Account } from "../../../src/accounts/account";
import { accountKey } from "../../../src/accounts/identity";
import { call, challengeIn, createShow, mailedCode, payAndBook, requestTicket, signIn, type TestFan } from "../helpers";
import { SoftAuthenticator } from "./authenticator";

const ORIGIN = "http://catraca.test";

async function browse(method: string, path: string, opts: { cookie?: string; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { origin: ORIGIN };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.form) headers["content-type"] = "application/x-www-form-urlencoded";
  const res = await exports.default.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
    redirect: "manual",
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const session = (fan: TestFan) => `catraca_session=${fan.token}`;

async function codeStepFor(email: string, voltar = "/") {
  const step = await browse("POST", "/entrar", { form: { name: "Wanda", email, voltar } });
  expect(step.status).toBe(200);
  return challengeIn(step.text);
}

describe("the code step", () => {
  it("says in words what went wrong: a malformed code, a wrong one with the tries left, an expired one", async () => {
    const email = `words.${crypto.randomUUID()}@example.com`;
    const challenge = await codeStepFor(email);
    const code = await mailedCode(email);
    const typed = (c: string) => browse("POST", "/entrar/codigo", { form: { challenge, code: c, voltar: "/" } });

    const malformed = await typed("12a");
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain("Digite os 6 números do código que enviamos.");
    const wrong = await typed(code === "000000" ? "111111" : "000000");
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("Código incorreto. Restam 4 tentativas.");
    expect(wrong.text).toContain('aria-invalid="true"');
    expect(wrong.headers.get("set-cookie")).toBeNull();

    expect((await typed(code)).status).toBe(303);
    const used = await typed(code);
    expect(used.status).toBe(410);
    expect(used.text).toContain("Este código expirou ou já foi usado. Peça um novo código.");
  });

  it("sends another code when asked after 30 s, and says how long to wait before that", async () => {
    const email = `resend.${crypto.randomUUID()}@example.com`;
    const challenge = await codeStepFor(email, "/shows/x");
    const early = await browse("POST", "/entrar/reenviar", { form: { challenge, voltar: "/shows/x" } });
    expect(early.status).toBe(429);
    expect(early.text).toMatch(/Acabamos de enviar um código\. Aguarde \d+ s para pedir outro\./);
    expect(challengeIn(early.text)).toBe(challenge);

    await runInDurableObject(env.ACCOUNTS.getByName(await accountKey(email)), (account: Account) => {
      const later = Date.now() + 31_000;
      account.now = () => later;
    });
    const again = await browse("POST", "/entrar/reenviar", { form: { challenge, voltar: "/shows/x" } });
    expect(again.status).toBe(200);
    expect(again.text).toContain(`Enviamos um novo código para ${email}. Use o mais recente.`);
    const second = await mailedCode(email);
    const fresh = challengeIn(again.text);
    expect(fresh).not.toBe(challenge);
    const done = await browse("POST", "/entrar/codigo", {
      form: { challenge: fresh, code: second, voltar: "/shows/x" },
    });
    expect(done.status).toBe(303);
  });

  it("goes straight back after the code when the fan already has a passkey, and offers one otherwise", async () => {
    const fan = await signIn("Xênia");
    const key = await SoftAuthenticator.create();
    const started = await call("POST", "/api/passkeys/registration/options", { token: fan.token });
    await call("POST", "/api/passkeys/registration", {
      token: fan.token,
      body: { state: started.json.state, response: await key.register(started.json.options) },
    });
    const email = started.json.options.user.name as string;
    await runInDurableObject(env.ACCOUNTS.getByName(await accountKey(email)), (account: Account) => {
      const later = Date.now() + 31_000;
      account.now = () => later;
    });
    const challenge = await codeStepFor(email, "/shows/y");
    const done = await browse("POST", "/entrar/codigo", {
      form: { challenge, code: await mailedCode(email), voltar: "/shows/y" },
    });
    expect(done.headers.get("location")).toBe("/shows/y");

    const offer = await browse("GET", "/entrar/chave?voltar=%2Fshows%2Fy", { cookie: session(await signIn()) });
    expect(offer.status).toBe(200);
    expect(offer.text).toContain("Entrar com uma chave de acesso da próxima vez?");
    expect(offer.text).toContain('href="/shows/y" data-passkey-skip');
    const anonymous = await browse("GET", "/entrar/chave?voltar=%2Fshows%2Fy");
    expect(anonymous.headers.get("location")).toBe("/entrar?voltar=%2Fshows%2Fy");
  });
});

describe("my tickets", () => {
  it("lists every ticket the fan booked, across shows, each with a code the door accepts; nobody else's", async () => {
    const fan = await signIn("Yara Tickets");
    const other = await signIn();
    const shows = [await createShow(), await createShow()];
    const booked: string[] = [];
    for (const show of shows) {
      const held = await requestTicket(show.id, fan);
      await payAndBook(show.id, fan, held.json.ticket.id);
      booked.push(held.json.ticket.id);
    }
    const theirs = await requestTicket(shows[0]!.id, other);
    await payAndBook(shows[0]!.id, other, theirs.json.ticket.id);

    const page = await browse("GET", "/meus-ingressos", { cookie: session(fan) });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Meus ingressos");
    const ids = [...page.text.matchAll(/data-ticket-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual([...booked].sort());
    expect(page.text).toContain("Yara Tickets");
    for (const [, code] of page.text.matchAll(/data-qr-code="([^"]+)"/g)) {
      const door = await call("POST", "/api/tickets/verify", { admin: true, body: { code } });
      expect(door.json).toMatchObject({ valid: true, holder: { id: fan.id } });
    }

    const empty = await browse("GET", "/meus-ingressos", { cookie: session(await signIn()) });
    expect(empty.text).toContain("Você ainda não tem ingressos.");
    const anonymous = await browse("GET", "/meus-ingressos");
    expect(anonymous.headers.get("location")).toBe("/entrar?voltar=%2Fmeus-ingressos");
  });
});

describe("my account", () => {
  it("shows the fan's passkeys, removes one, and signs out of every device", async () => {
    const fan = await signIn("Zeca Conta");
    const key = await SoftAuthenticator.create();
    const started = await call("POST", "/api/passkeys/registration/options", { token: fan.token });
    await call("POST", "/api/passkeys/registration", {
      token: fan.token,
      body: { state: started.json.state, response: await key.register(started.json.options) },
    });
    const page = await browse("GET", "/conta", { cookie: session(fan) });
    expect(page.status).toBe(200);
    expect(page.text).toContain(started.json.options.user.name);
    expect(page.text).toContain(`data-passkey-id="${key.credentialId}"`);
    expect(page.text).toContain("Sair de todos os aparelhos");
    expect(page.text).toContain('href="/meus-ingressos"');

    const removed = await browse("POST", "/conta/chaves/remover", {
      cookie: session(fan),
      form: { id: key.credentialId },
    });
    expect(removed.headers.get("location")).toBe("/conta?removida");
    const after = await browse("GET", "/conta?removida", { cookie: session(fan) });
    expect(after.text).toContain("Chave de acesso removida.");
    expect(after.text).toContain("Nenhuma chave de acesso ainda.");

    const out = await browse("POST", "/conta/sair-de-todos", { cookie: session(fan) });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/catraca_session=;.*Max-Age=0/i);
    expect((await call("GET", "/api/passkeys", { token: fan.token })).status).toBe(401);
    const signedOut = await browse("GET", "/conta", { cookie: session(fan) });
    expect(signedOut.headers.get("location")).toBe("/entrar?voltar=%2Fconta");
  });
});
