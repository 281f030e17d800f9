/** A gate without network: what it downloads, and what happens when it syncs its offline admissions. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { importTicketPublicKey, parseTicketCode, verifyC2 } from "../../src/codes/format";
import { bookedTicket, checkin, doorToken } from "./door-helpers";
import { call, createShow } from "./helpers";

const sync = (token: string, scans: unknown[]) => call("POST", "/api/door/sync", { token, body: { scans } });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe("the gate's ticket list", () => {
  it("has every booked ticket with holder, sector, meia and check-in, and the key that checks codes offline", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 4, priceCents: 10000, meiaShare: 0.5 }] });
    const a = await bookedTicket({}, { showId: show.id });
    const b = await bookedTicket({}, { showId: show.id, meia: true });
    const { token } = await doorToken(show.id, "Portão A");
    await checkin({ code: a.code }, { token });
    const res = await call("GET", "/api/door/manifest", { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.json.show).toMatchObject({ id: show.id });
    expect(res.json.gate).toBe("Portão A");
    const byId = Object.fromEntries(res.json.tickets.map((t: { id: string }) => [t.id, t]));
    expect(Object.keys(byId).sort()).toEqual([a.ticketId, b.ticketId].sort());
    expect(byId[a.ticketId]).toMatchObject({
      holder: a.fan.name,
      userId: a.fan.id,
      sector: "Pista",
      meia: false,
      status: "BOOKED",
      gate: "Portão A",
    });
    expect(byId[a.ticketId].checkedInAt).toEqual(expect.any(String));
    expect(byId[b.ticketId]).toMatchObject({ holder: b.fan.name, meia: true, checkedInAt: null });

    // With only what it downloaded, the gate tells a real code from a forged one.
    const key = await importTicketPublicKey(res.json.publicKey);
    expect(await verifyC2(key, parseTicketCode(b.code)!)).toBe(true);
    expect(await verifyC2(key, parseTicketCode(b.code.replace(b.fan.id, a.fan.id))!)).toBe(false);
  });

  it("needs a door link or the organizer (who names the show)", async () => {
    const show = await createShow();
    expect((await call("GET", "/api/door/manifest")).status).toBe(401);
    expect((await call("GET", "/api/door/manifest", { admin: true })).status).toBe(400);
    expect((await call("GET", `/api/door/manifest?showId=${show.id}`, { admin: true })).status).toBe(200);
  });
});

describe("syncing offline admissions", () => {
  it("records each scan once, at the time it was scanned, however often the gate retries", async () => {
    const { showId, ticketId, code } = await bookedTicket();
    const { token } = await doorToken(showId, "Portão B");
    const scan = { scanId: "scan-offline-0001", code, scannedAt: minutesAgo(3) };
    const first = await sync(token, [scan]);
    expect(first.status).toBe(200);
    expect(first.json.results).toEqual([{ scanId: scan.scanId, outcome: "admitted", ticketId }]);
    expect((await sync(token, [scan])).json.results).toEqual(first.json.results);
    const rows = await env.DB.prepare("SELECT gate, checked_in_at AS at, offline FROM checkins WHERE ticket_id = ?")
      .bind(ticketId)
      .all();
    expect(rows.results).toEqual([{ gate: "Portão B", at: Date.parse(scan.scannedAt), offline: 1 }]);
    // The ticket is now used online too.
    const online = await checkin({ code }, { token });
    expect(online.status).toBe(409);
    expect(online.json).toMatchObject({ gate: "Portão B", checkedInAt: scan.scannedAt });
  });

  it("reports two gates that let one ticket in offline: the later admission is the conflict, whichever syncs first", async () => {
    const { showId, ticketId, code, fan } = await bookedTicket();
    const north = await doorToken(showId, "Portão Norte");
    const south = await doorToken(showId, "Portão Sul");
    // North scanned later but syncs first; South's earlier admission then stands.
    const late = await sync(north.token, [{ scanId: "north-00000001", code, scannedAt: minutesAgo(2) }]);
    expect(late.json.results[0]).toMatchObject({ outcome: "admitted" });
    const southAt = minutesAgo(5);
    const early = await sync(south.token, [{ scanId: "south-00000001", code, scannedAt: southAt }]);
    expect(early.json.results[0]).toEqual({
      scanId: "south-00000001",
      outcome: "conflict",
      ticketId,
      first: { gate: "Portão Sul", checkedInAt: southAt },
    });
    // A third gate, later than both, is a conflict too; retrying changes nothing.
    const third = await doorToken(showId, "Portão Leste");
    const scan = { scanId: "east-000000001", code, scannedAt: minutesAgo(1) };
    expect((await sync(third.token, [scan])).json.results[0]).toMatchObject({
      outcome: "conflict",
      first: { gate: "Portão Sul" },
    });
    await sync(third.token, [scan]);

    const dash = await call("GET", `/api/console/shows/${showId}/dashboard`, { admin: true });
    expect(dash.json.checkins.total).toBe(1);
    expect(dash.json.checkins.byGate).toEqual([{ gate: "Portão Sul", checkedIn: 1, offline: 1 }]);
    expect(dash.json.checkins.conflicts.map((c: { gate: string }) => c.gate)).toEqual(["Portão Leste", "Portão Norte"]);
    expect(dash.json.checkins.conflicts[0]).toMatchObject({
      ticketId,
      holder: fan.name,
      first: { gate: "Portão Sul" },
    });
  });

  it("answers each bad scan by itself and records it nowhere", async () => {
    const { showId, code, ticketId } = await bookedTicket();
    const elsewhere = await bookedTicket();
    const { token } = await doorToken(showId);
    const res = await sync(token, [
      { scanId: "bad-0000000001", code: "C2.nope", scannedAt: minutesAgo(1) },
      { scanId: "bad-0000000002", code: elsewhere.code, scannedAt: minutesAgo(1) },
      { scanId: "ok-00000000001", code, scannedAt: minutesAgo(1) },
    ]);
    expect(res.json.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      "INVALID_CODE",
      "OTHER_SHOW",
      "admitted",
    ]);
    expect(res.json.results[2].ticketId).toBe(ticketId);
    const bad = await sync(token, [{ scanId: "x", code, scannedAt: minutesAgo(1) }]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^scans\.0\.scanId/);
  });

  it("never dates an admission after the server's now (a phone's clock running fast)", async () => {
    const { showId, ticketId, code } = await bookedTicket();
    const { token } = await doorToken(showId);
    const before = Date.now();
    await sync(token, [{ scanId: "fast-clock-0001", code, scannedAt: new Date(Date.now() + 3600_000).toISOString() }]);
    const row = await env.DB.prepare("SELECT checked_in_at AS at FROM checkins WHERE ticket_id = ?")
      .bind(ticketId)
      .first<{ at: number }>();
    expect(row!.at).toBeGreaterThanOrEqual(before);
    expect(row!.at).toBeLessThanOrEqual(Date.now());
  });
});
