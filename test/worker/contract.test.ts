import { env, exports } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  askCode,
  call,
  createShow,
  expireSharedAnswers,
  inDays,
  mailedCode,
  payAndBook,
  requestTicket,
  signIn,
  state,
  ticketRows,
} from "./helpers";

const SECRET = "test-session-secret-0123456789abcdef";

function expectError(
  res: { status: number; json: { error?: { code?: string; message?: string } } },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.json.error?.code).toBe(code);
  expect(typeof res.json.error?.message).toBe("string");
}

describe("sessions", () => {
  // Signing in itself (the code, the challenge, the session it gives): test/worker/accounts/sign-in.test.ts.
  it("accepts the session cookie instead of the bearer token", async () => {
    const show = await createShow();
    const email = `${crypto.randomUUID()}@example.com`;
    const { challenge } = await askCode("Bia", email);
    const res = await call("POST", "/api/sessions/verify", { body: { challenge, code: await mailedCode(email) } });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    const viaCookie = await call("GET", `/${show.id}/ingresso`, { headers: { cookie } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.json.status).toBe("NONE");
    // A fan's state is theirs and changes by the second: never cached.
    expect(viaCookie.headers.get("cache-control")).toBe("no-store");
  });

  it("rejects a bad name or email with 400 naming the field", async () => {
    const noName = await call("POST", "/api/sessions", { body: { name: "", email: "a@example.com" } });
    expectError(noName, 400, "BAD_REQUEST");
    expect(noName.json.error.message).toMatch(/^name/);
    const badEmail = await call("POST", "/api/sessions", { body: { name: "Ana", email: "not-an-email" } });
    expectError(badEmail, 400, "BAD_REQUEST");
    expect(badEmail.json.error.message).toMatch(/^email/);
    const long = await call("POST", "/api/sessions", { body: { name: "x".repeat(101), email: "a@example.com" } });
    expectError(long, 400, "BAD_REQUEST");
    expectError(await call("POST", "/api/sessions", { body: "{not json" }), 400, "BAD_REQUEST");
  });

  it("answers 401 to missing, tampered, foreign, expired and alg:none tokens", async () => {
    const show = await createShow();
    const fan = await signIn();
    const [h, p] = fan.token.split(".");
    const now = Math.floor(Date.now() / 1000);
    const none = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${p}.`;
    const claims = JSON.parse(atob(p!.replaceAll("-", "+").replaceAll("_", "/")));
    const tokens = [
      undefined,
      `${h}.${p}.AAAA`,
      await sign({ ...claims, exp: now + 60 }, "another-secret-0123456789abcdef", "HS256"),
      await sign({ ...claims, exp: now - 60 }, SECRET, "HS256"),
      // A v1 token, from before sessions carried their account's version.
      await sign({ sub: fan.id, name: fan.name, exp: now + 60 }, SECRET, "HS256"),
      none,
      "garbage",
    ];
    for (const token of tokens) {
      expectError(await call("GET", `/${show.id}/ingresso`, { token }), 401, "UNAUTHORIZED");
      expectError(
        await call("PATCH", `/${show.id}/ingresso/request`, { token, body: { sector: "Pista" } }),
        401,
        "UNAUTHORIZED",
      );
    }
    expect((await ticketRows(show.id)).every((t) => t.status === "AVAILABLE")).toBe(true);
  });
});

describe("organizers", () => {
  it("creates one ticket per seat, meia by round(capacity × share) at half price (halves round up)", async () => {
    const show = await createShow({
      sectors: [
        { name: "Pista", capacity: 5, priceCents: 10001, meiaShare: 0.5 },
        { name: "Camarote", capacity: 3, priceCents: 30000 },
      ],
    });
    expect(show.sectors).toEqual([
      {
        name: "Pista",
        priceCents: 10001,
        meiaPriceCents: 5000,
        capacity: 5,
        available: { full: 2, meia: 3 },
        inProgress: { full: 0, meia: 0 },
      },
      {
        name: "Camarote",
        priceCents: 30000,
        meiaPriceCents: 15000,
        capacity: 3,
        available: { full: 2, meia: 1 },
        inProgress: { full: 0, meia: 0 },
      },
    ]);
    const rows = await ticketRows(show.id);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.id)).size).toBe(8);
  });

  it("fills in the defaults: 600 s holds, 4 tickets per fan, sales open now", async () => {
    const before = Date.now();
    const show = (await createShow()) as unknown as {
      holdSeconds: number;
      maxTicketsPerUser: number;
      salesOpenAt: string;
    };
    expect(show.holdSeconds).toBe(600);
    expect(show.maxTicketsPerUser).toBe(4);
    expect(Date.parse(show.salesOpenAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("rejects invalid shows with 400 and creates nothing", async () => {
    const band = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda", genre: "Rock" } });
    const base = {
      bandId: band.json.band.id,
      address: "Rua A, 1",
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      sectors: [{ name: "Pista", capacity: 10, priceCents: 1000 }],
    };
    const bad = [
      { ...base, sectors: [] },
      { ...base, sectors: Array.from({ length: 51 }, (_, i) => ({ name: `S${i}`, capacity: 1, priceCents: 1 })) },
      {
        ...base,
        sectors: [
          { name: "Pista", capacity: 1, priceCents: 1 },
          { name: "Pista", capacity: 1, priceCents: 1 },
        ],
      },
      { ...base, sectors: [{ name: "Pista", capacity: 0, priceCents: 1 }] },
      { ...base, sectors: [{ name: "Pista", capacity: 100_001, priceCents: 1 }] },
      { ...base, sectors: [{ name: "Pista", capacity: 1, priceCents: -1 }] },
      { ...base, sectors: [{ name: "Pista", capacity: 1, priceCents: 1, meiaShare: 1.5 }] },
      { ...base, holdSeconds: 0 },
      { ...base, holdSeconds: 3601 },
      { ...base, maxTicketsPerUser: 21 },
      { ...base, startsAt: "amanhã" },
      { ...base, bandId: "band_nope" },
      { ...base, address: undefined },
    ];
    const shows = async () => (await env.DB.prepare("SELECT count(*) AS n FROM shows").first<{ n: number }>())?.n;
    const before = await shows();
    for (const body of bad)
      expectError(await call("POST", "/api/admin/shows", { admin: true, body }), 400, "BAD_REQUEST");
    expect(await shows()).toBe(before);
  });

  it("requires the admin token", async () => {
    const body = { name: "Banda", genre: "Rock" };
    expectError(await call("POST", "/api/admin/bands", { body }), 401, "UNAUTHORIZED");
    expectError(
      await call("POST", "/api/admin/bands", { body, headers: { authorization: "Bearer wrong" } }),
      401,
      "UNAUTHORIZED",
    );
    const fan = await signIn();
    expectError(await call("POST", "/api/admin/bands", { body, token: fan.token }), 401, "UNAUTHORIZED");
    const band = await call("POST", "/api/admin/bands", { admin: true, body: { ...body, description: "Desde 1999" } });
    expect(band.status).toBe(201);
    expect(band.json.band).toMatchObject({ name: "Banda", genre: "Rock", description: "Desde 1999" });
  });

  it("reports live stats per class, sectors in order, full before meia", async () => {
    const show = await createShow({
      sectors: [
        { name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0.5 },
        { name: "Camarote", capacity: 1, priceCents: 5000, meiaShare: 0 },
      ],
    });
    const [ana, bia, caio] = [await signIn(), await signIn(), await signIn()];
    const held = await requestTicket(show.id, ana, "Camarote");
    await requestTicket(show.id, bia, "Camarote");
    await requestTicket(show.id, caio, "Pista", true);
    await payAndBook(show.id, ana, held.json.ticket.id);
    const stats = await call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true });
    expect(stats.status).toBe(200);
    expect(stats.json).toEqual({
      waiting: 0,
      sectors: [
        { name: "Pista", meia: false, available: 1, inProgress: 0, booked: 0 },
        { name: "Pista", meia: true, available: 0, inProgress: 1, booked: 0 },
        { name: "Camarote", meia: false, available: 0, inProgress: 0, booked: 1 },
      ],
      lanes: [{ lane: 0, waiting: 0 }],
    });
    expectError(await call("GET", "/api/admin/shows/show_nope/stats", { admin: true }), 404, "SHOW_NOT_FOUND");
    expectError(await call("GET", "/api/admin/shows/show_nope/refunds", { admin: true }), 404, "SHOW_NOT_FOUND");
  });

  it("counts waiting fans in the stats", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    for (let i = 0; i < 3; i++) await requestTicket(show.id, await signIn());
    expect((await call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true })).json.waiting).toBe(2);
  });
});

describe("catalogue", () => {
  it("lists shows with band and availability: a held ticket moves from available to inProgress (within the cache's TTL)", async () => {
    // The soonest show of this file: on the catalogue's first page.
    const show = await createShow({
      startsAt: inDays(1),
      sectors: [{ name: "Pista", capacity: 3, priceCents: 1000, meiaShare: 0 }],
    });
    const one = await call("GET", `/api/shows/${show.id}`);
    expect(one.status).toBe(200);
    expect(one.json.show).toMatchObject({ id: show.id, band: { genre: "MPB" }, festival: "Festival de Teste" });
    expect(one.json.show.sectors[0].available).toEqual({ full: 3, meia: 0 });
    await requestTicket(show.id, await signIn());
    expireSharedAnswers();
    const after = (await call("GET", `/api/shows/${show.id}`)).json.show.sectors[0];
    expect(after.available).toEqual({ full: 2, meia: 0 });
    expect(after.inProgress).toEqual({ full: 1, meia: 0 });
    const list = await call("GET", "/api/shows");
    expect(list.json.shows.find((s: { id: string }) => s.id === show.id)).toBeDefined();
    expectError(await call("GET", "/api/shows/show_nope"), 404, "SHOW_NOT_FOUND");
  });
});

describe("buying a ticket", () => {
  it("answers every purchase error of the contract and changes nothing", async () => {
    const show = await createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }],
      maxTicketsPerUser: 1,
    });
    const ana = await signIn();
    expectError(await requestTicket("show_nope", ana), 404, "SHOW_NOT_FOUND");
    expectError(await requestTicket(show.id, ana, "Arquibancada"), 400, "BAD_REQUEST");
    expectError(
      await call("PATCH", `/${show.id}/ingresso/request`, { token: ana.token, body: { sector: 3 } }),
      400,
      "BAD_REQUEST",
    );
    expectError(
      await call("PATCH", `/${show.id}/ingresso/request`, { token: ana.token, body: "[" }),
      400,
      "BAD_REQUEST",
    );
    expect((await state(show.id, ana)).status).toBe("NONE");

    const held = await requestTicket(show.id, ana);
    const { booked } = await payAndBook(show.id, ana, held.json.ticket.id);
    expect(booked.status).toBe(200);
    // Ana reached her limit; everybody else finds the class sold out.
    const limit = await requestTicket(show.id, ana);
    expectError(limit, 409, "LIMIT_REACHED");
    expectError(await requestTicket(show.id, await signIn()), 409, "SOLD_OUT");
    expect((await state(show.id, ana)).status).toBe("BOOKED");
  });

  it("answers SALES_NOT_OPEN before the sale opens", async () => {
    const show = await createShow({ salesOpenAt: new Date(Date.now() + 3_600_000).toISOString() });
    const fan = await signIn();
    expectError(await requestTicket(show.id, fan), 409, "SALES_NOT_OPEN");
    expect((await state(show.id, fan)).status).toBe("NONE");
  });

  it("cancels a waiting fan, a holding fan, and changes nothing when there is nothing to cancel", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia, caio] = [await signIn(), await signIn(), await signIn()];
    const nothing = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: caio.token });
    expect(nothing.status).toBe(200);
    expect(nothing.json).toEqual({ status: "NONE", booked: [] });
    await requestTicket(show.id, ana);
    await requestTicket(show.id, bia);
    const waiting = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: bia.token });
    expect(waiting.json).toMatchObject({ status: "CANCELLED", sector: "Pista" });
    const holding = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    expect(holding.json.status).toBe("CANCELLED");
    expect(holding.json.ticket).toBeUndefined();
    expect((await ticketRows(show.id))[0]!.status).toBe("AVAILABLE");
    const twice = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    expect(twice.json.status).toBe("CANCELLED");
  });

  it("checks book in the contract's order: never held, hold ended, payment", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia] = [await signIn(), await signIn()];
    const anaHold = await requestTicket(show.id, ana);
    const biaHold = await requestTicket(show.id, bia);
    const ticketId = anaHold.json.ticket.id;
    const book = (body: unknown, token = ana.token) => call("PATCH", `/${show.id}/ingresso/book`, { token, body });

    expectError(await book({ ticketId: biaHold.json.ticket.id, paymentId: "pay_x" }), 404, "TICKET_NOT_HELD");
    expectError(await book({ ticketId }), 400, "BAD_REQUEST");

    const pending = await call("POST", "/api/payments", { token: ana.token, body: { showId: show.id, ticketId } });
    expect(pending.status).toBe(201);
    expect(pending.json).toMatchObject({ payment: { amountCents: 1000, status: "PENDING" } });
    expect(pending.json.checkoutUrl).toContain(pending.json.payment.id);
    expectError(await book({ ticketId, paymentId: pending.json.payment.id }), 402, "PAYMENT_NOT_APPROVED");

    // Bia's approved payment is not Ana's.
    const biaPay = await call("POST", "/api/payments", {
      token: bia.token,
      body: { showId: show.id, ticketId: biaHold.json.ticket.id },
    });
    await call("POST", `/api/payments/${biaPay.json.payment.id}/sandbox/approve`, { token: bia.token });
    expectError(await book({ ticketId, paymentId: biaPay.json.payment.id }), 402, "PAYMENT_NOT_APPROVED");
    expect((await state(show.id, ana)).status).toBe("IN_PROGRESS");

    const approved = await call("POST", `/api/payments/${pending.json.payment.id}/sandbox/approve`, {
      token: ana.token,
    });
    expect(approved.json.payment.status).toBe("APPROVED");
    const ok = await book({ ticketId, paymentId: pending.json.payment.id });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: "BOOKED", ticket: { id: ticketId, status: "BOOKED" } });
    const repeat = await book({ ticketId, paymentId: pending.json.payment.id });
    expect(repeat.status).toBe(200);
    expect(repeat.json.booked).toHaveLength(1);

    // Bia cancels: her hold has ended, and her approved payment is owed back.
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: bia.token });
    expectError(
      await book({ ticketId: biaHold.json.ticket.id, paymentId: biaPay.json.payment.id }, bia.token),
      409,
      "HOLD_EXPIRED",
    );
    const refunds = await call("GET", `/api/admin/shows/${show.id}/refunds`, { admin: true });
    expect(refunds.json.refunds).toEqual([
      expect.objectContaining({
        id: biaPay.json.payment.id,
        status: "REFUND_DUE",
        user: expect.objectContaining({ id: bia.id }),
      }),
    ]);
  });

  it("lets a payment book at most one ticket", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 1000, meiaShare: 0 }] });
    const ana = await signIn();
    const first = await requestTicket(show.id, ana);
    const { paymentId } = await payAndBook(show.id, ana, first.json.ticket.id);
    const second = await requestTicket(show.id, ana);
    expect(second.status).toBe(200);
    const reuse = await call("PATCH", `/${show.id}/ingresso/book`, {
      token: ana.token,
      body: { ticketId: second.json.ticket.id, paymentId },
    });
    expectError(reuse, 402, "PAYMENT_NOT_APPROVED");
    expect((await state(show.id, ana)).booked).toHaveLength(1);
  });
});

describe("payments", () => {
  it("refuses a payment for a ticket not held (404) or a hold that ended (409)", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia] = [await signIn(), await signIn()];
    const held = await requestTicket(show.id, ana);
    const ticketId = held.json.ticket.id;
    const pay = (token: string) => call("POST", "/api/payments", { token, body: { showId: show.id, ticketId } });
    expectError(await pay(bia.token), 404, "TICKET_NOT_HELD");
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    expectError(await pay(ana.token), 409, "HOLD_EXPIRED");
    expectError(
      await call("POST", "/api/payments", { token: ana.token, body: { showId: "show_nope", ticketId } }),
      404,
      "SHOW_NOT_FOUND",
    );
    expectError(await call("POST", "/api/payments", { token: ana.token, body: {} }), 400, "BAD_REQUEST");
  });

  it("marks a payment approved after its hold ended REFUND_DUE, and hides it from other fans", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia] = [await signIn(), await signIn()];
    const held = await requestTicket(show.id, ana);
    const created = await call("POST", "/api/payments", {
      token: ana.token,
      body: { showId: show.id, ticketId: held.json.ticket.id },
    });
    const paymentId = created.json.payment.id;
    expectError(await call("GET", `/api/payments/${paymentId}`, { token: bia.token }), 404, "PAYMENT_NOT_FOUND");
    expectError(
      await call("POST", `/api/payments/${paymentId}/sandbox/approve`, { token: bia.token }),
      404,
      "PAYMENT_NOT_FOUND",
    );
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    const late = await call("POST", `/api/payments/${paymentId}/sandbox/approve`, { token: ana.token });
    expect(late.json.payment.status).toBe("REFUND_DUE");
    expect((await call("GET", `/api/payments/${paymentId}`, { token: ana.token })).json.payment.status).toBe(
      "REFUND_DUE",
    );
  });
});

describe("errors", () => {
  it("answers unknown routes with 404 NOT_FOUND in the contract's shape", async () => {
    expectError(await call("GET", "/api/nope"), 404, "NOT_FOUND");
    expectError(await call("DELETE", "/api/shows"), 404, "NOT_FOUND");
  });

  it("refuses bodies over 16 KiB with 413", async () => {
    const res = await call("POST", "/api/sessions", {
      body: { name: "Ana", email: "a@example.com", pad: "x".repeat(20_000) },
    });
    expectError(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers an unexpected failure with a plain 500 and no stack trace", async () => {
    const broken = {
      ...env,
      DB: {
        prepare: () => {
          throw new Error("D1 is down at /secret/path.ts:42");
        },
      },
    };
    const { app } = await import("../../src/index");
    const res = await app.request("/api/shows", {}, broken as unknown as Env);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: expect.any(String) } });
    expect(text).not.toContain("secret");
    expect(text).not.toMatch(/at .*\.ts/);
    // The Worker's own fetch stays healthy.
    expect((await exports.default.fetch("http://catraca.test/api/health")).status).toBe(200);
  });
});
