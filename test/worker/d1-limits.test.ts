/// <reference types="vite/client" />
/**
 * D1 binds at most 100 parameters per statement: every size the contract allows works (50 sectors,
 * any number of shows), and no statement in the Worker's code binds parameters in proportion to
 * its input.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Finding, growingStatements } from "./d1-guard";
import { call, createShow, requestTicket, signIn } from "./helpers";

/** The server's code, as text: every D1 call site is in here (the page's client bundle is not). */
const SOURCES = import.meta.glob(["../../src/**/*.ts", "!../../src/client/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("the guard against statements that grow with their input", () => {
  it("reads every D1 call site", () => {
    const files = Object.keys(SOURCES);
    for (const site of ["src/db/queries.ts", "src/db/seats.ts", "src/show/ledger.ts", "src/db/limits.ts"]) {
      expect(
        files.some((f) => f.endsWith(site)),
        site,
      ).toBe(true);
    }
  });

  it("finds none in the Worker's code", () => {
    const findings: Finding[] = Object.entries(SOURCES).flatMap(([file, source]) => growingStatements(file, source));
    expect(findings).toEqual([]);
  });

  it("catches each kind, as the code had them before", () => {
    const samples: Record<string, string> = {
      inArray: "db.select().from(shows).where(showIds ? inArray(shows.id, showIds) : undefined)",
      notInArray: "db.delete(t).where(notInArray(t.id, keep))",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text the guard reads
      join: "sql`${tickets.id} IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`",
      spread: "d1.prepare(text).bind(...params)",
      spreadInWrapper: "bind: (...values: unknown[]) => wrap(stmt.bind(...params)),",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text the guard reads
      placeholders: 'd1.prepare(`SELECT * FROM t WHERE id IN (${ids.map(() => "?").join(",")})`)',
      multiRow: "db.insert(sectors).values(input.sectors.map((s, position) => ({ showId, name: s.name })))",
      array: "db.insert(sectors).values(rows)",
    };
    for (const [kind, source] of Object.entries(samples)) {
      expect(growingStatements(kind, source).length, kind).toBeGreaterThan(0);
    }
    const bounded = [
      "db.insert(shows).values({ id: showId, bandId })",
      "...insertGroups(sectorRows, 7).map((group) => db.insert(sectors).values(group))",
      "db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values))",
      "d1.prepare(INSERT_RUN).bind(first, last, prefix)",
      // A wrapper forwarding what its own bind() was given.
      "bind: (...values: unknown[]) => wrap(stmt.bind(...values)),",
      // A list written out in the code binds what it says.
      'inArray(payments.status, ["PENDING", "EXPIRED"])',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text the guard reads
      "sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`",
    ];
    for (const source of bounded) expect(growingStatements("bounded", source)).toEqual([]);
  });
});

describe("the sizes the contract allows", () => {
  it("creates a 50-sector show, sells a ticket of its last sector and lists all 50", async () => {
    const sectors = Array.from({ length: 50 }, (_, i) => ({
      name: `Setor ${i + 1}`,
      capacity: 40,
      priceCents: 1000 + i,
      meiaShare: 0.25,
    }));
    const show = await createShow({ sectors });
    expect(show.sectors).toHaveLength(50);
    const held = await requestTicket(show.id, await signIn(), "Setor 50", true);
    expect(held.status).toBe(200);
    expect(held.json.ticket).toMatchObject({ sector: "Setor 50", meia: true, priceCents: 524 });
    const stats = await call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true });
    expect(stats.json.sectors).toHaveLength(100);
    const listed = (await call("GET", `/api/shows/${show.id}`)).json.show;
    expect(listed.sectors.map((s: { name: string }) => s.name)).toEqual(sectors.map((s) => s.name));
    expect(listed.sectors[49].available).toEqual({ full: 30, meia: 9 });
  });

  it("lists 1,000 shows page by page, in the API and on the home page, each once, upcoming first", async () => {
    const now = Date.now();
    await thousandShows(now);
    const expected = await env.DB.prepare(
      "SELECT id FROM shows WHERE status != 'archived' AND starts_at > ?1 ORDER BY starts_at, id",
    )
      .bind(now)
      .all<{ id: string }>();
    const upcoming = expected.results.map((r) => r.id);
    expect(upcoming.length).toBeGreaterThanOrEqual(630);

    const pages = await allPages("/api/shows");
    expect(pages.every((p) => p.length <= 24)).toBe(true);
    expect(pages.flat()).toEqual(upcoming);

    const past = await env.DB.prepare(
      "SELECT id FROM shows WHERE status != 'archived' AND starts_at <= ?1 ORDER BY starts_at DESC, id DESC",
    )
      .bind(now)
      .all<{ id: string }>();
    expect(past.results.length).toBeGreaterThanOrEqual(270);
    expect((await allPages("/api/shows?past=1")).flat()).toEqual([...upcoming, ...past.results.map((r) => r.id)]);

    // The home page pages the same way: its "more shows" links walk the same list.
    const seen: string[] = [];
    let href: string | undefined = "/";
    while (href) {
      const page = await call("GET", href);
      expect(page.status).toBe(200);
      seen.push(...[...page.text.matchAll(/href="\/shows\/([^"]+)"/g)].map((m) => m[1] ?? ""));
      href = /<a class="pager__link" rel="next" href="([^"]+)"/.exec(page.text)?.[1]?.replaceAll("&amp;", "&");
    }
    expect(seen).toEqual(upcoming);
  });
});

/** 1,000 shows of one band, an hour apart, 300 of them past and one in ten archived, two seats each. */
async function thousandShows(now: number) {
  const band = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Mil Shows", genre: "Rock" } });
  const bandId = band.json.band.id as string;
  const numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)";
  await env.DB.batch([
    env.DB.prepare(
      `${numbers} INSERT INTO shows (id, band_id, festival, address, starts_at, sales_open_at, hold_seconds,
         max_tickets_per_user, status, seats_total, seats_created, created_at)
       SELECT printf('show_k%04d', i), ?1, NULL, 'Rua A, 1', ?2 + (i - 300) * 3600000 - 1800000, 0, 600, 4,
         CASE WHEN i % 10 = 0 THEN 'archived' ELSE 'ready' END, 2, 2, 0 FROM n`,
    ).bind(bandId, now),
    env.DB.prepare(
      `${numbers} INSERT INTO sectors (show_id, name, position, capacity, price_cents, meia_price_cents, meia_count)
       SELECT printf('show_k%04d', i), 'Pista', 0, 2, 1000, 500, 0 FROM n`,
    ),
    env.DB.prepare(
      `${numbers}, seat(s) AS (SELECT 1 UNION ALL SELECT 2)
       INSERT INTO tickets (id, show_id, number, sector, meia, price_cents, status)
       SELECT printf('show_k%04d-0f-%d', i, s), printf('show_k%04d', i), s, 'Pista', 0, 1000, 'AVAILABLE' FROM n, seat`,
    ),
  ]);
}

/** Every page of the catalogue from `path` on, as lists of show ids. */
async function allPages(path: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call("GET", cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    expect(res.status).toBe(200);
    pages.push(res.json.shows.map((s: { id: string }) => s.id));
    cursor = res.json.nextCursor;
  } while (cursor);
  return pages;
}
