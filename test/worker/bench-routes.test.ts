import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { call, createShow } from "./helpers";

describe("the benchmark's floor route", () => {
  it("does not exist unless BENCH_ROUTES is on: a plain 404 that wakes no object", async () => {
    const before = (await listDurableObjectIds(env.SHOWS)).length;
    const res = await call("GET", "/api/bench/rpc/show_whatever");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("NOT_FOUND");
    expect(await listDurableObjectIds(env.SHOWS)).toHaveLength(before);
  });

  it("with BENCH_ROUTES on, answers one empty RPC on the show's object", async () => {
    const show = await createShow();
    const res = await app.request(`/api/bench/rpc/${show.id}`, {}, { ...env, BENCH_ROUTES: "on" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
