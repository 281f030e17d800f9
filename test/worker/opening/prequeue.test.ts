/**
 * The pre-queue's states and errors through the API (#14): `prequeueOpensAt` on the show (before
 * `salesOpenAt`, possibly in the past, in the Show), 409 before it opens saying when, 202
 * PRE_QUEUE in it (the class, no position), a repeat answering the current state, a cancel leaving
 * it, one place per fan.
 */
import { describe, expect, it } from "vitest";
import { call, createShow, inDays, requestTicket, signIn } from "../helpers";

const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const HOUR = 3_600_000;

async function band() {
  const res = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda", genre: "MPB" } });
  return res.json.band.id as string;
}

async function postShow(body: Record<string, unknown>) {
  return call("POST", "/api/admin/shows", {
    admin: true,
    body: {
      bandId: await band(),
      address: "Rua A, 1 - Recife",
      startsAt: inDays(30),
      sectors: [{ name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0.5 }],
      ...body,
    },
  });
}

describe("prequeueOpensAt on a show", () => {
  it("is reported in the Show with the draw's commitment, and may be in the past", async () => {
    const opensAt = iso(-HOUR);
    const res = await postShow({ prequeueOpensAt: opensAt, salesOpenAt: iso(HOUR) });
    expect(res.status).toBe(201);
    expect(res.json.show.prequeueOpensAt).toBe(opensAt);
    expect(res.json.show.drawCommitment).toMatch(/^[0-9a-f]{64}$/);
    const listed = await call("GET", `/api/shows/${res.json.show.id}`);
    expect(listed.json.show).toMatchObject({ prequeueOpensAt: opensAt, drawCommitment: res.json.show.drawCommitment });
  });

  it("is null on a show without a pre-queue, whose draw endpoint answers 404", async () => {
    const res = await postShow({});
    expect(res.json.show).toMatchObject({ prequeueOpensAt: null, drawCommitment: null });
    const draw = await call("GET", `/api/shows/${res.json.show.id}/draw`);
    expect(draw.status).toBe(404);
    expect(draw.json.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("no pre-queue") });
    expect((await call("GET", "/api/shows/show_nope/draw")).json.error.code).toBe("SHOW_NOT_FOUND");
  });

  it("must be before salesOpenAt, and needs one", async () => {
    for (const body of [
      { prequeueOpensAt: iso(2 * HOUR), salesOpenAt: iso(HOUR) },
      { prequeueOpensAt: iso(HOUR), salesOpenAt: iso(HOUR) },
      { prequeueOpensAt: iso(HOUR) },
      { prequeueOpensAt: "tomorrow", salesOpenAt: iso(HOUR) },
    ]) {
      const res = await postShow(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toMatch(/^prequeueOpensAt:/);
    }
  });
});

describe.each([1, 8])("a fan's request around the pre-queue (%i lanes)", (lanes) => {
  it("is refused with 409 SALES_NOT_OPEN before the pre-queue opens, saying when it does", async () => {
    const opensAt = iso(HOUR);
    const show = await createShow({ lanes, prequeueOpensAt: opensAt, salesOpenAt: iso(2 * HOUR) });
    const fan = await signIn();
    const res = await requestTicket(show.id, fan);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("SALES_NOT_OPEN");
    expect(res.json.error.message).toContain(`the pre-queue opens at ${opensAt}`);
  });

  it("answers 202 PRE_QUEUE with the class and no position in the pre-queue; a repeat answers the same", async () => {
    const show = await createShow({
      lanes,
      sectors: [{ name: "Pista", capacity: 2, priceCents: 1000, meiaShare: 0.5 }],
      prequeueOpensAt: iso(-HOUR),
      salesOpenAt: iso(HOUR),
    });
    const fan = await signIn();
    const first = await requestTicket(show.id, fan, "Pista", true);
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ status: "PRE_QUEUE", sector: "Pista", meia: true, booked: [] });
    // One place per fan: asking again, for another class too, answers the place the fan has.
    const again = await requestTicket(show.id, fan, "Pista", false);
    expect(again.status).toBe(202);
    expect(again.json).toEqual(first.json);
    const state = await call("GET", `/${show.id}/ingresso`, { token: fan.token });
    expect(state.json).toEqual(first.json);
  });

  it("leaves the pre-queue on cancel (CANCELLED), and may join it again", async () => {
    const show = await createShow({ lanes, prequeueOpensAt: iso(-HOUR), salesOpenAt: iso(HOUR) });
    const fan = await signIn();
    await requestTicket(show.id, fan);
    const cancelled = await call("PATCH", `/${show.id}/ingresso/cancel`, { token: fan.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: "CANCELLED", sector: "Pista" });
    expect(cancelled.json.position).toBeUndefined();
    const back = await requestTicket(show.id, fan);
    expect(back.status).toBe(202);
    expect(back.json.status).toBe("PRE_QUEUE");
  });

  it("still checks the sector: an unknown one is a 400 and changes nothing", async () => {
    const show = await createShow({ lanes, prequeueOpensAt: iso(-HOUR), salesOpenAt: iso(HOUR) });
    const fan = await signIn();
    const res = await requestTicket(show.id, fan, "Camarote");
    expect(res.status).toBe(400);
    expect((await call("GET", `/${show.id}/ingresso`, { token: fan.token })).json.status).toBe("NONE");
  });
});
