/** The door page's and the console's own logic, without a browser. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MIN_SPAN_S, perMinute, queueLength, timeRange } from "../../src/client/console/series";
import { decideOffline, type LocalScan } from "../../src/client/door/decide";
import { importTicketPublicKey } from "../../src/codes/format";
import type { DoorManifest, DoorTicket } from "../../src/door/manifest";
import { venueTimeToIso } from "../../src/page/format";
import { signLegacyTicketCode, signTicketCode, ticketPublicKey } from "../../src/ticket-code";

const ticket = (id: string, over: Partial<DoorTicket> = {}): DoorTicket => ({
  id,
  userId: `usr_${id}`,
  holder: `Fã ${id}`,
  sector: "Pista",
  meia: false,
  status: "BOOKED",
  checkedInAt: null,
  gate: null,
  ...over,
});

async function gate() {
  const manifest: DoorManifest = {
    show: { id: "show_a", band: "Banda", festival: null, address: "Recife, PE", startsAt: "2027-01-01T22:00:00Z" },
    gate: "Portão 1",
    publicKey: await ticketPublicKey(env),
    generatedAt: "2027-01-01T20:00:00Z",
    tickets: [
      ticket("t1"),
      ticket("t2", { meia: true }),
      ticket("t3", { checkedInAt: "2027-01-01T21:00:00.000Z", gate: "Portão 2" }),
    ],
  };
  const key = await importTicketPublicKey(manifest.publicKey);
  const code = (ticketId: string, showId = "show_a", userId = `usr_${ticketId}`) =>
    signTicketCode(env, { ticketId, showId, userId });
  return { manifest, key, code };
}

describe("the gate deciding offline", () => {
  it("admits a booked ticket of its show whose C2 signature holds, with what the gate must check", async () => {
    const { manifest, key, code } = await gate();
    expect(await decideOffline(manifest, key, [], await code("t2"))).toEqual({
      kind: "admitted",
      ticketId: "t2",
      holder: "Fã t2",
      sector: "Pista",
      meia: true,
      offline: true,
    });
  });

  it("knows a ticket already got in, from the downloaded list or from this phone's own scans", async () => {
    const { manifest, key, code } = await gate();
    expect(await decideOffline(manifest, key, [], await code("t3"))).toMatchObject({
      kind: "already",
      gate: "Portão 2",
      at: "2027-01-01T21:00:00.000Z",
    });
    const mine: LocalScan = {
      scanId: "s1",
      ticketId: "t1",
      code: await code("t1"),
      gate: "Portão 1",
      scannedAt: "2027-01-01T21:30:00.000Z",
      synced: false,
    };
    expect(await decideOffline(manifest, key, [mine], mine.code)).toMatchObject({
      kind: "already",
      gate: "Portão 1",
      at: mine.scannedAt,
    });
  });

  it("refuses forged, foreign, unknown, moved and old codes, each with its reason", async () => {
    const { manifest, key, code } = await gate();
    const real = await code("t1");
    const reasons = async (c: string) => {
      const v = await decideOffline(manifest, key, [], c);
      return v.kind === "refused" ? v.reason : v.kind;
    };
    expect(await reasons("not a code")).toBe("INVALID_CODE");
    expect(await reasons(real.replace("usr_t1", "usr_t2"))).toBe("INVALID_CODE");
    expect(await reasons(await code("t1", "show_b"))).toBe("OTHER_SHOW");
    expect(await reasons(await code("t9"))).toBe("NOT_IN_LIST");
    expect(await reasons(await code("t1", "show_a", "usr_someone_else"))).toBe("NOT_BOOKED");
    expect(await reasons(await signLegacyTicketCode(env, { ticketId: "t1", showId: "show_a", userId: "usr_t1" }))).toBe(
      "LEGACY_OFFLINE",
    );
  });
});

describe("the console's figures on the page", () => {
  it("fills the minutes without sales with zeros, up to now", () => {
    const series = perMinute(
      [
        { at: "2027-01-01T20:00:00.000Z", booked: 3 },
        { at: "2027-01-01T20:02:00.000Z", booked: 1 },
      ],
      Date.parse("2027-01-01T20:03:30Z"),
    );
    const base = Date.parse("2027-01-01T20:00:00Z") / 1000;
    expect(series).toEqual({ x: [base, base + 60, base + 120, base + 180], y: [3, 0, 1, 0] });
    expect(perMinute([], Date.now())).toEqual({ x: [], y: [] });
    expect(queueLength([{ at: "2027-01-01T20:00:05.000Z", waiting: 7 }])).toEqual({ x: [base + 5], y: [7] });
  });

  it("spans the charts' time axis over the series itself, a quarter hour at least, even for one minute of sales", () => {
    const now = Date.parse("2027-01-01T20:03:30Z");
    const single = perMinute([{ at: "2027-01-01T20:03:10.000Z", booked: 2 }], now);
    const minute = Date.parse("2027-01-01T20:03:00Z") / 1000;
    expect(single.x).toEqual([minute]);
    expect(timeRange(single.x, now / 1000)).toEqual([minute - MIN_SPAN_S, minute + 30]);
    const hour = perMinute([{ at: "2027-01-01T19:00:00.000Z", booked: 1 }], now);
    expect(timeRange(hour.x, now / 1000)).toEqual([minute - 63 * 60, minute + 30]);
    expect(timeRange([], now / 1000)).toEqual([now / 1000 - MIN_SPAN_S, now / 1000 + 30]);
  });

  it("reads a time typed in the show form as Brasília time", () => {
    expect(venueTimeToIso("2027-02-10T21:00")).toBe("2027-02-11T00:00:00.000Z");
    expect(venueTimeToIso("2027-07-01T00:30")).toBe("2027-07-01T03:30:00.000Z");
  });
});
