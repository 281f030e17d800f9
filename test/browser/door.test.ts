/**
 * The door page on a gate phone, in Debian's Chromium against `wrangler dev`: a real QR code read
 * through the camera (Chromium's fake capture device playing a video the test makes from the
 * ticket's code; Chromium on Linux has no native BarcodeDetector, so this is the ZXing polyfill
 * path), the second scan refused, and a check-in made offline then synced.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import {
  Api,
  accessibilityProblems,
  bookThroughApi,
  createShow,
  launchChromium,
  openFan,
  PHONE,
  shoot,
  venueMinutes,
} from "./support.ts";
import { writeQrVideo } from "./y4m.ts";

let server: DevServer;
let api: Api;
let browser: Browser;
let videoDir: string;
let showId: string;
let scanned: Awaited<ReturnType<typeof bookThroughApi>>;
let typed: Awaited<ReturnType<typeof bookThroughApi>>;

beforeAll(async () => {
  server = await startDevServer();
  api = new Api(server.url);
  const show = await createShow(api, {
    band: "Bloco da Catraca",
    festival: "Festival Porta Aberta",
    sectors: [{ name: "Pista", capacity: 4, priceCents: 12000, meiaShare: 0.5 }],
  });
  showId = show.id;
  scanned = await bookThroughApi(api, showId, "Marina Portão");
  typed = await bookThroughApi(api, showId, "Otávio Offline", "Pista", true);
  // The camera can only be given its video at launch: make it from the ticket's code first.
  videoDir = mkdtempSync(path.join(tmpdir(), "catraca-camera-"));
  const video = path.join(videoDir, "ticket.y4m");
  writeQrVideo(video, scanned.code);
  browser = await launchChromium({ fakeCamera: video });
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  if (videoDir) rmSync(videoDir, { recursive: true, force: true });
});

describe("the door page", () => {
  it("scans a ticket through the camera, refuses it the second time, and keeps admitting offline", async () => {
    const link = await api.call("POST", `/api/console/shows/${showId}/doors`, {
      admin: true,
      body: { label: "Portão A" },
    });
    expect(link.status).toBe(201);
    // The gate phone's own zone is not the venue's: the door still reads the venue's clock.
    const gate = await openFan(browser, server.url, { viewport: PHONE, timezoneId: "UTC" });
    const { page, context } = gate;
    await context.grantPermissions(["camera"], { origin: server.url });
    const requested: string[] = [];
    context.on("request", (r) => requested.push(r.url()));
    await page.goto(link.json.link);
    await page.getByRole("heading", { name: "Bloco da Catraca" }).waitFor();
    // The token moved into the door's HttpOnly cookie: it is no longer in the address.
    expect(new URL(page.url()).hash).toBe("");
    await expect.poll(() => page.locator("[data-door-meta]").textContent()).toContain("2 ingressos na lista");
    const meta = await page.locator("[data-door-meta]").textContent();
    expect(
      venueMinutes(Date.now() - 60_000, Date.now()).some((m) => meta?.includes(`baixada às ${m}`)),
      String(meta),
    ).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "door-01-ready");

    // No native BarcodeDetector here: this is the polyfill, its wasm from our own origin, no CDN.
    expect(await page.evaluate(() => "BarcodeDetector" in window)).toBe(false);
    await page.getByRole("button", { name: "Ligar a câmera" }).click();
    const answer = page.locator("[data-door-answer]");
    await expect.poll(() => answer.getAttribute("data-verdict"), { timeout: 20_000 }).toBe("admitted");
    expect(await answer.textContent()).toContain("Pode entrar");
    expect(await answer.textContent()).toContain("Marina Portão");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "door-02-admitted");
    expect(requested).toContain(`${server.url}/vendor/zxing_reader.wasm`);
    expect(requested.filter((u) => !u.startsWith(server.url))).toEqual([]);

    // The video takes the code out of view and brings it back: the same ticket, a second scan.
    await expect.poll(() => answer.getAttribute("data-verdict"), { timeout: 20_000 }).toBe("already");
    expect(await answer.textContent()).toContain("Não entra");
    expect(await answer.textContent()).toContain("Ingresso já usado");
    expect(await answer.textContent()).toContain("Portão A");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "door-03-already-used");
    await page.getByRole("button", { name: "Desligar a câmera" }).click();

    const online = await api.call("POST", "/api/tickets/checkin", { admin: true, body: { code: scanned.code } });
    expect(online.status).toBe(409);
    expect(online.json.gate).toBe("Portão A");

    // The network goes; the page (served by its service worker) and the check-ins go on.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("heading", { name: "Bloco da Catraca" }).waitFor();
    await expect.poll(() => page.getByTestId("door-connection").textContent()).toContain("Sem rede");
    await page.getByLabel("Código do ingresso").fill(typed.code);
    await page.getByRole("button", { name: "Conferir" }).click();
    await expect.poll(() => answer.getAttribute("data-verdict")).toBe("admitted");
    expect(await answer.textContent()).toContain("Otávio Offline");
    expect(await answer.textContent()).toContain("Meia-entrada: confira o documento");
    expect(await answer.textContent()).toContain("Sem rede");
    await expect.poll(() => page.getByTestId("door-pending").textContent()).toBe("1 entrada a enviar");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "door-04-offline-admitted");
    // Offline, the same ticket again is known used, and a forged code is still refused.
    await page.getByLabel("Código do ingresso").fill(typed.code);
    await page.getByRole("button", { name: "Conferir" }).click();
    await expect.poll(() => answer.getAttribute("data-verdict")).toBe("already");
    await page.getByLabel("Código do ingresso").fill(typed.code.replace(typed.fan.id, scanned.fan.id));
    await page.getByRole("button", { name: "Conferir" }).click();
    await expect.poll(() => answer.textContent()).toContain("Código inválido");

    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId("door-pending").textContent(), { timeout: 30_000 })
      .toBe("Todas as entradas enviadas");
    const synced = await api.call("POST", "/api/tickets/checkin", { admin: true, body: { code: typed.code } });
    expect(synced.status).toBe(409);
    expect(synced.json.gate).toBe("Portão A");
    await shoot(page, "door-05-synced");

    await context.close();
    expect(gate.problems.filter((p) => !/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p))).toEqual([]);
  });

  it("tells a phone without a door link, or with a revoked one, what to do", async () => {
    const link = await api.call("POST", `/api/console/shows/${showId}/doors`, {
      admin: true,
      body: { label: "Portão B" },
    });
    await api.call("POST", `/api/console/shows/${showId}/doors/${link.json.door.id}/revoke`, { admin: true });
    const gate = await openFan(browser, server.url, { viewport: PHONE });
    await gate.page.goto("/portaria");
    await expect.poll(() => gate.page.locator("[data-door-message]").textContent()).toContain("Abra neste celular");
    expect(await accessibilityProblems(gate.page)).toEqual([]);
    await shoot(gate.page, "door-06-no-link");
    await gate.page.goto(link.json.link);
    await expect.poll(() => gate.page.locator("[data-door-message]").textContent()).toContain("não vale mais");
    await gate.context.close();
    expect(gate.problems.filter((p) => !/401|Failed to load resource/.test(p))).toEqual([]);
  });
});
