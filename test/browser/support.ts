/**
 * The browser layer's tools: Debian's Chromium through playwright-core (never a downloaded
 * browser), one context per fan, a guard that fails a test on any console error or CSP violation,
 * and screenshots of each screen at desktop and phone size under `screenshots/`.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { Api } from "../support/client.ts";
import { type DevServer, type DevServerOptions, startDevServer } from "../support/dev-server.ts";

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = path.resolve(import.meta.dirname, "../../screenshots");

/** `fakeCamera`: a `.y4m` file the browser's camera "sees" (see `y4m.ts`), permission granted. */
export function launchChromium(opts: { fakeCamera?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...(opts.fakeCamera
        ? [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            `--use-file-for-fake-video-capture=${opts.fakeCamera}`,
          ]
        : []),
    ],
  });
}

/** axe-core on the page as it is: the serious and critical violations (must be none). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** A fan's booked ticket through the API (sign-in, hold, sandbox payment, book) and its code. */
export async function bookThroughApi(api: Api, showId: string, name: string, sector = "Pista", meia = false) {
  const fan = await api.signIn(name);
  const held = await api.call("PATCH", `/${showId}/ingresso/request`, { token: fan.token, body: { sector, meia } });
  if (held.status !== 200) throw new Error(`hold ${held.status} ${JSON.stringify(held.json)}`);
  const ticketId = held.json.ticket.id as string;
  const pay = await api.call("POST", "/api/payments", { token: fan.token, body: { showId, ticketId } });
  await api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: fan.token });
  const booked = await api.call("PATCH", `/${showId}/ingresso/book`, {
    token: fan.token,
    body: { ticketId, paymentId: pay.json.payment.id },
  });
  if (booked.json.status !== "BOOKED") throw new Error(`book ${booked.status} ${JSON.stringify(booked.json)}`);
  const mine = await api.call("GET", `/api/tickets/${ticketId}`, { token: fan.token });
  return { fan, ticketId, code: mine.json.code as string };
}

export interface FanPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far: must stay empty. */
  problems: string[];
}

export async function openFan(
  browser: Browser,
  baseURL: string,
  opts: { locale?: string; viewport?: { width: number; height: number }; timezoneId?: string } = {},
): Promise<FanPage> {
  const locale = opts.locale ?? "pt-BR";
  const context = await browser.newContext({
    baseURL,
    locale,
    viewport: opts.viewport ?? DESKTOP,
    ...(opts.timezoneId && { timezoneId: opts.timezoneId }),
    extraHTTPHeaders: { "accept-language": locale },
  });
  const problems: string[] = [];
  // Reported by the page itself, so a violation is caught even where Chromium logs it quietly.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || /content security policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

export interface BrowserSuite {
  server: DevServer;
  api: Api;
  browser: Browser;
  /** Where the pages are opened: the server's own address unless `hostname` says otherwise. */
  base: string;
  /** A page of its own for one test, closed after it. */
  fan(opts?: Parameters<typeof openFan>[2]): Promise<FanPage>;
}

/**
 * One `wrangler dev` and one Chromium for a test file, started side by side. Each test's pages are
 * closed after it, and the test fails if any of them saw a console error or CSP violation.
 * `hostname`: WebAuthn wants a domain (`localhost`), not the server's loopback IP.
 */
export function browserSuite(opts: { server?: DevServerOptions; hostname?: string } = {}): BrowserSuite {
  const pages: FanPage[] = [];
  const suite = {
    async fan(fanOpts: Parameters<typeof openFan>[2] = {}) {
      const f = await openFan(suite.browser, suite.base, fanOpts);
      pages.push(f);
      return f;
    },
  } as BrowserSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([startDevServer(opts.server), launchChromium()]);
    suite.base = opts.hostname ? `http://${opts.hostname}:${suite.server.port}` : suite.server.url;
    suite.api = new Api(suite.server.url);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.dispose();
  });
  afterEach(async () => {
    const seen = pages.flatMap((p) => p.problems);
    await Promise.all(pages.splice(0).map((p) => p.context.close()));
    expect(seen, "console errors or CSP violations").toEqual([]);
  });
  return suite;
}

/** A screenshot of the page as it is, at desktop size and at phone size. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  const before = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(before);
}

/** The page as printed (the ticket page prints the tickets only). */
export async function shootPrint(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-print.png`), fullPage: true });
  await page.emulateMedia({ media: "screen" });
}

/**
 * Charts are canvases, so their tick labels are read from what the page paints: every text drawn
 * on a canvas since its last full clear (uPlot clears the whole canvas before each draw).
 */
export async function recordCanvasText(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const drawn = new WeakMap<HTMLCanvasElement, string[]>();
    const proto = CanvasRenderingContext2D.prototype;
    const { clearRect, fillText } = proto;
    proto.clearRect = function (x, y, w, h) {
      if (x === 0 && y === 0 && w === this.canvas.width && h === this.canvas.height) drawn.set(this.canvas, []);
      clearRect.call(this, x, y, w, h);
    };
    proto.fillText = function (text, ...rest) {
      drawn.get(this.canvas)?.push(text);
      fillText.call(this, text, ...rest);
    };
    Object.defineProperty(window, "canvasText", { value: (c: HTMLCanvasElement) => [...(drawn.get(c) ?? [])] });
  });
}

/** The texts `recordCanvasText` saw in the latest draw of the canvas matching `selector`. */
export function canvasText(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluate((c) => (window as unknown as { canvasText: (c: Element) => string[] }).canvasText(c));
}

/** Every minute from `fromMs` to `toMs` as the venue's clock shows it (`18:05`). */
export function venueMinutes(fromMs: number, toMs: number): string[] {
  const clock = new Intl.DateTimeFormat("pt-BR", { hour: "2-digit", minute: "2-digit", timeZone: "America/Sao_Paulo" });
  const minutes = new Set<string>();
  for (let at = fromMs; at <= toMs; at += 60_000) minutes.add(clock.format(at));
  minutes.add(clock.format(toMs));
  return [...minutes];
}

/** The latest code mailed to `email`, read from the dev outbox by the page's own context. */
export async function mailedCode(page: Page, email: string): Promise<string> {
  const res = await page.request.get(`/dev/outbox?email=${encodeURIComponent(email)}`);
  const { messages } = (await res.json()) as { messages: { text: string }[] };
  const code = /\b(\d{6})\b/.exec(messages.at(-1)?.text ?? "")?.[1];
  if (!code) throw new Error(`no sign-in code mailed to ${email}`);
  return code;
}

/** A fresh address for a fan named `name`. */
export function emailFor(name: string): string {
  return `${name.toLowerCase().replaceAll(" ", ".")}.${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/**
 * Sign in from the email form on the page (`/entrar` or a show's sale panel): the code from the
 * dev outbox typed into the code step, then "not now" to the passkey offer, back where the fan was.
 */
export async function signInOnPage(page: Page, name: string, email = emailFor(name)): Promise<void> {
  await page.getByLabel(/^\s*(Nome|Name)\s*$/).fill(name);
  await page.getByLabel(/^\s*(E-mail|Email)\s*$/).fill(email);
  await page.getByRole("button", { name: /^(Receber código por e-mail|Email me a code)$/ }).click();
  await page.getByLabel(/^\s*(Código de 6 dígitos|6-digit code)\s*$/).fill(await mailedCode(page, email));
  await page.getByRole("button", { name: /^(Entrar|Sign in)$/ }).click();
  await page.waitForURL("**/entrar/chave?voltar=*");
  await page.getByRole("link", { name: /^(Agora não|Not now)$/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/entrar"));
}

/** No serious or critical accessibility violation on the page as it is (axe-core). */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const bad = await accessibilityProblems(page);
  if (bad.length > 0) throw new Error(`${label}: accessibility violations\n${bad.join("\n")}`);
}

/** A show of its own for one test, with names a fan would see on sale day. */
export async function createShow(
  api: Api,
  spec: {
    band: string;
    festival: string;
    sectors: { name: string; capacity: number; priceCents: number; meiaShare?: number }[];
    holdSeconds?: number;
    /** ISO times: the sale's opening and (#14) its pre-queue's. */
    salesOpenAt?: string;
    prequeueOpensAt?: string;
  },
): Promise<{ id: string; drawCommitment: string | null }> {
  const band = await api.call("POST", "/api/admin/bands", {
    admin: true,
    body: { name: spec.band, genre: "Samba-rock", description: "Groove paulistano, metais e coro de arquibancada." },
  });
  if (band.status !== 201) throw new Error(`band ${band.status} ${JSON.stringify(band.json)}`);
  const show = await api.call("POST", "/api/admin/shows", {
    admin: true,
    body: {
      bandId: band.json.band.id,
      festival: spec.festival,
      address: "Audio, Av. Francisco Matarazzo, 694 - São Paulo, SP",
      // Shows are created for future dates only.
      startsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
      holdSeconds: spec.holdSeconds ?? 300,
      maxTicketsPerUser: 2,
      sectors: spec.sectors,
      ...(spec.salesOpenAt && { salesOpenAt: spec.salesOpenAt }),
      ...(spec.prequeueOpensAt && { prequeueOpensAt: spec.prequeueOpensAt }),
    },
  });
  if (show.status !== 201) throw new Error(`show ${show.status} ${JSON.stringify(show.json)}`);
  return show.json.show;
}

/** The countdown's `mm:ss` as seconds. */
export function seconds(mmss: string | null): number {
  const match = /^(\d\d):(\d\d)$/.exec((mmss ?? "").trim());
  if (!match) throw new Error(`not a countdown: ${mmss}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export { Api };
