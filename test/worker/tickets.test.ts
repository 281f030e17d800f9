import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { importTicketPublicKey, parseTicketCode, verifyC2 } from "../../src/codes/format";
import { signLegacyTicketCode, signTicketCode, ticketPublicKey, verifyTicketCode } from "../../src/ticket-code";
import { call, createShow, payAndBook, requestTicket, signIn } from "./helpers";

async function bookOne() {
  const show = await createShow();
  const fan = await signIn("Tereza Cristina");
  const held = await requestTicket(show.id, fan);
  await payAndBook(show.id, fan, held.json.ticket.id);
  return { show, fan, ticketId: held.json.ticket.id as string };
}

const verify = (body: unknown, admin = true) =>
  call("POST", "/api/tickets/verify", { body, ...(admin ? { admin: true } : {}) });

describe("the signed ticket code", () => {
  it("is given to the fan who booked the ticket, with the holder's name", async () => {
    const { show, fan, ticketId } = await bookOne();
    const res = await call("GET", `/api/tickets/${ticketId}`, { token: fan.token });
    expect(res.status).toBe(200);
    expect(res.json.ticket).toMatchObject({ id: ticketId, showId: show.id, sector: "Pista", status: "BOOKED" });
    expect(res.json.holder).toEqual({ name: "Tereza Cristina" });
    expect(res.json.code).toMatch(new RegExp(`^C2\\.${ticketId}\\.${show.id}\\.${fan.id}\\.[A-Za-z0-9_-]{86}$`));
  });

  it("is nobody else's business: another fan, or a ticket only held, gets 404 TICKET_NOT_FOUND", async () => {
    const { ticketId } = await bookOne();
    const other = await signIn();
    const theirs = await call("GET", `/api/tickets/${ticketId}`, { token: other.token });
    expect(theirs.status).toBe(404);
    expect(theirs.json.error.code).toBe("TICKET_NOT_FOUND");

    const show = await createShow();
    const holder = await signIn();
    const held = await requestTicket(show.id, holder);
    const notYet = await call("GET", `/api/tickets/${held.json.ticket.id}`, { token: holder.token });
    expect(notYet.status).toBe(404);

    const anonymous = await call("GET", `/api/tickets/${ticketId}`);
    expect(anonymous.status).toBe(401);
  });

  it("is accepted at the door with the ticket and its holder", async () => {
    const { show, fan, ticketId } = await bookOne();
    const { code } = (await call("GET", `/api/tickets/${ticketId}`, { token: fan.token })).json;
    const res = await verify({ code, showId: show.id });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      valid: true,
      ticket: { id: ticketId, showId: show.id, status: "BOOKED" },
      holder: { id: fan.id, name: "Tereza Cristina" },
    });
  });

  it("is refused at the door when altered, forged, for another show, or for a ticket not booked", async () => {
    const { show, fan, ticketId } = await bookOne();
    const { code } = (await call("GET", `/api/tickets/${ticketId}`, { token: fan.token })).json as { code: string };
    const other = await signIn();
    const movedToAnotherFan = code.replace(fan.id, other.id);
    // A character of the MAC changed where it carries 6 bits of it (not the last one, see below).
    const at = code.length - 5;
    const flippedMac = code.slice(0, at) + (code[at] === "A" ? "B" : "A") + code.slice(at + 1);
    for (const bad of [movedToAnotherFan, flippedMac, "C1.x.y.z.AAAAAAAAAAAAAAAAAAAAAA", "hello", `${code}.x`]) {
      expect((await verify({ code: bad })).json).toEqual({ valid: false, reason: "INVALID_CODE" });
    }
    expect((await verify({ code, showId: "show_elsewhere" })).json).toEqual({ valid: false, reason: "OTHER_SHOW" });

    const heldShow = await createShow();
    const holder = await signIn();
    const held = await requestTicket(heldShow.id, holder);
    const signedButNotBooked = await signTicketCode(env, {
      ticketId: held.json.ticket.id,
      showId: heldShow.id,
      userId: holder.id,
    });
    expect((await verify({ code: signedButNotBooked })).json).toEqual({ valid: false, reason: "NOT_BOOKED" });
    expect(show.id).not.toBe(heldShow.id);
  });

  it("is checked by organizers only, with a clear 400 for a missing code", async () => {
    expect((await verify({ code: "C1.a.b.c.d" }, false)).status).toBe(401);
    const missing = await verify({});
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^code/);
  });

  it("regression: accepted the MAC's last character with its unused low bits changed (flaky door-check test)", async () => {
    const claims = { ticketId: "t1", showId: "s1", userId: "u1" };
    const code = await signLegacyTicketCode(env, claims);
    // 16 bytes are 22 base64 characters; the last one carries 2 bits of the MAC and 4 unused ones.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(code.at(-1)!);
    const sameBytes = code.slice(0, -1) + alphabet[last ^ 1];
    expect(await verifyTicketCode(env, code)).toEqual(claims);
    expect(await verifyTicketCode(env, sameBytes)).toBeUndefined();
  });

  it("has one spelling in C2 too: the signature's last character with its unused bits changed is refused", async () => {
    const claims = { ticketId: "t1", showId: "s1", userId: "u1" };
    const code = await signTicketCode(env, claims);
    // 64 bytes are 86 base64 characters; the last one carries 4 bits of the signature and 2 unused ones.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(code.at(-1)!);
    expect(await verifyTicketCode(env, code)).toEqual(claims);
    expect(await verifyTicketCode(env, code.slice(0, -1) + alphabet[last ^ 1])).toBeUndefined();
  });

  it("cannot be verified under another secret or another signing key", async () => {
    const claims = { ticketId: "t1", showId: "s1", userId: "u1" };
    const legacy = await signLegacyTicketCode(env, claims);
    expect(await verifyTicketCode(env, legacy)).toEqual(claims);
    expect(await verifyTicketCode({ ...env, TICKET_SECRET: "another-secret-0123456789" }, legacy)).toBeUndefined();

    const code = await signTicketCode(env, claims);
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const otherKey = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const TICKET_SIGNING_KEY = btoa(String.fromCharCode(...otherKey));
    expect(await verifyTicketCode(env, code)).toEqual(claims);
    expect(await verifyTicketCode({ ...env, TICKET_SIGNING_KEY }, code)).toBeUndefined();
  });
});

describe("ticket code versions", () => {
  it("a new code (C2) is checked offline with the public key alone, and refused when altered", async () => {
    const { show, fan, ticketId } = await bookOne();
    const { code } = (await call("GET", `/api/tickets/${ticketId}`, { token: fan.token })).json as { code: string };
    // What a gate holds: the public key, as the door's manifest gives it; no secret.
    const publicKey = await importTicketPublicKey(await ticketPublicKey(env));
    const parsed = parseTicketCode(code);
    expect(parsed).toMatchObject({ version: "C2", claims: { ticketId, showId: show.id, userId: fan.id } });
    expect(await verifyC2(publicKey, parsed!)).toBe(true);

    const other = await signIn();
    const moved = parseTicketCode(code.replace(fan.id, other.id));
    expect(moved).toBeDefined();
    expect(await verifyC2(publicKey, moved!)).toBe(false);
    const legacy = parseTicketCode(await signLegacyTicketCode(env, { ticketId, showId: show.id, userId: fan.id }));
    expect(legacy?.version).toBe("C1");
    expect(await verifyC2(publicKey, legacy!), "a C1 code cannot be checked offline").toBe(false);
  });

  it("an old code (C1) booked before C2 still verifies and checks in online", async () => {
    const { show, fan, ticketId } = await bookOne();
    const code = await signLegacyTicketCode(env, { ticketId, showId: show.id, userId: fan.id });
    expect((await verify({ code, showId: show.id })).json).toMatchObject({ valid: true, ticket: { id: ticketId } });
    const first = await call("POST", "/api/tickets/checkin", { admin: true, body: { code, gate: "Portão 1" } });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ admitted: true, ticket: { id: ticketId }, holder: { name: "Tereza Cristina" } });
    const again = await call("POST", "/api/tickets/checkin", { admin: true, body: { code } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("ALREADY_CHECKED_IN");
  });

  it("an unknown version is malformed", async () => {
    const { show, fan, ticketId } = await bookOne();
    const { code } = (await call("GET", `/api/tickets/${ticketId}`, { token: fan.token })).json as { code: string };
    expect(parseTicketCode(code.replace(/^C2/, "C3"))).toBeUndefined();
    expect((await verify({ code: code.replace(/^C2/, "C3"), showId: show.id })).json).toEqual({
      valid: false,
      reason: "INVALID_CODE",
    });
  });
});
