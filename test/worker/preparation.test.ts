/**
 * A show is created `preparing`: its seats are written outside the request, a bounded chunk at a
 * time, by the show's builder (src/prepare/), and it goes on sale once every seat exists. Until then
 * no fan call gets further than `409 SALES_NOT_OPEN`, and a crash anywhere in between resumes from
 * D1 without writing a seat twice.
 */
import {
  createExecutionContext,
  createScheduledController,
  evictDurableObject,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createShow as insertShow } from "../../src/db/queries";
import { preparation, writeNextChunk } from "../../src/db/seats";
import { replaceIo } from "../../src/do/io";
import worker from "../../src/index";
import { builderIoName } from "../../src/prepare/builder";
import { SEATS_PER_CHUNK } from "../../src/prepare/plan";
import { showBody } from "../../src/schemas";
import { faultyD1 } from "./faults/faulty-d1";
import { failD1 } from "./faults/inject";
import { call, createShow, inDays, requestTicket, signIn, ticketRows } from "./helpers";

/** A show written as the create route writes it, with no seat and no builder started: it stays `preparing`. */
async function preparingShow(sectors: { name: string; capacity: number; priceCents: number; meiaShare?: number }[]) {
  const band = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda Grande", genre: "Axé" } });
  const input = showBody.parse({
    bandId: band.json.band.id,
    address: "Arena, Salvador - BA",
    startsAt: inDays(30),
    sectors,
  });
  return insertShow(env.DB, input, Date.now());
}

const builder = (showId: string) => env.BUILDERS.getByName(showId);

/** Run the builder's alarms until the show is no longer preparing. */
async function buildAll(showId: string) {
  for (let i = 0; i < 1_000 && (await preparation(env.DB, showId))?.status === "preparing"; i++) {
    if (!(await runDurableObjectAlarm(builder(showId)))) await new Promise((r) => setTimeout(r, 5));
  }
  return preparation(env.DB, showId);
}

/** Every seat of the show, one row per seat: ids unique, numbers 1..n in each class, meia by the contract. */
async function expectEverySeatOnce(showId: string, classes: { sector: string; meia: boolean; seats: number }[]) {
  const rows = await env.DB.prepare(
    "SELECT id, sector, meia, number FROM tickets WHERE show_id = ? ORDER BY sector, meia, number",
  )
    .bind(showId)
    .all<{ id: string; sector: string; meia: number; number: number }>();
  expect(new Set(rows.results.map((r) => r.id)).size).toBe(rows.results.length);
  for (const c of classes) {
    const numbers = rows.results
      .filter((r) => r.sector === c.sector && r.meia === (c.meia ? 1 : 0))
      .map((r) => r.number);
    expect(numbers, `${c.sector} meia=${c.meia}`).toEqual(Array.from({ length: c.seats }, (_, i) => i + 1));
  }
  expect(rows.results.length).toBe(classes.reduce((n, c) => n + c.seats, 0));
}

describe("creating a show", () => {
  it("puts a show that fits in one chunk on sale in the answer", async () => {
    const show = (await createShow({ sectors: [{ name: "Pista", capacity: 10, priceCents: 1000 }] })) as unknown as {
      status: string;
      preparation: unknown;
    };
    expect(show).toMatchObject({ status: "ready", preparation: null });
  });

  it("answers a bigger show at once, preparing, and puts it on sale once its builder has written every seat", async () => {
    const sectors = [
      { name: "Pista", capacity: 3_001, priceCents: 20_000, meiaShare: 0.4 },
      { name: "Camarote", capacity: 1_500, priceCents: 50_000, meiaShare: 0 },
    ];
    const band = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda", genre: "MPB" } });
    const created = await call("POST", "/api/admin/shows", {
      admin: true,
      body: { bandId: band.json.band.id, address: "Arena", startsAt: inDays(60), sectors },
    });
    expect(created.status).toBe(201);
    expect(created.json.show).toMatchObject({
      status: "preparing",
      preparation: { seatsCreated: SEATS_PER_CHUNK, seatsTotal: 4_501 },
    });
    const showId = created.json.show.id as string;
    expect((await buildAll(showId))?.status).toBe("ready");
    await expectEverySeatOnce(showId, [
      { sector: "Pista", meia: false, seats: 1_801 },
      { sector: "Pista", meia: true, seats: 1_200 },
      { sector: "Camarote", meia: false, seats: 1_500 },
    ]);
    const listed = (await call("GET", `/api/shows/${showId}`)).json.show;
    expect(listed).toMatchObject({ status: "ready", preparation: null });
    expect(listed.sectors.map((s: { available: unknown }) => s.available)).toEqual([
      { full: 1_801, meia: 1_200 },
      { full: 1_500, meia: 0 },
    ]);
    // On sale: the first fan gets the lowest seat of the class.
    const held = await requestTicket(showId, await signIn(), "Pista", true);
    expect(held.status).toBe(200);
    expect(held.json.ticket.id).toBe(`${showId}-0m-1`);
  });
});

describe("a show being prepared", () => {
  it("answers every fan call with 409 SALES_NOT_OPEN saying how far it is, and changes nothing", async () => {
    const showId = await preparingShow([{ name: "Pista", capacity: 5_000, priceCents: 1000, meiaShare: 0 }]);
    await writeNextChunk(env.DB, showId, 1_250);
    const fan = await signIn();
    const notOpen = (res: { status: number; json: { error?: { code: string; message: string } } }) => {
      expect(res.status).toBe(409);
      expect(res.json.error?.code).toBe("SALES_NOT_OPEN");
      expect(res.json.error?.message).toContain("being prepared (1250 of 5000 seats ready)");
    };
    notOpen(await requestTicket(showId, fan));
    notOpen(await call("GET", `/${showId}/ingresso`, { token: fan.token }));
    notOpen(await call("PATCH", `/${showId}/ingresso/cancel`, { token: fan.token }));
    notOpen(
      await call("PATCH", `/${showId}/ingresso/book`, { token: fan.token, body: { ticketId: "t", paymentId: "p" } }),
    );
    notOpen(await call("POST", "/api/payments", { token: fan.token, body: { showId, ticketId: `${showId}-0f-1` } }));
    const ws = await exports.default.fetch(`http://catraca.test/${showId}/ingresso/ws`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${fan.token}` },
    });
    expect(ws.status).toBe(409);
    expect(ws.webSocket).toBeNull();
    // The cron admits nobody either (it starts the show's builder, which only writes seats).
    await runCron();
    expect((await ticketRows(showId)).every((t) => t.status === "AVAILABLE" && t.userId === null)).toBe(true);
    expect((await requestTicket(showId, fan)).json.error?.code ?? "on sale").toMatch(/SALES_NOT_OPEN|on sale/);
  });

  it("is listed with its progress and no seat on sale, and its page says it is being prepared", async () => {
    const showId = await preparingShow([{ name: "Pista", capacity: 4_000, priceCents: 1000, meiaShare: 0 }]);
    await writeNextChunk(env.DB, showId, 1_000);
    const listed = (await call("GET", `/api/shows/${showId}`)).json.show;
    expect(listed).toMatchObject({ status: "preparing", preparation: { seatsCreated: 1_000, seatsTotal: 4_000 } });
    const page = await call("GET", `/shows/${showId}`, { headers: { "accept-language": "pt-BR" } });
    expect(page.text).toContain("estão sendo preparados (25% prontos)");
    expect(page.text).not.toContain("data-show-id");
    const home = (await call("GET", "/api/shows")).json.shows.find((s: { id: string }) => s.id === showId);
    expect(home.preparation).toEqual({ seatsCreated: 1_000, seatsTotal: 4_000 });
  });

  it("sells its seats once ready, whatever the show object was asked before (it cached nothing meanwhile)", async () => {
    const showId = await preparingShow([{ name: "Pista", capacity: 3_000, priceCents: 1000, meiaShare: 0 }]);
    const fan = await signIn();
    expect((await requestTicket(showId, fan)).status).toBe(409);
    await writeNextChunk(env.DB, showId);
    expect((await requestTicket(showId, fan)).status).toBe(409);
    await writeNextChunk(env.DB, showId);
    const held = await requestTicket(showId, fan);
    expect(held.status).toBe(200);
    const stats = await call("GET", `/api/admin/shows/${showId}/stats`, { admin: true });
    expect(stats.json.sectors).toEqual([{ name: "Pista", meia: false, available: 2_999, inProgress: 1, booked: 0 }]);
  });
});

describe("writing seats", () => {
  it("writes nothing twice when it writes seats that exist already (progress lost after its seats)", async () => {
    const showId = await preparingShow([
      { name: "Pista", capacity: 4_000, priceCents: 1000, meiaShare: 0.5 },
      { name: "Camarote", capacity: 2_100, priceCents: 5000, meiaShare: 0 },
    ]);
    await writeNextChunk(env.DB, showId);
    await writeNextChunk(env.DB, showId);
    await env.DB.prepare("UPDATE shows SET seats_created = 1000 WHERE id = ?").bind(showId).run();
    let progress = await preparation(env.DB, showId);
    while (progress?.status === "preparing") progress = await writeNextChunk(env.DB, showId);
    expect(progress).toEqual({ status: "ready", seatsCreated: 6_100, seatsTotal: 6_100 });
    await expectEverySeatOnce(showId, [
      { sector: "Pista", meia: false, seats: 2_000 },
      { sector: "Pista", meia: true, seats: 2_000 },
      { sector: "Camarote", meia: false, seats: 2_100 },
    ]);
  });

  it("leaves a show that is not preparing as it is", async () => {
    const ready = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 1000 }] });
    expect(await writeNextChunk(env.DB, ready.id)).toMatchObject({ status: "ready", seatsTotal: 3 });
    expect(await ticketRows(ready.id)).toHaveLength(3);
    expect(await writeNextChunk(env.DB, "show_nope")).toBeUndefined();
  });
});

describe("the builder", () => {
  it("carries on from D1's progress after it dies, until every seat exists once", async () => {
    const showId = await preparingShow([
      { name: "Pista", capacity: 6_000, priceCents: 1000, meiaShare: 0.4 },
      { name: "Camarote", capacity: 2_000, priceCents: 5000, meiaShare: 0 },
    ]);
    await builder(showId).start(showId);
    // It dies twice along the way; its storage (the show's id, its alarm) and D1 stay.
    await runDurableObjectAlarm(builder(showId));
    await evictDurableObject(builder(showId));
    await runDurableObjectAlarm(builder(showId));
    await evictDurableObject(builder(showId));
    expect((await buildAll(showId))?.status).toBe("ready");
    await expectEverySeatOnce(showId, [
      { sector: "Pista", meia: false, seats: 3_600 },
      { sector: "Pista", meia: true, seats: 2_400 },
      { sector: "Camarote", meia: false, seats: 2_000 },
    ]);
  });

  it("retries a chunk whose D1 call failed, committed or not, until the show is ready", async () => {
    const showId = await preparingShow([{ name: "Pista", capacity: 7_000, priceCents: 1000, meiaShare: 0 }]);
    // The first batch of seats commits and its answer is lost; the next one is never sent.
    const lost = failD1("write", "after", 1);
    const unsent = failD1("write", "before", 1);
    replaceIo(builderIoName(showId), {
      d1: faultyD1(env.DB, {
        before: (op) => (lost.failures() === 1 ? unsent.before?.(op) : undefined),
        after: (op) => lost.after?.(op),
      }),
    });
    await builder(showId).start(showId);
    expect((await buildAll(showId))?.status).toBe("ready");
    expect([lost.failures(), unsent.failures()]).toEqual([1, 1]);
    await expectEverySeatOnce(showId, [{ sector: "Pista", meia: false, seats: 7_000 }]);
  });

  it("is started again by the cron for a show left preparing, and not for an archived one", async () => {
    const left = await preparingShow([{ name: "Pista", capacity: 2_500, priceCents: 1000, meiaShare: 0 }]);
    const archived = await preparingShow([{ name: "Pista", capacity: 2_500, priceCents: 1000, meiaShare: 0 }]);
    expect((await call("POST", `/api/admin/shows/${archived}/archive`, { admin: true })).status).toBe(200);
    await runCron();
    expect((await buildAll(left))?.status).toBe("ready");
    expect(await runDurableObjectAlarm(builder(archived))).toBe(false);
    expect(await preparation(env.DB, archived)).toMatchObject({ status: "archived", seatsCreated: 0 });
    // It never went on sale, and never will.
    const refused = await requestTicket(archived, await signIn());
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("archived");
  });
});

async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}
