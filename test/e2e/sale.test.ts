import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "../support/client.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

let server: DevServer;
let api: Api;

beforeAll(async () => {
  server = await startDevServer();
  api = new Api(server.url);
});

afterAll(async () => {
  await server?.dispose();
});

describe("a sale against wrangler dev", () => {
  it("holds, pays and books a ticket over HTTP", async () => {
    const show = await api.createShow({ sectors: [{ name: "Pista", capacity: 2, priceCents: 10000, meiaShare: 0 }] });
    const fan = await api.signIn("Ana");
    const held = await api.call("PATCH", `/${show.id}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
    });
    expect(held.status).toBe(200);
    const ticketId = held.json.ticket.id;
    const pay = await api.call("POST", "/api/payments", { token: fan.token, body: { showId: show.id, ticketId } });
    expect(pay.status).toBe(201);
    const approve = await api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, {
      token: fan.token,
    });
    expect(approve.json.payment.status).toBe("APPROVED");
    const book = await api.call("PATCH", `/${show.id}/ingresso/book`, {
      token: fan.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    expect(book.status).toBe(200);
    expect(book.json.status).toBe("BOOKED");
    expect(book.json.booked).toHaveLength(1);
  });
});
