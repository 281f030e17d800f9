/**
 * The organizers' console in Debian's Chromium against `wrangler dev`: sign in with the admin
 * token, create a band and a show through the forms, and watch a fan's booking reach the live
 * dashboard without reloading. axe-core checks every screen; screenshots at desktop and phone size.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer, TEST_ADMIN_TOKEN } from "../support/dev-server.ts";
import {
  Api,
  accessibilityProblems,
  bookThroughApi,
  canvasText,
  type FanPage,
  launchChromium,
  openFan,
  PHONE,
  recordCanvasText,
  shoot,
  venueMinutes,
} from "./support.ts";

let server: DevServer;
let api: Api;
let browser: Browser;
const pages: FanPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchChromium()]);
  api = new Api(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

afterEach(async () => {
  const seen = pages.flatMap((p) => p.problems);
  await Promise.all(pages.splice(0).map((p) => p.context.close()));
  expect(seen, "console errors or CSP violations").toEqual([]);
});

async function organizer(opts: Parameters<typeof openFan>[2] = {}): Promise<FanPage> {
  const p = await openFan(browser, server.url, opts);
  await recordCanvasText(p.context);
  pages.push(p);
  return p;
}

/**
 * A chart's axes as painted: at least two time ticks, no time twice, each within the last quarter
 * hour or so at the venue; and whole counts only (no `0,5` ticket).
 */
async function expectAxes(page: FanPage["page"], chart: string): Promise<void> {
  const texts = await canvasText(page, `[data-section="${chart}"] canvas`);
  const times = texts.filter((t) => /^\d\d:\d\d$/.test(t));
  const recent = venueMinutes(Date.now() - 17 * 60_000, Date.now() + 60_000);
  const seen = `${chart} drew ${JSON.stringify(texts)}`;
  expect(times.length, seen).toBeGreaterThanOrEqual(2);
  expect(new Set(times).size, seen).toBe(times.length);
  expect(
    times.filter((t) => !recent.includes(t)),
    seen,
  ).toEqual([]);
  expect(
    texts.filter((t) => /\d,\d/.test(t)),
    seen,
  ).toEqual([]);
}

describe("the organizers' console", () => {
  it("signs in once with the admin token, creates a show, and shows a fan's booking live on the dashboard", async () => {
    // A browser far from the venue: the dashboard still reads the venue's clock, as its charts do.
    const { page, context, problems } = await organizer({ timezoneId: "UTC" });
    await page.goto("/organizador");
    await page.waitForURL("**/organizador/entrar?voltar=*");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "console-01-sign-in");
    await page.getByLabel("Token de administrador").fill("not-the-token");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("alert").filter({ hasText: "Token incorreto" }).waitFor();
    // The refused form's own 400, and nothing else.
    expect(problems.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
    await page.getByLabel("Token de administrador").fill(TEST_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("heading", { name: "Bandas e shows" }).waitFor();
    // The browser holds a session cookie it cannot read, never the token.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "catraca_org")).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(JSON.stringify(cookies)).not.toContain(TEST_ADMIN_TOKEN);
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    ).not.toContain(TEST_ADMIN_TOKEN);

    const band = page.locator("[data-band-form]");
    await band.getByLabel("Nome da banda").fill("Orquestra do Console");
    await band.getByLabel("Gênero").fill("Frevo");
    await band.getByRole("button", { name: "Criar banda" }).click();
    await band.getByRole("status").filter({ hasText: "Orquestra do Console" }).waitFor();

    const show = page.locator("[data-show-form]");
    expect(await show.getByLabel("Banda").inputValue()).not.toBe("");
    await show.getByLabel("Festival (opcional)").fill("Festival do Painel");
    await show.getByLabel("Endereço").fill("Marco Zero - Recife, PE");
    // Next year's 10 February, 21:00 at the venue (Brasília, UTC−3): always in the future.
    const year = new Date().getUTCFullYear() + 1;
    await show.getByLabel("Início do show").fill(`${year}-02-10T21:00`);
    await show.getByLabel("Tempo para pagar (minutos)").fill("5");
    await show.getByLabel("Nome do setor").fill("Pista");
    await show.getByLabel("Lugares", { exact: true }).fill("50");
    await show.getByLabel("Preço da inteira (R$)").fill("120");
    await show.getByRole("button", { name: "Adicionar setor" }).click();
    await show.getByLabel("Nome do setor").nth(1).fill("Camarote");
    await show.getByLabel("Lugares", { exact: true }).nth(1).fill("10");
    await show.getByLabel("Preço da inteira (R$)").nth(1).fill("300");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "console-02-shows");
    await show.getByRole("button", { name: "Criar show" }).click();

    await page.waitForURL("**/organizador/shows/show_*");
    const showId = page.url().split("/").at(-1)!;
    await page.getByRole("heading", { name: "Orquestra do Console" }).waitFor();
    const created = (await api.call("GET", `/api/shows/${showId}`)).json.show;
    expect(created).toMatchObject({
      festival: "Festival do Painel",
      holdSeconds: 300,
      startsAt: `${year}-02-11T00:00:00.000Z`,
    });
    expect(created.sectors.map((s: { name: string; capacity: number }) => [s.name, s.capacity])).toEqual([
      ["Pista", 50],
      ["Camarote", 10],
    ]);
    await expect.poll(() => page.getByTestId("kpi-sold").textContent()).toBe("0 de 60");

    // A fan buys while the organizer watches: the dashboard catches up by itself.
    const fan = await bookThroughApi(api, showId, "Fã do Painel");
    await expect.poll(() => page.getByTestId("kpi-sold").textContent(), { timeout: 10_000 }).toBe("1 de 60");
    await expect.poll(() => page.getByTestId("kpi-revenue").textContent()).toMatch(/R\$\s120,00/);
    const classes = page.locator('[data-section="classes"]');
    expect(await classes.getByRole("row", { name: /Pista · Inteira/ }).textContent()).toMatch(/29\D*0\D*1\D*0/);
    await page.locator('[data-section="chart-sold"] canvas').waitFor();
    // One minute of sales (the common case here) is one bar: the axis still reads as minutes.
    await expectAxes(page, "chart-sold");
    await expectAxes(page, "chart-queue");

    await page.getByLabel("Nome do portão").fill("Portão Principal");
    await page.getByRole("button", { name: "Criar link" }).click();
    await page.getByRole("img", { name: "QR code do link de portaria Portão Principal" }).waitFor();
    const link = await page.getByTestId("door-link").textContent();
    expect(link).toMatch(/\/portaria#acesso=door_/);

    const door = await api.call("POST", "/api/tickets/checkin", {
      admin: true,
      body: { code: fan.code, gate: "Portão Principal" },
    });
    expect(door.status).toBe(200);
    await expect
      .poll(() => page.getByTestId("checked-in").textContent(), { timeout: 10_000 })
      .toBe("1 de 1 ingressos já entraram");
    expect(await accessibilityProblems(page)).toEqual([]);
    await expectAxes(page, "chart-sold");
    const updated = await page.locator("[data-updated]").textContent();
    expect(
      venueMinutes(Date.now() - 60_000, Date.now()).some((m) => updated?.includes(`às ${m}`)),
      String(updated),
    ).toBe(true);
    await shoot(page, "console-03-dashboard");
    // Narrowed after being drawn wide (a phone turned, a window made smaller): nothing spills sideways.
    await page.setViewportSize(PHONE);
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBe(PHONE.width);

    const csv = await page.request.get(`/api/console/shows/${showId}/attendees.csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain("Fã do Painel,Pista,não,");
  });

  it("works in English too", async () => {
    const { page } = await organizer({ locale: "en-US" });
    await page.goto("/organizador/entrar");
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await page.getByLabel("Admin token").fill(TEST_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Bands and shows" }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "console-04-english");
  });
});
