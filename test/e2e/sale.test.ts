import { describe, expect, it } from "vitest";
import { devServerSuite } from "./server.ts";

const suite = devServerSuite();

describe("a sale against wrangler dev", () => {
  it("holds, pays and books a ticket over HTTP", async () => {
    const show = await suite.api.createShow({
      sectors: [{ name: "Pista", capacity: 2, priceCents: 10000, meiaShare: 0 }],
    });
    const fan = await suite.api.signIn("Ana");
    const held = await suite.api.call("PATCH", `/${show.id}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
    });
    expect(held.status).toBe(200);
    const ticketId = held.json.ticket.id;
    const pay = await suite.api.call("POST", "/api/payments", {
      token: fan.token,
      body: { showId: show.id, ticketId },
    });
    expect(pay.status).toBe(201);
    const approve = await suite.api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, {
      token: fan.token,
    });
    expect(approve.json.payment.status).toBe("APPROVED");
    const book = await suite.api.call("PATCH", `/${show.id}/ingresso/book`, {
      token: fan.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    expect(book.status).toBe(200);
    expect(book.json.status).toBe("BOOKED");
    expect(book.json.booked).toHaveLength(1);
  });

  it("limits a fan's ticket calls by default (wrangler.toml), answering 429 RATE_LIMITED with Retry-After", async () => {
    const show = await suite.api.createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 10000, meiaShare: 0 }],
    });
    const fan = await suite.api.signIn("Bia");
    // 45 calls in well under 10 s: at most two windows of 20, so some are refused.
    const answers = [];
    for (let i = 0; i < 45; i++)
      answers.push(await suite.api.call("PATCH", `/${show.id}/ingresso/cancel`, { token: fan.token }));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.json.error.code).toBe("RATE_LIMITED");
    expect(refused[0]?.headers.get("retry-after")).toBe("10");
    // Another fan from the same address is not held back.
    const other = await suite.api.signIn("Caio");
    expect(
      (await suite.api.call("PATCH", `/${show.id}/ingresso/request`, { token: other.token, body: { sector: "Pista" } }))
        .status,
    ).toBe(200);
  });
});
