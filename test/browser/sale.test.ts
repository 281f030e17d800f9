/**
 * The fans' page in a real browser (Debian's Chromium) against `wrangler dev`: the scenarios of
 * issue 5, with screenshots of every screen. Every test fails on a console error or CSP violation.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import {
  Api,
  createShow,
  emailFor,
  type FanPage,
  launchChromium,
  mailedCode,
  openFan,
  seconds,
  shoot,
  shootPrint,
  signInOnPage,
} from "./support.ts";

let server: DevServer;
let api: Api;
let browser: Browser;
const fans: FanPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ seedFiles: ["scripts/demo-data.sql"] }), launchChromium()]);
  api = new Api(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

afterEach(async () => {
  const seen = fans.flatMap((f) => f.problems);
  await Promise.all(fans.splice(0).map((f) => f.context.close()));
  expect(seen, "console errors or CSP violations").toEqual([]);
});

async function fan(opts: Parameters<typeof openFan>[2] = {}): Promise<FanPage> {
  const f = await openFan(browser, server.url, opts);
  fans.push(f);
  return f;
}

const onePistaTicket = (band: string, holdSeconds?: number) =>
  createShow(api, {
    band,
    festival: "Festival Fila Justa",
    holdSeconds,
    sectors: [
      { name: "Pista", capacity: 1, priceCents: 15000, meiaShare: 0 },
      { name: "Camarote", capacity: 4, priceCents: 42000, meiaShare: 0.5 },
    ],
  });

describe("the fans' page", () => {
  it("lists the shows and opens one, in Brazilian Portuguese by default", async () => {
    const { page } = await fan();
    await page.goto("/");
    expect(await page.getAttribute("html", "lang")).toBe("pt-BR");
    await expect.poll(() => page.getByRole("heading", { name: "Próximos shows" }).isVisible()).toBe(true);
    const coala = page.locator(".show-card", { hasText: "Trio Maracatu Elétrico" });
    await expect.poll(() => coala.textContent()).toMatch(/R\$\s150,00/);
    await shoot(page, "01-shows");

    await coala.getByRole("link", { name: "Trio Maracatu Elétrico" }).click();
    await page.waitForURL("**/shows/show_demo_coala");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Trio Maracatu Elétrico");
    expect(await page.locator(".about").textContent()).toContain("Chico Science");
    await shoot(page, "02-show");

    await page.getByRole("link", { name: "Entrar" }).click();
    await page.waitForURL("**/entrar?voltar=*");
    await shoot(page, "03-sign-in");
  });

  it("two fans, one ticket: A holds, B waits at position 1, A gives up and B is admitted live, pays and gets the QR ticket", async () => {
    const show = await onePistaTicket("Os Garotos de Marte");
    const a = await fan();
    const b = await fan();

    await a.page.goto(`/shows/${show.id}`);
    await signInOnPage(a.page, "Ana Souza");
    await a.page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();
    // The page itself is the same for everybody: the header greets the fan from GET /api/me.
    await expect.poll(() => a.page.locator(".topnav__hello").textContent()).toBe("Olá, Ana Souza");
    await expect.poll(() => a.page.getByTestId("connection").textContent()).toBe("Ao vivo");
    await shoot(a.page, "04-choose");
    await a.page.getByRole("button", { name: "Entrar na fila" }).click();
    await a.page.getByRole("heading", { name: "É a sua vez!" }).waitFor();

    await b.page.goto(`/shows/${show.id}`);
    await signInOnPage(b.page, "Bruno Lima");
    await expect.poll(() => b.page.locator(".topnav__hello").textContent()).toBe("Olá, Bruno Lima");
    expect(await b.page.content()).not.toContain("Ana Souza");
    await b.page.getByRole("radio", { name: /Pista/ }).check();
    await b.page.getByRole("button", { name: "Entrar na fila" }).click();
    await b.page.getByRole("heading", { name: "Você está na fila" }).waitFor();
    expect(await b.page.getByTestId("place").textContent()).toContain("1º");
    expect(await b.page.getByTestId("place").textContent()).toContain("Ninguém na sua frente");
    await shoot(b.page, "05-waiting");

    // Reloading keeps the place: the page renders the server's state, never a local guess.
    await b.page.reload();
    await b.page.getByRole("heading", { name: "Você está na fila" }).waitFor();
    expect(await b.page.getByTestId("place").textContent()).toContain("1º");

    await shoot(a.page, "06-admitted");
    await a.page.getByRole("button", { name: "Desistir do ingresso" }).click();
    await a.page.getByRole("button", { name: "Sim, desistir" }).click();
    await a.page.getByRole("heading", { name: "Compra cancelada" }).waitFor();
    await shoot(a.page, "09-cancelled");

    // B's page turns to admitted by itself, no reload.
    await b.page.getByRole("heading", { name: "É a sua vez!" }).waitFor({ timeout: 10_000 });

    // The countdown survives a reload: it goes on from where it was instead of starting over.
    const before = seconds(await b.page.getByTestId("countdown").textContent());
    await b.page.waitForTimeout(2_100);
    await b.page.reload();
    await b.page.getByRole("heading", { name: "É a sua vez!" }).waitFor();
    await expect.poll(() => b.page.getByTestId("connection").textContent()).toBe("Ao vivo");
    const after = seconds(await b.page.getByTestId("countdown").textContent());
    expect(after).toBeLessThanOrEqual(before - 1);
    expect(after).toBeGreaterThan(before - 10);

    await b.page.getByRole("button", { name: "Pagar R$ 150,00" }).click();
    await b.page.waitForURL("**/checkout/pay_*");
    await b.page.getByRole("heading", { name: "Pagamento" }).waitFor();
    await shoot(b.page, "07-checkout");
    await b.page.getByRole("button", { name: "Pagar R$ 150,00" }).click();
    await b.page.waitForURL(`**/shows/${show.id}`);
    await b.page.getByRole("heading", { name: "Ingresso garantido!" }).waitFor();
    const qr = b.page.getByRole("img", { name: "QR code do ingresso Pista" });
    await qr.waitFor();
    expect(await qr.locator("path").getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(await b.page.locator(".ticket").textContent()).toContain("Bruno Lima");
    await shoot(b.page, "08-ticket");
    await shootPrint(b.page, "08-ticket");

    // The code in the QR is signed, and the organizer's door check accepts it.
    const ticketId = await b.page.locator(".ticket").getAttribute("data-ticket-id");
    const mine = await b.page.request.get(`/api/tickets/${ticketId}`);
    const { code } = (await mine.json()) as { code: string };
    const door = await api.call("POST", "/api/tickets/verify", { admin: true, body: { code, showId: show.id } });
    expect(door.json).toMatchObject({ valid: true, holder: { name: "Bruno Lima" } });
  });

  it("sold out: a fan still waiting when the last ticket is booked is offered the sectors that have tickets", async () => {
    const show = await onePistaTicket("Banda Sold Out");
    const holder = await api.signIn("Carla");
    const held = await api.call("PATCH", `/${show.id}/ingresso/request`, {
      token: holder.token,
      body: { sector: "Pista" },
    });
    expect(held.status).toBe(200);

    const d = await fan();
    await d.page.goto(`/shows/${show.id}`);
    await signInOnPage(d.page, "Diego Alves");
    await d.page.getByRole("radio", { name: /Pista/ }).check();
    await d.page.getByRole("button", { name: "Entrar na fila" }).click();
    await d.page.getByRole("heading", { name: "Você está na fila" }).waitFor();

    const ticketId = held.json.ticket.id;
    const pay = await api.call("POST", "/api/payments", { token: holder.token, body: { showId: show.id, ticketId } });
    await api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: holder.token });
    const booked = await api.call("PATCH", `/${show.id}/ingresso/book`, {
      token: holder.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    expect(booked.json.status).toBe("BOOKED");

    await d.page.getByRole("heading", { name: "Esgotado" }).waitFor({ timeout: 10_000 });
    const other = d.page.locator(".alternative", { hasText: "Camarote · Inteira" });
    await other.waitFor();
    await shoot(d.page, "10-sold-out");
    await other.getByRole("button", { name: "Entrar na fila" }).click();
    await d.page.getByRole("heading", { name: "É a sua vez!" }).waitFor();
    expect(await d.page.locator(".held").textContent()).toContain("Camarote · Inteira");
  });

  it("keeps the sector table true live: the last meia ticket held, then booked, reads so without a reload", async () => {
    const show = await createShow(api, {
      band: "Banda da Meia",
      festival: "Festival Fila Justa",
      sectors: [{ name: "Pista", capacity: 2, priceCents: 15000, meiaShare: 0.5 }],
    });
    const w = await fan();
    await w.page.goto(`/shows/${show.id}`);
    await signInOnPage(w.page, "Wanda Olhos");
    await w.page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();
    await expect.poll(() => w.page.getByTestId("connection").textContent()).toBe("Ao vivo");
    const meia = w.page.locator(`.sectors [data-avail="${show.id}|Pista|meia"]`);
    expect(await meia.textContent()).toBe("1 disponível");

    const buyer = await api.signIn("Xavier");
    const held = await api.call("PATCH", `/${show.id}/ingresso/request`, {
      token: buyer.token,
      body: { sector: "Pista", meia: true },
    });
    expect(held.status).toBe(200);
    await expect.poll(() => meia.textContent(), { timeout: 5_000 }).toBe("todos reservados: entre na fila");
    const ticketId = held.json.ticket.id;
    const pay = await api.call("POST", "/api/payments", { token: buyer.token, body: { showId: show.id, ticketId } });
    await api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: buyer.token });
    await api.call("PATCH", `/${show.id}/ingresso/book`, {
      token: buyer.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    await expect.poll(() => meia.textContent(), { timeout: 5_000 }).toBe("esgotado");
    expect(await w.page.locator(`.sectors [data-avail="${show.id}|Pista|full"]`).textContent()).toBe("1 disponível");
    await shoot(w.page, "24-live-availability");
  });

  it("expired: a hold that runs out turns the page to 'time ran out', and the fan can join again", async () => {
    const show = await onePistaTicket("Banda Relâmpago", 3);
    const e = await fan();
    await e.page.goto(`/shows/${show.id}`);
    await signInOnPage(e.page, "Elisa Rocha");
    await e.page.getByRole("button", { name: "Entrar na fila" }).click();
    await e.page.getByRole("heading", { name: "É a sua vez!" }).waitFor();
    await e.page.getByRole("heading", { name: "Seu tempo acabou" }).waitFor({ timeout: 15_000 });
    await shoot(e.page, "11-expired");
    await e.page.getByRole("button", { name: /^Entrar na fila de novo/ }).click();
    await e.page.getByRole("heading", { name: "É a sua vez!" }).waitFor();
  });

  it("works in English, by Accept-Language and by the toggle, which persists", async () => {
    const show = await onePistaTicket("The Fair Queue Band");
    const en = await fan({ locale: "en-US" });
    await en.page.goto(`/shows/${show.id}`);
    expect(await en.page.getAttribute("html", "lang")).toBe("en");
    await signInOnPage(en.page, "Grace Hopper");
    await en.page.getByRole("heading", { name: "Choose your ticket" }).waitFor();
    await en.page.getByRole("button", { name: "Join the queue" }).click();
    await en.page.getByRole("heading", { name: "It's your turn!" }).waitFor();
    await en.page.getByRole("button", { name: "Pay R$ 150,00" }).waitFor();
    await shoot(en.page, "12-admitted-english");

    const pt = await fan();
    await pt.page.goto("/");
    await pt.page.getByRole("link", { name: "English" }).click();
    await pt.page.getByRole("heading", { name: "Upcoming shows" }).waitFor();
    expect(await pt.page.getAttribute("html", "lang")).toBe("en");
    await pt.page.reload();
    await pt.page.getByRole("heading", { name: "Upcoming shows" }).waitFor();
    await pt.page.getByRole("link", { name: "Português" }).click();
    await pt.page.getByRole("heading", { name: "Próximos shows" }).waitFor();
  });

  it("follows the queue by polling when the WebSocket cannot connect", async () => {
    const show = await onePistaTicket("Banda Sem Socket");
    const holder = await api.signIn("Helena");
    await api.call("PATCH", `/${show.id}/ingresso/request`, { token: holder.token, body: { sector: "Pista" } });

    const f = await fan();
    await f.page.routeWebSocket(/\/ingresso\/ws/, (ws) => ws.close({ code: 1011, reason: "blocked by the test" }));
    await f.page.goto(`/shows/${show.id}`);
    await signInOnPage(f.page, "Igor Nunes");
    await f.page.getByRole("radio", { name: /Pista/ }).check();
    await f.page.getByRole("button", { name: "Entrar na fila" }).click();
    await f.page.getByRole("heading", { name: "Você está na fila" }).waitFor();
    await expect.poll(() => f.page.getByTestId("connection").textContent()).toBe("Atualizando a cada poucos segundos");

    await api.call("PATCH", `/${show.id}/ingresso/cancel`, { token: holder.token });
    await f.page.getByRole("heading", { name: "É a sua vez!" }).waitFor({ timeout: 10_000 });
  });

  it("tells the fan to hold on while the show is too busy, never asking sooner than it said, and polls as usual again after", async () => {
    const show = await onePistaTicket("Banda Lotada");
    const holder = await api.signIn("Olga");
    await api.call("PATCH", `/${show.id}/ingresso/request`, { token: holder.token, body: { sector: "Pista" } });

    const f = await fan();
    await f.page.routeWebSocket(/\/ingresso\/ws/, (ws) => ws.close({ code: 1011, reason: "blocked by the test" }));
    await f.page.goto(`/shows/${show.id}`);
    await signInOnPage(f.page, "Pedro Paciente");
    await f.page.getByRole("radio", { name: /Pista/ }).check();
    await f.page.getByRole("button", { name: "Entrar na fila" }).click();
    await f.page.getByRole("heading", { name: "Você está na fila" }).waitFor();

    // The show answers 503 with Retry-After: 2 to every read of the state.
    const asked: number[] = [];
    let busy = true;
    await f.page.route(new RegExp(`/${show.id}/ingresso$`), async (route) => {
      if (!busy) return route.continue();
      asked.push(Date.now());
      await route.fulfill({
        status: 503,
        headers: { "retry-after": "2", "content-type": "application/json" },
        body: JSON.stringify({ error: { code: "UNAVAILABLE", message: "busy" } }),
      });
    });
    const connection = () => f.page.getByTestId("connection").textContent();
    await expect.poll(connection, { timeout: 10_000 }).toBe("Muita procura: aguarde, tentando de novo");
    await expect.poll(() => asked.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(1_900);

    busy = false;
    await expect.poll(connection, { timeout: 30_000 }).toBe("Atualizando a cada poucos segundos");
    // The browser logs each 503 it was answered: those were this test's.
    f.problems.splice(0, f.problems.length, ...f.problems.filter((p) => !/status of 503/.test(p)));
  });

  it("does not reconnect a tab whose socket went to a newer tab of the same fan, until the fan comes back to it", async () => {
    const show = await onePistaTicket("Banda das Abas");
    const f = await fan();
    await f.page.goto(`/shows/${show.id}`);
    await signInOnPage(f.page, "Quiteria Abas");
    await f.page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();
    let connects = 0;
    await f.page.routeWebSocket(/\/ingresso\/ws/, (ws) => {
      connects += 1;
      // The server's close for the oldest of too many tabs (CLOSE.REPLACED), on the first connect only.
      if (connects === 1) ws.close({ code: 4001, reason: "replaced by a newer tab" });
      else ws.connectToServer();
    });
    await f.page.reload();
    const connection = () => f.page.getByTestId("connection").textContent();
    await expect.poll(connection).toBe("Aberto em outra aba: volte aqui para atualizar ao vivo");
    await f.page.waitForTimeout(3_000);
    expect(connects).toBe(1);

    // The fan comes back to this tab: it takes the live connection back.
    await f.page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await expect.poll(connection).toBe("Ao vivo");
    expect(connects).toBe(2);
  });

  it("can be used with the keyboard alone, and says position changes to screen readers", async () => {
    const show = await onePistaTicket("Banda do Teclado");
    const first = await api.signIn("Joana");
    const second = await api.signIn("Kauã");
    for (const f of [first, second]) {
      await api.call("PATCH", `/${show.id}/ingresso/request`, { token: f.token, body: { sector: "Pista" } });
    }
    const k = await fan();
    await k.page.goto(`/shows/${show.id}`);
    const email = emailFor("Lia Teclado");
    await k.page.getByLabel("Nome").focus();
    await k.page.keyboard.type("Lia Teclado");
    await k.page.keyboard.press("Tab");
    await k.page.keyboard.type(email);
    await k.page.keyboard.press("Enter");
    // The code field has the focus on the code step.
    await k.page.getByRole("heading", { name: "Confira o seu e-mail" }).waitFor();
    await k.page.keyboard.type(await mailedCode(k.page, email));
    await k.page.keyboard.press("Enter");
    await k.page.getByRole("link", { name: "Agora não" }).focus();
    await k.page.keyboard.press("Enter");
    await k.page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();
    // The sector radios, then the type radios, then the button.
    await k.page.getByRole("radio", { name: /Pista/ }).focus();
    await k.page.keyboard.press("Space");
    await k.page.getByRole("button", { name: "Entrar na fila" }).focus();
    await k.page.keyboard.press("Enter");
    await k.page.getByRole("heading", { name: "Você está na fila" }).waitFor();
    expect(await k.page.getByTestId("place").textContent()).toContain("2º");

    await api.call("PATCH", `/${show.id}/ingresso/cancel`, { token: second.token });
    const live = k.page.locator("#sale [aria-live=polite]");
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toContain("Você é o número 1 da fila");
  });
});
