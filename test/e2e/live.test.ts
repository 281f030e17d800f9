import { describe, expect, it } from "vitest";
import { devServerSuite } from "./server.ts";

const suite = devServerSuite();

const pista = (capacity: number) => [{ name: "Pista", capacity, priceCents: 20000, meiaShare: 0 }];

async function request(showId: string, token: string) {
  return suite.api.call("PATCH", `/${showId}/ingresso/request`, { token, body: { sector: "Pista" } });
}

describe.each([1, 8])("realtime against wrangler dev (%i lanes)", (lanes) => {
  it("a cancel notifies the next fan, on both of its sockets", async () => {
    const show = await suite.api.createShow({ sectors: pista(1), lanes });
    const ana = await suite.api.signIn("Ana");
    const bia = await suite.api.signIn("Bia");
    const held = await request(show.id, ana.token);
    expect((await request(show.id, bia.token)).json.position).toBe(1);
    const tab1 = await suite.live(show.id, bia.token);
    const tab2 = await suite.live(show.id, bia.token);
    await tab1.next((m) => m.status === "WAITING");
    await tab2.next((m) => m.status === "WAITING");

    await suite.api.call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    const [m1, m2] = await Promise.all([
      tab1.next((m) => m.status === "IN_PROGRESS"),
      tab2.next((m) => m.status === "IN_PROGRESS"),
    ]);
    expect(m1.ticket?.id).toBe(held.json.ticket.id);
    expect(m2).toEqual(m1);
    // Both tabs saw the same sequence of states.
    expect(tab2.messages.map((m) => m.status)).toEqual(tab1.messages.map((m) => m.status));
  });

  it("an expiry tells the holder EXPIRED and admits the next fan, with no request in between", async () => {
    const show = await suite.api.createShow({ sectors: pista(1), holdSeconds: 2, lanes });
    const ana = await suite.api.signIn("Ana");
    const bia = await suite.api.signIn("Bia");
    await request(show.id, ana.token);
    await request(show.id, bia.token);
    const anaSock = await suite.live(show.id, ana.token);
    const biaSock = await suite.live(show.id, bia.token);
    const expired = await anaSock.next((m) => m.status === "EXPIRED", 8_000);
    const admitted = await biaSock.next((m) => m.status === "IN_PROGRESS", 8_000);
    expect(expired.ticket).toBeUndefined();
    expect(admitted.ticket?.id).toBeDefined();
  });

  it("when the last ticket is booked every waiting fan gets SOLD_OUT", async () => {
    const show = await suite.api.createShow({ sectors: pista(1), lanes });
    const ana = await suite.api.signIn("Ana");
    const waiting = await Promise.all(["Bia", "Caio", "Duda"].map((n) => suite.api.signIn(n)));
    const held = await request(show.id, ana.token);
    for (const f of waiting) await request(show.id, f.token);
    const socks = await Promise.all(waiting.map((f) => suite.live(show.id, f.token)));
    for (const s of socks) await s.next((m) => m.status === "WAITING");

    const ticketId = held.json.ticket.id;
    const pay = await suite.api.call("POST", "/api/payments", {
      token: ana.token,
      body: { showId: show.id, ticketId },
    });
    await suite.api.call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: ana.token });
    const book = await suite.api.call("PATCH", `/${show.id}/ingresso/book`, {
      token: ana.token,
      body: { ticketId, paymentId: pay.json.payment.id },
    });
    expect(book.json.status).toBe("BOOKED");
    for (const s of socks) expect((await s.next((m) => m.status === "SOLD_OUT")).status).toBe("SOLD_OUT");
  });

  it("a restart on the same state keeps the queue, the holds and their expiry", async () => {
    // Long enough that the hold outlives a restart of wrangler dev on a busy machine (a few seconds).
    const show = await suite.api.createShow({ sectors: pista(1), holdSeconds: 12, lanes });
    const ana = await suite.api.signIn("Ana");
    const bia = await suite.api.signIn("Bia");
    const held = await request(show.id, ana.token);
    await request(show.id, bia.token);

    await suite.server.restart();

    const anaState = await suite.api.call("GET", `/${show.id}/ingresso`, { token: ana.token });
    expect(anaState.json.status).toBe("IN_PROGRESS");
    expect(anaState.json.ticket.id).toBe(held.json.ticket.id);
    expect(anaState.json.expiresAt).toBe(held.json.expiresAt);
    expect((await suite.api.call("GET", `/${show.id}/ingresso`, { token: bia.token })).json.position).toBe(1);

    // The hold still expires on time after the restart, and the next fan is told.
    const biaSock = await suite.live(show.id, bia.token);
    const admitted = await biaSock.next((m) => m.status === "IN_PROGRESS", 20_000);
    expect(admitted.ticket?.id).toBe(held.json.ticket.id);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(held.json.expiresAt));
  });
});
