/** Who may do what at the door and in the console: door links scoped, revoked, expired; the organizer's cookie; CSRF. */
import { describe, expect, it } from "vitest";
import { bookedTicket, browse, checkin, doorToken, ORIGIN, organizerCookie, signInToConsole } from "./door-helpers";
import { call, createShow, inDays, signIn } from "./helpers";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("door links", () => {
  it("check tickets in at their own show only", async () => {
    const here = await bookedTicket();
    const there = await bookedTicket();
    const { token } = await doorToken(here.showId);
    expect((await checkin({ code: here.code }, { token })).status).toBe(200);
    const other = await checkin({ code: there.code }, { token });
    expect(other.status).toBe(404);
    expect(other.json.error.code).toBe("OTHER_SHOW");
    const otherList = await call("GET", `/api/door/manifest?showId=${there.showId}`, { token });
    expect(otherList.status).toBe(403);
  });

  it("allow checking in and nothing else: not the organizer's API, not the console's, not verify", async () => {
    const { showId, code } = await bookedTicket();
    const { token } = await doorToken(showId);
    const tries = [
      call("GET", `/api/admin/shows/${showId}/stats`, { token }),
      call("POST", "/api/admin/bands", { token, body: { name: "x", genre: "y" } }),
      call("GET", `/api/console/shows/${showId}/dashboard`, { token }),
      call("POST", `/api/console/shows/${showId}/doors`, { token, body: { label: "mine now" } }),
      call("GET", `/api/console/shows/${showId}/attendees.csv`, { token }),
      call("POST", "/api/tickets/verify", { token, body: { code } }),
    ];
    for (const res of await Promise.all(tries)) expect(res.status).toBe(401);
  });

  it("stop working once revoked, with a message that says so", async () => {
    const { showId, code } = await bookedTicket();
    const { token, id } = await doorToken(showId, "Portão 3");
    const revoked = await call("POST", `/api/console/shows/${showId}/doors/${id}/revoke`, { admin: true });
    expect(revoked.status).toBe(200);
    expect(revoked.json.door).toMatchObject({ id, active: false });
    expect(revoked.json.door.revokedAt).not.toBeNull();
    const res = await checkin({ code }, { token });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/revoked/);
    const elsewhere = await createShow();
    expect((await call("POST", `/api/console/shows/${elsewhere.id}/doors/${id}/revoke`, { admin: true })).status).toBe(
      404,
    );
  });

  it("expire: never later than a day after the show, and refused once past their time", async () => {
    const startsAt = Date.parse(inDays(90));
    const { showId, code } = await bookedTicket({ startsAt: new Date(startsAt).toISOString() });
    const tooLate = await call("POST", `/api/console/shows/${showId}/doors`, {
      admin: true,
      body: { label: "x", expiresAt: new Date(startsAt + 2 * 86_400_000).toISOString() },
    });
    expect(tooLate.status).toBe(400);
    expect(tooLate.json.error.message).toMatch(/^expiresAt/);
    const byDefault = await doorToken(showId);
    const listed = await call("GET", `/api/console/shows/${showId}/dashboard`, { admin: true });
    const door = listed.json.doors.find((d: { id: string }) => d.id === byDefault.id);
    expect(door.expiresAt).toBe(new Date(startsAt + 86_400_000).toISOString());

    const short = await doorToken(showId, "Portão curto", new Date(Date.now() + 1500).toISOString());
    await wait(1600);
    const res = await checkin({ code }, { token: short.token });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/expired/);
  });

  it("become the door's HttpOnly cookie, whose writes must come from our own pages", async () => {
    const { showId, code } = await bookedTicket();
    const { token } = await doorToken(showId, "Portão Leste");
    const session = await call("POST", "/api/door/session", { body: { token }, headers: { origin: ORIGIN } });
    expect(session.status).toBe(201);
    expect(session.json).toEqual({ gate: "Portão Leste", showId });
    const setCookie = session.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/catraca_door=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = /catraca_door=[^;]+/.exec(setCookie)![0];

    const noOrigin = await checkin({ code }, { headers: { cookie } });
    expect(noOrigin.status).toBe(403);
    const foreign = await checkin({ code }, { headers: { cookie, origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    const manifest = await call("GET", "/api/door/manifest", { headers: { cookie } });
    expect(manifest.status).toBe(200);
    expect(manifest.json.gate).toBe("Portão Leste");
    const ours = await checkin({ code }, { headers: { cookie, origin: ORIGIN } });
    expect(ours.status).toBe(200);
    expect(ours.json.gate).toBe("Portão Leste");

    const bad = await call("POST", "/api/door/session", { body: { token: `${token}x` } });
    expect(bad.status).toBe(401);
  });
});

describe("the organizer's console session", () => {
  it("is got once for the admin token: an HttpOnly, SameSite=Strict cookie that does not carry the token", async () => {
    const wrong = await signInToConsole("not-the-token");
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const res = await signInToConsole("test-admin-token");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/organizador");
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain("test-admin-token");

    const cookie = await organizerCookie();
    const page = await browse("GET", "/organizador", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Bandas e shows");
    const signedOut = await browse("GET", "/organizador");
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get("location")).toMatch(/^\/organizador\/entrar/);
  });

  it("refuses cross-site requests (CSRF): a write needs our Origin, and the sign-in form refuses other sites", async () => {
    const cookie = await organizerCookie();
    const band = { name: "Banda CSRF", genre: "Rock" };
    const noOrigin = await call("POST", "/api/admin/bands", { body: band, headers: { cookie } });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.json.error.code).toBe("FORBIDDEN");
    const foreign = await call("POST", "/api/admin/bands", {
      body: band,
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const ours = await call("POST", "/api/admin/bands", { body: band, headers: { cookie, origin: ORIGIN } });
    expect(ours.status).toBe(201);
    // Reads need no Origin: they change nothing.
    expect((await call("GET", "/api/console/shows", { headers: { cookie } })).status).toBe(200);

    const crossSiteSignIn = await signInToConsole("test-admin-token", "https://evil.example");
    expect(crossSiteSignIn.status).toBe(403);
    expect(crossSiteSignIn.headers.get("set-cookie")).toBeNull();
  });

  it("is no fan's session, and no fan's session is an organizer's", async () => {
    const fan = await signIn();
    const cookie = await organizerCookie();
    const organizerJwt = cookie.split("=")[1]!;
    expect((await call("GET", "/api/console/shows", { token: fan.token })).status).toBe(401);
    expect((await call("GET", "/api/console/shows", { headers: { cookie: `catraca_org=${fan.token}` } })).status).toBe(
      401,
    );
    const show = await createShow();
    expect((await call("GET", `/${show.id}/ingresso`, { token: organizerJwt })).status).toBe(401);
  });
});
