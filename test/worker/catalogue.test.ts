/**
 * The catalogue at any size: `GET /api/shows` pages (upcoming first, past shows only when asked,
 * archived shows never), and an organizer archives a show: off the catalogue, no new requests,
 * while the places it gave and the tickets it sold stay good.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createShow, inDays, payAndBook, requestTicket, signIn, state } from "./helpers";

type Listed = { id: string; status: string };

/** Every show of the catalogue, following `nextCursor` from `path`. */
async function everyPage(path: string): Promise<Listed[]> {
  const shows: Listed[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call("GET", cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["nextCursor", "shows"]);
    shows.push(...res.json.shows);
    cursor = res.json.nextCursor;
  } while (cursor);
  return shows;
}

/** The show's date moves to `at`: time passing, as far as the catalogue can tell. */
async function startedAt(showId: string, at: number) {
  await env.DB.prepare("UPDATE shows SET starts_at = ?, sales_open_at = min(sales_open_at, ?) WHERE id = ?")
    .bind(at, at, showId)
    .run();
}

const ids = (shows: Listed[], mine: string[]) => shows.map((s) => s.id).filter((id) => mine.includes(id));

describe("the catalogue", () => {
  it("lists upcoming shows soonest first and leaves past shows out unless asked, most recent first after them", async () => {
    const later = await createShow({ startsAt: inDays(200) });
    const sooner = await createShow({ startsAt: inDays(100) });
    const lastWeek = await createShow();
    const lastMonth = await createShow();
    await startedAt(lastWeek.id, Date.now() - 7 * 86_400_000);
    await startedAt(lastMonth.id, Date.now() - 30 * 86_400_000);
    const mine = [later.id, sooner.id, lastWeek.id, lastMonth.id];
    expect(ids(await everyPage("/api/shows"), mine)).toEqual([sooner.id, later.id]);
    expect(ids(await everyPage("/api/shows?past=1"), mine)).toEqual([sooner.id, later.id, lastWeek.id, lastMonth.id]);
    expect(ids(await everyPage("/api/shows?past=0"), mine)).toEqual([sooner.id, later.id]);
    // A past show is still there for whoever has its address.
    expect((await call("GET", `/api/shows/${lastWeek.id}`)).json.show.id).toBe(lastWeek.id);
  });

  it("goes on into past shows on the next pages once asked, without being asked again", async () => {
    // More upcoming shows than a page holds, so that the past show is on a later page.
    for (let i = 0; i < 25; i++) await createShow();
    const past = await createShow();
    await startedAt(past.id, Date.now() - 86_400_000);
    const seen: string[] = [];
    let res = await call("GET", "/api/shows?past=1");
    expect(res.json.shows.map((s: Listed) => s.id)).not.toContain(past.id);
    seen.push(...res.json.shows.map((s: Listed) => s.id));
    while (res.json.nextCursor) {
      res = await call("GET", `/api/shows?cursor=${encodeURIComponent(res.json.nextCursor)}`);
      seen.push(...res.json.shows.map((s: Listed) => s.id));
    }
    expect(seen).toContain(past.id);
  });

  it("answers the last page with nextCursor null", async () => {
    await createShow();
    const first = await call("GET", "/api/shows");
    expect(first.json.shows.length).toBeGreaterThan(0);
    const all = await everyPage("/api/shows");
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
  });

  it("refuses a cursor it did not give and a past other than 0 or 1, with 400 naming the parameter", async () => {
    for (const [query, field] of [
      ["cursor=nope", "cursor"],
      [`cursor=${encodeURIComponent(btoa('{"s":"later"}'))}`, "cursor"],
      [`cursor=${encodeURIComponent(btoa('{"s":"upcoming","t":1}'))}`, "cursor"],
      ["past=yes", "past"],
    ] as const) {
      const res = await call("GET", `/api/shows?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe("BAD_REQUEST");
      expect(res.json.error.message).toMatch(new RegExp(`^${field}`));
    }
  });

  it("shows the same page on the home page, with links to the next one and back", async () => {
    const home = await call("GET", "/", { headers: { "accept-language": "pt-BR" } });
    expect(home.text).toContain('data-catalogue="/api/shows"');
    expect(home.text).toContain('href="/?past=1"');
    // A mangled cursor shows the first page rather than an error.
    expect((await call("GET", "/?cursor=%E2%98%83")).status).toBe(200);
  });
});

describe("archiving a show", () => {
  it("takes it off the catalogue and the home page; its own address says the sale is closed", async () => {
    const show = await createShow();
    const archived = await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });
    expect(archived.status).toBe(200);
    expect(archived.json.show).toMatchObject({ id: show.id, status: "archived" });
    expect(ids(await everyPage("/api/shows?past=1"), [show.id])).toEqual([]);
    expect((await call("GET", "/")).text).not.toContain(`/shows/${show.id}"`);
    expect((await call("GET", `/api/shows/${show.id}`)).json.show.status).toBe("archived");
    const page = await call("GET", `/shows/${show.id}`, { headers: { "accept-language": "en" } });
    expect(page.text).toContain("This show has been archived");
  });

  it("refuses new requests and keeps the places it gave: the waiting fan is admitted, pays and books", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 1000, meiaShare: 0 }] });
    const [ana, bia, caio] = [await signIn(), await signIn(), await signIn()];
    expect((await requestTicket(show.id, ana)).status).toBe(200);
    expect((await requestTicket(show.id, bia)).status).toBe(202);
    await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });

    const late = await requestTicket(show.id, caio);
    expect(late.status).toBe(409);
    expect(late.json.error).toEqual({ code: "SALES_NOT_OPEN", message: expect.stringContaining("archived") });
    expect((await state(show.id, caio)).status).toBe("NONE");
    // Bia asking again gets her place, not a refusal.
    expect((await requestTicket(show.id, bia)).json).toMatchObject({ status: "WAITING", position: 1 });

    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana.token });
    const admitted = await state(show.id, bia);
    expect(admitted.status).toBe("IN_PROGRESS");
    const { booked } = await payAndBook(show.id, bia, admitted.ticket!.id);
    expect(booked.json.status).toBe("BOOKED");
  });

  it("keeps its booked tickets valid at the door", async () => {
    const show = await createShow();
    const fan = await signIn();
    const held = await requestTicket(show.id, fan);
    await payAndBook(show.id, fan, held.json.ticket.id);
    const { code } = (await call("GET", `/api/tickets/${held.json.ticket.id}`, { token: fan.token })).json;
    await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });
    const door = await call("POST", "/api/tickets/verify", { admin: true, body: { code, showId: show.id } });
    expect(door.json).toMatchObject({ valid: true, ticket: { id: held.json.ticket.id } });
    expect((await state(show.id, fan)).booked).toHaveLength(1);
  });

  it("is for organizers only, answers 404 for no such show, and can be repeated", async () => {
    const show = await createShow();
    const fan = await signIn();
    expect((await call("POST", `/api/admin/shows/${show.id}/archive`, { token: fan.token })).status).toBe(401);
    expect((await call("GET", `/api/shows/${show.id}`)).json.show.status).toBe("ready");
    const nope = await call("POST", "/api/admin/shows/show_nope/archive", { admin: true });
    expect(nope.status).toBe(404);
    expect(nope.json.error.code).toBe("SHOW_NOT_FOUND");
    const first = await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });
    const again = await call("POST", `/api/admin/shows/${show.id}/archive`, { admin: true });
    expect(again.status).toBe(200);
    expect(again.json.show).toEqual(first.json.show);
  });
});
