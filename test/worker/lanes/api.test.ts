/**
 * Lanes through the API (contract v1.1): `"lanes"` on POST /api/admin/shows and on the Show, the
 * stats summed over the lanes and listed per lane, the dashboard's waiting fans, an archived show
 * and a booking with lanes (the next fan's too, once a hold ran out).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { laneName } from "../../../src/lanes/key";
import { setClock } from "../faults/inject";
import {
  call,
  createShow,
  inDays,
  payAndBook,
  paymentRows,
  requestTicket,
  settled,
  showStub,
  signInMany,
  state,
} from "../helpers";
import { join } from "./support";

const pista = (capacity: number) => [{ name: "Pista", capacity, priceCents: 3000, meiaShare: 0 }];

async function band() {
  const res = await call("POST", "/api/admin/bands", {
    admin: true,
    body: { name: "Banda das Filas", genre: "Frevo" },
  });
  return res.json.band.id as string;
}

describe("lanes through the API", () => {
  it("creates a show with 1 to 256 lanes (1 when left out), reports them on the Show, and refuses anything else", async () => {
    const bandId = await band();
    const body = (lanes?: unknown) => ({
      bandId,
      address: "Marco Zero, Recife - PE",
      startsAt: inDays(30),
      sectors: pista(5),
      ...(lanes !== undefined && { lanes }),
    });
    const one = await call("POST", "/api/admin/shows", { admin: true, body: body() });
    expect(one.json.show.lanes).toBe(1);
    const many = await call("POST", "/api/admin/shows", { admin: true, body: body(256) });
    expect(many.status).toBe(201);
    expect((await call("GET", `/api/shows/${many.json.show.id}`)).json.show.lanes).toBe(256);
    for (const bad of [0, 257, 2.5, "8"]) {
      const res = await call("POST", "/api/admin/shows", { admin: true, body: body(bad) });
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({ code: "BAD_REQUEST", message: expect.stringContaining("lanes") });
    }
  });

  it("sums the waiting fans of every lane in the stats, and lists each lane", async () => {
    const show = await createShow({ sectors: pista(1), lanes: 4 });
    const fans = await signInMany(9);
    for (const f of fans) await requestTicket(show.id, f);
    const stats = (await call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true })).json;
    expect(stats.waiting).toBe(8);
    expect(stats.lanes.map((l: { lane: number }) => l.lane)).toEqual([0, 1, 2, 3]);
    expect(stats.lanes.reduce((n: number, l: { waiting: number }) => n + l.waiting, 0)).toBe(8);
    const dashboard = await call("GET", `/api/console/shows/${show.id}/dashboard`, { admin: true });
    expect(dashboard.json.waiting).toBe(8);
    expect(dashboard.json.classes[0].waiting).toBe(8);
  });

  it("answers a fan who books BOOKED at its lane at once, and every waiting fan SOLD_OUT", async () => {
    const show = await createShow({ sectors: pista(1), lanes: 8 });
    const [ana, bia] = await signInMany(2);
    const held = await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const { booked } = await payAndBook(show.id, ana!, held.json.ticket.id);
    expect(booked.json.status).toBe("BOOKED");
    expect(await state(show.id, ana!)).toMatchObject({ status: "BOOKED", booked: [{ id: held.json.ticket.id }] });
    expect((await state(show.id, bia!)).status).toBe("SOLD_OUT");
  });

  it("shows a waiting fan her turn that came as a hold ran out only once the coordinator gave it, with the whole hold, and keeps what she pays", async () => {
    const created = await createShow({ sectors: pista(1), lanes: 3, holdSeconds: 60 });
    const show = { id: created.id, lanes: 3 };
    const [ana, bia] = await signInMany(2);
    const t0 = Date.now();
    const clock = (t: number) => {
      setClock(show.id, t);
      for (let lane = 0; lane < show.lanes; lane++) setClock(laneName(show.id, lane), t);
    };
    clock(t0);
    // Bia holds the one seat; Ana's join, stamped before hers, reached its lane late.
    expect((await join(show, bia!.id, t0 + 1)).ok).toBe(true);
    await settled(show.id);
    expect((await join(show, ana!.id, t0)).ok).toBe(true);
    await settled(show.id);
    expect(await state(show.id, bia!)).toMatchObject({ status: "IN_PROGRESS" });
    // Bia's hold runs out: until the coordinator ends it, Ana's lane shows her place, no hold to pay for.
    const later = t0 + 60_001;
    clock(later);
    expect(await state(show.id, ana!)).toMatchObject({ status: "WAITING", position: 1 });
    await runDurableObjectAlarm(showStub(show.id));
    await settled(show.id);
    const held = await state(show.id, ana!);
    expect(held).toMatchObject({ status: "IN_PROGRESS", expiresAt: new Date(later + 60_000).toISOString() });
    const { paymentId, booked } = await payAndBook(show.id, ana!, held.ticket?.id as string);
    expect(booked.json.status).toBe("BOOKED");
    expect((await paymentRows(show.id)).map((p) => [p.id, p.status])).toEqual([[paymentId, "APPROVED"]]);
    expect((await state(show.id, bia!)).status).toBe("EXPIRED");
  });

  it("refuses new requests on an archived show with lanes, and keeps the places it gave", async () => {
    const show = await createShow({ sectors: pista(1), lanes: 8 });
    const [ana, bia, caio] = await signInMany(3);
    expect((await requestTicket(show.id, ana!)).status).toBe(200);
    expect((await requestTicket(show.id, bia!)).status).toBe(202);
    await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });
    const late = await requestTicket(show.id, caio!);
    expect(late.status).toBe(409);
    expect(late.json.error).toEqual({ code: "SALES_NOT_OPEN", message: expect.stringContaining("archived") });
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana!.token });
    await settled(show.id);
    expect((await state(show.id, bia!)).status).toBe("IN_PROGRESS");
  });
});
