/**
 * The waiting room over real HTTP and WebSockets against wrangler dev, with one lane and with
 * eight: admissions in the order the Worker received the requests, every admitted fan told on its
 * socket, and a churn of fans joining, leaving and rejoining around a few tickets that ends with
 * nothing oversold, nothing lost and nothing stuck.
 */
import { describe, expect, it } from "vitest";
import { devServerSuite } from "./server.ts";

const suite = devServerSuite({ vars: { RATE_LIMIT: "off" } });

const pista = (capacity: number) => [{ name: "Pista", capacity, priceCents: 20000, meiaShare: 0 }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const request = (showId: string, token: string) =>
  suite.api.call("PATCH", `/${showId}/ingresso/request`, { token, body: { sector: "Pista" } });
const cancel = (showId: string, token: string) => suite.api.call("PATCH", `/${showId}/ingresso/cancel`, { token });
const stateOf = async (showId: string, token: string) =>
  (await suite.api.call("GET", `/${showId}/ingresso`, { token })).json;

describe.each([1, 8])("the waiting room against wrangler dev (%i lanes)", (lanes) => {
  it("admits in the order the requests reached the Worker, and tells each admitted fan on its socket", async () => {
    const show = await suite.api.createShow({ sectors: pista(1), lanes });
    const holder = await suite.api.signIn("Primeira");
    const fans = await Promise.all(Array.from({ length: 10 }, (_, i) => suite.api.signIn(`Fã ${i}`)));
    expect((await request(show.id, holder.token)).status).toBe(200);
    for (const f of fans) expect((await request(show.id, f.token)).status).toBe(202);
    const socks = await Promise.all(fans.map((f) => suite.live(show.id, f.token)));
    let current = holder;
    for (const [i, f] of fans.entries()) {
      await cancel(show.id, current.token);
      const admitted = await socks[i]!.next((m) => m.status === "IN_PROGRESS", 10_000);
      expect(admitted.ticket?.id).toBeDefined();
      // Nobody behind was admitted instead.
      for (const other of socks.slice(i + 1))
        expect(other.messages.some((m) => m.status === "IN_PROGRESS")).toBe(false);
      current = f;
    }
  });

  it("takes a churn of fans joining, leaving and rejoining around three tickets, and ends with nothing oversold, lost or stuck", async () => {
    const show = await suite.api.createShow({ sectors: pista(3), lanes });
    const fans = await Promise.all(Array.from({ length: 24 }, (_, i) => suite.api.signIn(`Fã ${i}`)));
    const until = Date.now() + 6_000;
    await Promise.all(
      fans.map(async (f, i) => {
        await sleep(i * 20);
        while (Date.now() < until) {
          const r = Math.random();
          if (r < 0.55) await request(show.id, f.token);
          else await cancel(show.id, f.token);
          await sleep(40 + Math.random() * 120);
        }
      }),
    );
    // Let every lane hear what the coordinator decided.
    await sleep(2_500);
    const states = await Promise.all(fans.map((f) => stateOf(show.id, f.token)));
    const holding = states.filter((s) => s.status === "IN_PROGRESS");
    const waiting = states.filter((s) => s.status === "WAITING");
    const stats = (await suite.api.call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true })).json;
    const pistaStats = stats.sectors.find((x: { meia: boolean }) => !x.meia);
    // Nothing oversold, no ticket held twice, and no fan waits beside a free ticket.
    expect(holding.length).toBeLessThanOrEqual(3);
    expect(new Set(holding.map((s) => s.ticket.id)).size).toBe(holding.length);
    expect(pistaStats.inProgress).toBe(holding.length);
    if (waiting.length > 0) expect(pistaStats.available).toBe(0);
    expect(stats.waiting).toBe(waiting.length);
    expect(stats.lanes).toHaveLength(lanes);
    const positions = waiting.map((s) => s.position).sort((a, b) => a - b);
    for (const p of positions) expect(p).toBeGreaterThanOrEqual(1);
    for (const p of positions) expect(p).toBeLessThanOrEqual(waiting.length);
    // Everybody leaves: every ticket comes back.
    await Promise.all(fans.map((f) => cancel(show.id, f.token)));
    await sleep(1_500);
    await Promise.all(fans.map((f) => cancel(show.id, f.token)));
    const after = (await suite.api.call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true })).json;
    expect(after.waiting).toBe(0);
    expect(after.sectors[0]).toMatchObject({ available: 3, inProgress: 0, booked: 0 });
  });
});
