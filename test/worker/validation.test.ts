/**
 * Names and dates an organizer sends: one spelling per name (NFC, trimmed, whitespace collapsed),
 * nothing invisible or broken in it, sector names unique ignoring case, a show in the future with
 * its sale opening before it starts. Each refusal is a 400 naming the field, and creates nothing.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, inDays, requestTicket, signIn } from "./helpers";

async function band(name = "Banda") {
  const res = await call("POST", "/api/admin/bands", { admin: true, body: { name, genre: "MPB" } });
  return res.json.band.id as string;
}

async function showCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM shows").first<{ n: number }>())?.n ?? 0;
}

type Sector = { name: string; capacity: number; priceCents: number; meiaShare?: number };

async function postShow(
  body: Record<string, unknown>,
  sectors: Sector[] = [{ name: "Pista", capacity: 2, priceCents: 1000 }],
) {
  return call("POST", "/api/admin/shows", {
    admin: true,
    body: { bandId: await band(), address: "Rua A, 1 - Recife", startsAt: inDays(30), sectors, ...body },
  });
}

/** A refused show: 400 BAD_REQUEST naming `field`, and no show written. */
async function expectRefused(field: string, body: Record<string, unknown>, sectors?: Sector[]) {
  const before = await showCount();
  const res = await postShow(body, sectors);
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json.error.code).toBe("BAD_REQUEST");
  expect(res.json.error.message.startsWith(`${field}:`), res.json.error.message).toBe(true);
  expect(await showCount()).toBe(before);
}

const sector = (name: string): Sector => ({ name, capacity: 1, priceCents: 1000, meiaShare: 0 });

describe("names", () => {
  it("are kept in one spelling: NFC, trimmed, each run of whitespace one space", async () => {
    const created = await call("POST", "/api/admin/bands", {
      admin: true,
      body: { name: "  Cafe\u0301   com\u00a0Leite ", genre: " Samba\u3000Rock " },
    });
    expect(created.json.band).toMatchObject({ name: "Café com Leite", genre: "Samba Rock" });
    const show = await postShow({ festival: "  Festival   de  Verão " }, [
      sector("  Pista \u2003 Premium  "),
      sector("Cafe\u0301"),
    ]);
    expect(show.status).toBe(201);
    expect(show.json.show.festival).toBe("Festival de Verão");
    expect(show.json.show.sectors.map((s: { name: string }) => s.name)).toEqual(["Pista Premium", "Café"]);
  });

  it("treat a blank festival as none", async () => {
    const show = await postShow({ festival: "   " });
    expect(show.status).toBe(201);
    expect(show.json.show.festival).toBeNull();
  });

  it("refuse lone surrogates, control characters and zero-width or other invisible characters", async () => {
    const hostile = [
      "a\ud800",
      "\udc00b",
      "Pista\u0007",
      "Pista\tPremium",
      "Pista\nPremium",
      "Pista\u200b",
      "Pi\u200dsta",
      "\ufeffPista",
      "Pis\u00adta",
      "\u202ePista",
      "Pista\u2060",
    ];
    for (const name of hostile) {
      await expectRefused("sectors.0.name", {}, [sector(name)]);
      await expectRefused("festival", { festival: name });
      const res = await call("POST", "/api/admin/bands", { admin: true, body: { name, genre: "MPB" } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.json.error.message).toMatch(/^name:/);
    }
  });

  it("refuse a name that is empty once trimmed", async () => {
    await expectRefused("sectors.0.name", {}, [sector(" \u00a0 ")]);
  });

  it("refuse sector names that are the same ignoring case, spelling or spaces", async () => {
    for (const [a, b] of [
      ["Pista", "pista"],
      ["Café", "Cafe\u0301"],
      ["CAFÉ", "cafe\u0301"],
      ["Pista Premium", "Pista  Premium"],
      ["Pista", " Pista "],
      ["Straße", "STRASSE"],
    ]) {
      await expectRefused("sectors.1.name", {}, [sector(a ?? ""), sector(b ?? "")]);
    }
  });
});

describe("a fan's requested sector", () => {
  it("is matched in the same spelling as the show's sector names", async () => {
    const show = await postShow({}, [sector("Café Premium")]);
    const res = await requestTicket(show.json.show.id, await signIn(), " Cafe\u0301   Premium ");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: "IN_PROGRESS",
      sector: "Café Premium",
      ticket: { sector: "Café Premium" },
    });
  });

  it("is refused with 400 when it holds invisible or broken characters", async () => {
    const show = await postShow({}, [sector("Pista")]);
    for (const name of ["Pista\u200b", "Pista\ud800", "Pis\u0000ta"]) {
      const res = await requestTicket(show.json.show.id, await signIn(), name);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/^sector:/);
    }
  });
});

describe("dates", () => {
  it("refuse a show that starts in the past, or now", async () => {
    await expectRefused("startsAt", { startsAt: new Date(Date.now() - 60_000).toISOString() });
    await expectRefused("startsAt", { startsAt: "2020-01-01T20:00:00Z" });
  });

  it("refuse a sale that opens after the show starts, and accept one that opens as it starts", async () => {
    const startsAt = inDays(10);
    await expectRefused("salesOpenAt", { startsAt, salesOpenAt: inDays(11) });
    const atTheDoor = await postShow({ startsAt, salesOpenAt: startsAt });
    expect(atTheDoor.status).toBe(201);
    expect(atTheDoor.json.show.salesOpenAt).toBe(startsAt);
  });
});
