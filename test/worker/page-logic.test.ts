/** The page's own logic, without a browser: language, money and dates, the clock, the wait estimate, backoff. */
import { describe, expect, it } from "vitest";
import { BACKOFF_MAX_MS, backoffDelay, busyDelay } from "../../src/client/backoff";
import { ServerClock } from "../../src/client/clock";
import { estimateWaitMs, observe, type Sample, WINDOW_MS, waitMinutes } from "../../src/client/wait-estimate";
import { calendarParts, cityOf, formatCountdown, formatMoney, formatShowDate } from "../../src/page/format";
import { messages, negotiateLang } from "../../src/page/i18n";

const nbsp = (s: string) => s.replace(/\s/g, " ");

describe("language", () => {
  it("is Brazilian Portuguese unless the browser prefers English", () => {
    expect(negotiateLang(undefined)).toBe("pt-BR");
    expect(negotiateLang("fr-FR,fr;q=0.9")).toBe("pt-BR");
    expect(negotiateLang("en-US,en;q=0.9")).toBe("en");
    expect(negotiateLang("pt-PT,en;q=0.8")).toBe("pt-BR");
    expect(negotiateLang("de;q=1,en;q=0.5,pt;q=0.7")).toBe("pt-BR");
    expect(negotiateLang("en;q=0, pt;q=0.2")).toBe("pt-BR");
  });

  it("counts people in either language", () => {
    expect(messages("pt-BR").ahead(0)).toMatch(/Ninguém/);
    expect(messages("pt-BR").ahead(1)).toBe("1 pessoa na sua frente");
    expect(messages("pt-BR").ahead(131)).toBe("131 pessoas na sua frente");
    expect(messages("en").ahead(1)).toBe("1 person ahead of you");
    expect(messages("en").available(2)).toBe("2 available");
  });

  it("tells a class with every ticket held (join the queue) from a sold-out one", () => {
    expect(messages("pt-BR").available(1, 3)).toBe("1 disponível");
    expect(messages("pt-BR").available(0, 3)).toBe("todos reservados: entre na fila");
    expect(messages("pt-BR").available(0, 0)).toBe("esgotado");
    expect(messages("en").available(0, 1)).toBe("all held: join the queue");
    expect(messages("en").available(0, 0)).toBe("sold out");
  });
});

describe("money and dates", () => {
  it("shows prices as R$ 150,00 in both languages", () => {
    expect(nbsp(formatMoney(15000))).toBe("R$ 150,00");
    expect(nbsp(formatMoney(7550))).toBe("R$ 75,50");
    expect(nbsp(formatMoney(123456789))).toBe("R$ 1.234.567,89");
  });

  it("dates a show in the fan's language, at the venue's time", () => {
    const at = "2027-02-13T21:00:00Z";
    expect(formatShowDate(at, "pt-BR")).toBe("sábado, 13 de fevereiro de 2027 · 18:00");
    expect(nbsp(formatShowDate(at, "en"))).toBe("Saturday, February 13, 2027 · 06:00 PM");
    expect(calendarParts(at, "pt-BR")).toEqual({ day: "13", month: "FEV", weekday: "SÁB" });
  });

  it("takes the city from the address and counts down in mm:ss", () => {
    expect(cityOf("Memorial da América Latina, Av. Auro Soares, 664 - São Paulo, SP")).toBe("São Paulo, SP");
    expect(cityOf("Salvador")).toBe("Salvador");
    expect(formatCountdown(119_001)).toBe("02:00");
    expect(formatCountdown(61_000)).toBe("01:01");
    expect(formatCountdown(-5)).toBe("00:00");
  });
});

describe("the server's clock", () => {
  it("corrects a local clock that is minutes off, so a countdown is right after a reload", () => {
    let local = Date.parse("2027-01-01T12:00:00Z");
    const clock = new ServerClock(() => local);
    // This phone is 3 minutes fast.
    clock.sync("2027-01-01T11:57:00Z");
    expect(clock.until("2027-01-01T11:59:00Z")).toBe(120_000);
    local += 30_000;
    expect(clock.until("2027-01-01T11:59:00Z")).toBe(90_000);
    expect(clock.until("2027-01-01T11:00:00Z")).toBe(0);
  });
});

describe("the estimated wait", () => {
  const run = (points: [number, number][]) =>
    points.reduce<Sample[]>((s, [at, position]) => observe(s, position, at), []);

  it("waits for the queue to move before estimating", () => {
    expect(estimateWaitMs(run([[0, 10]]), 60_000)).toBeUndefined();
  });

  it("comes from the pace the fan observed: 10 places in 5 minutes, 20 to go, is 10 minutes", () => {
    const samples = run([
      [0, 30],
      [150_000, 25],
      [300_000, 20],
    ]);
    expect(estimateWaitMs(samples, 300_000)).toBe(600_000);
    expect(waitMinutes(600_000)).toBe(10);
    // While nobody moves, the pace falls and the estimate grows.
    expect(estimateWaitMs(samples, 600_000)).toBe(1_200_000);
  });

  it("forgets a pace older than its window, and starts over when the fan joins a new queue", () => {
    const slowThenFast = run([
      [0, 100],
      [WINDOW_MS * 2, 99],
      [WINDOW_MS * 2 + 60_000, 89],
    ]);
    // Where the fan stood when the window opened; ten places in the last minute dominate the pace.
    expect(slowThenFast[0]).toEqual({ at: WINDOW_MS + 60_000, position: 100 });
    expect(estimateWaitMs(slowThenFast, WINDOW_MS * 2 + 60_000)).toBe((89 * WINDOW_MS) / 11);
    expect(
      run([
        [0, 5],
        [60_000, 4],
        [70_000, 12],
      ]),
    ).toEqual([{ at: 70_000, position: 12 }]);
  });
});

describe("reconnecting", () => {
  it("backs off exponentially from 1 s, with jitter, up to 30 s", () => {
    expect(backoffDelay(0, () => 1)).toBe(1_000);
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(8_000);
    expect(backoffDelay(20, () => 1)).toBe(BACKOFF_MAX_MS);
  });

  it("waits for a busy show at least as long as it asked, and longer each time it asks again", () => {
    expect(busyDelay(5, 0, () => 0)).toBe(5_000);
    expect(busyDelay(5, 0, () => 1)).toBe(7_500);
    // Without Retry-After, or once the backoff has grown past it, the backoff decides.
    expect(busyDelay(undefined, 0, () => 1)).toBe(1_000);
    expect(busyDelay(2, 4, () => 1)).toBe(16_000);
    expect(busyDelay(5, 20, () => 1)).toBe(BACKOFF_MAX_MS);
  });
});
