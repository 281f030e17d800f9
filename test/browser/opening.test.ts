/**
 * The fair opening on the fans' page in a real browser (#14): the pre-queue screen with its
 * countdown to the draw and what the draw means, a reload that keeps the place, the draw
 * explained with its commitment, then the position or the held ticket the moment the draw
 * happens, in Brazilian Portuguese and in English, with screenshots of each.
 */
import { describe, expect, it } from "vitest";
import { browserSuite, createShow, type FanPage, shoot, signInOnPage } from "./support.ts";

const suite = browserSuite();

/** The countdown's text as seconds (`mm:ss`, or `hh:mm:ss`). */
function secondsLeft(text: string | null): number {
  const parts = (text ?? "").trim().split(":").map(Number);
  if (parts.length < 2 || parts.some((n) => !Number.isFinite(n))) throw new Error(`not a countdown: ${text}`);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

describe("the pre-queue on the fans' page", () => {
  it("counts down to the draw, keeps the place on reload, then shows the place drawn, in pt-BR and English", async () => {
    const salesOpenAt = Date.now() + 35_000;
    const show = await createShow(suite.api, {
      band: "Sorteio Sonoro",
      festival: "Festival Fila Justa",
      sectors: [{ name: "Pista", capacity: 1, priceCents: 15000, meiaShare: 0 }],
      salesOpenAt: new Date(salesOpenAt).toISOString(),
      prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const pt = await suite.fan({ locale: "pt-BR" });
    const en = await suite.fan({ locale: "en" });
    const screens = [
      {
        f: pt,
        join: "Entrar na fila",
        title: "Você está na pré-fila",
        fair: "Todos aqui têm a mesma chance",
        name: "Ana Souza",
      },
      {
        f: en,
        join: "Join the queue",
        title: "You're in the pre-queue",
        fair: "Everyone here has the same chance",
        name: "Bruno Lima",
      },
    ];
    for (const s of screens) {
      const { page } = s.f;
      await page.goto(`/shows/${show.id}`);
      await signInOnPage(page, s.name);
      await page.getByRole("button", { name: s.join }).click();
      await expect.poll(() => page.getByRole("heading", { name: s.title }).isVisible()).toBe(true);
      expect(await page.getByTestId("prequeue").textContent()).toContain(s.fair);
      expect(await page.getByTestId("commitment").textContent()).toBe(show.drawCommitment);
    }
    for (const s of screens) {
      const { page } = s.f;
      const countdown = page.getByTestId("draw-countdown");
      const first = secondsLeft(await countdown.textContent());
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(35);
      await expect.poll(async () => secondsLeft(await countdown.textContent())).toBeLessThan(first);
      // A reload keeps the place in the draw.
      await page.reload();
      await expect.poll(() => page.getByRole("heading", { name: s.title }).isVisible()).toBe(true);
      await shoot(page, `14-prequeue-${s.f === pt ? "pt" : "en"}`);
    }
    // The draw: one ticket, so one of them holds it and the other waits first in line.
    const outcome = async (page: FanPage["page"]) =>
      (await page.getByTestId("place").isVisible())
        ? "waiting"
        : (await page.getByTestId("countdown").isVisible())
          ? "holding"
          : "pending";
    await expect
      .poll(async () => [await outcome(pt.page), await outcome(en.page)].sort(), {
        timeout: salesOpenAt - Date.now() + 10_000,
        interval: 250,
      })
      .toEqual(["holding", "waiting"]);
    for (const s of screens) {
      const { page } = s.f;
      if ((await outcome(page)) === "waiting") {
        expect(await page.getByTestId("place").textContent()).toMatch(/1/);
      }
      await shoot(page, `14-after-draw-${s.f === pt ? "pt" : "en"}`);
    }
  }, 120_000);
});
