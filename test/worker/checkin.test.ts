import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signTicketCode } from "../../src/ticket-code";
import { bookedTicket, checkin, doorToken } from "./door-helpers";
import { call, createShow, requestTicket, signIn } from "./helpers";

const checkinRows = async (ticketId: string) =>
  (await env.DB.prepare("SELECT gate, checked_in_at FROM checkins WHERE ticket_id = ?").bind(ticketId).all()).results;

describe("check-in at the door", () => {
  it("lets a ticket in the first time, with its holder, and says when and where on every later scan", async () => {
    const { showId, fan, ticketId, code } = await bookedTicket();
    const { token } = await doorToken(showId, "Portão Norte");
    const first = await checkin({ code }, { token });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      admitted: true,
      ticket: { id: ticketId, showId, sector: "Pista", meia: false },
      holder: { name: fan.name },
      meia: false,
      gate: "Portão Norte",
    });
    expect(first.json.checkDocument).toBeUndefined();

    const again = await checkin({ code, gate: "Portão Sul" }, { token });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      error: { code: "ALREADY_CHECKED_IN" },
      checkedInAt: first.json.checkedInAt,
      gate: "Portão Norte",
      holder: { name: fan.name },
    });
    expect(await checkinRows(ticketId)).toHaveLength(1);
  });

  it("admits a code scanned by ten gates at the same moment exactly once", async () => {
    const { showId, ticketId, code } = await bookedTicket();
    const gates = await Promise.all(Array.from({ length: 10 }, (_, i) => doorToken(showId, `Portão ${i + 1}`)));
    const answers = await Promise.all(gates.map((g) => checkin({ code }, { token: g.token })));
    const admitted = answers.filter((a) => a.status === 200);
    expect(admitted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && a.json.error.code === "ALREADY_CHECKED_IN")).toHaveLength(9);
    // Every refusal names the one gate that let it in.
    for (const a of answers.filter((x) => x.status === 409)) expect(a.json.gate).toBe(admitted[0]!.json.gate);
    expect(await checkinRows(ticketId)).toHaveLength(1);
  });

  it("tells the gate to check the holder's document for a meia ticket (Lei 12.933/2013)", async () => {
    const { code } = await bookedTicket(
      { sectors: [{ name: "Pista", capacity: 2, priceCents: 10000, meiaShare: 0.5 }] },
      { meia: true },
    );
    const res = await checkin({ code }, { admin: true });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ admitted: true, meia: true, checkDocument: true, ticket: { meia: true } });
    expect(res.json.notice).toMatch(/12\.933/);
  });

  it("refuses a forged or malformed code with 400 INVALID_CODE, and records nothing", async () => {
    const { showId, fan, ticketId, code } = await bookedTicket();
    const other = await signIn();
    const at = code.length - 5;
    const forged = [
      code.replace(fan.id, other.id),
      code.slice(0, at) + (code[at] === "A" ? "B" : "A") + code.slice(at + 1),
      "hello",
      `${code}.x`,
      code.replace(/^C2/, "C9"),
    ];
    for (const bad of forged) {
      const res = await checkin({ code: bad }, { admin: true });
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe("INVALID_CODE");
    }
    expect(await checkinRows(ticketId)).toHaveLength(0);
    expect((await checkin({ code }, { token: (await doorToken(showId)).token })).status).toBe(200);
  });

  it("refuses a ticket of another show with 404 OTHER_SHOW, at a gate of this show or for the show the organizer names", async () => {
    const elsewhere = await bookedTicket();
    const show = await createShow();
    const { token } = await doorToken(show.id);
    const atGate = await checkin({ code: elsewhere.code }, { token });
    expect(atGate.status).toBe(404);
    expect(atGate.json.error.code).toBe("OTHER_SHOW");
    const named = await checkin({ code: elsewhere.code, showId: show.id }, { admin: true });
    expect(named.status).toBe(404);
    expect(named.json.error.code).toBe("OTHER_SHOW");
    expect(await checkinRows(elsewhere.ticketId)).toHaveLength(0);
  });

  it("refuses a signed ticket that D1 does not say is booked with 409 NOT_BOOKED", async () => {
    const show = await createShow();
    const fan = await signIn();
    const held = await requestTicket(show.id, fan);
    const code = await signTicketCode(env, { ticketId: held.json.ticket.id, showId: show.id, userId: fan.id });
    const res = await checkin({ code }, { admin: true });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("NOT_BOOKED");
    expect(res.json.error.message).toMatch(/no longer booked/);
    expect(await checkinRows(held.json.ticket.id)).toHaveLength(0);
  });

  it("is for the door only: no credential 401, a fan's session 403, a bad body 400", async () => {
    const { code, fan, ticketId } = await bookedTicket();
    expect((await checkin({ code }, {})).status).toBe(401);
    const asFan = await checkin({ code }, { token: fan.token });
    expect(asFan.status).toBe(403);
    expect(asFan.json.error.code).toBe("FORBIDDEN");
    expect((await checkin({ code }, { token: "door_nope.AAAA" })).status).toBe(401);
    const missing = await checkin({ gate: "x" }, { admin: true });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^code/);
    expect(await checkinRows(ticketId)).toHaveLength(0);
  });

  it("leaves POST /api/tickets/verify read-only: verifying never checks in, and verifies a used ticket still", async () => {
    const { showId, ticketId, code } = await bookedTicket();
    for (let i = 0; i < 3; i++) {
      const v = await call("POST", "/api/tickets/verify", { admin: true, body: { code, showId } });
      expect(v.json).toMatchObject({ valid: true, ticket: { id: ticketId } });
    }
    expect(await checkinRows(ticketId)).toHaveLength(0);
    expect((await checkin({ code }, { admin: true })).status).toBe(200);
    expect((await call("POST", "/api/tickets/verify", { admin: true, body: { code, showId } })).json.valid).toBe(true);
  });
});
