import { describe, expect, it } from "vitest";
import { call, createShow, payAndBook, requestTicket, signIn } from "./helpers";

describe("smoke", () => {
  it("a fan gets a hold on a fresh show and books it", async () => {
    const show = await createShow();
    const fan = await signIn();
    const res = await requestTicket(show.id, fan);
    expect(res.status, res.text).toBe(200);
    expect(res.json.status).toBe("IN_PROGRESS");
    const { booked } = await payAndBook(show.id, fan, res.json.ticket.id);
    expect(booked.status, booked.text).toBe(200);
    const health = await call("GET", "/api/health");
    expect(health.json).toEqual({ ok: true });
  });
});
