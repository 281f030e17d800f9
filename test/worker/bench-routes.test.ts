import { createExecutionContext, listDurableObjectIds, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { replaceIo } from "../../src/do/io";
import worker, { app } from "../../src/index";
import { call, createShow, requestTicket, showStub, signIn } from "./helpers";

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

describe("the benchmark's session route", () => {
  const mint = (vars: Partial<Env>, email: string) =>
    app.request(
      "/api/bench/sessions",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Fã", email }) },
      { ...env, ...vars },
    );

  it("does not exist unless BENCH_ROUTES is on: a plain 404 that signs nobody in", async () => {
    const email = `bench.${crypto.randomUUID()}@example.com`;
    const res = await mint({}, email);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "NOT_FOUND", message: "no route for POST /api/bench/sessions" },
    });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("with BENCH_ROUTES on, mints a session without the mailed code, like a verified sign-in", async () => {
    const show = await createShow();
    const res = await mint({ BENCH_ROUTES: "on" }, `bench.${crypto.randomUUID()}@example.com`);
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    expect((await call("GET", `/${show.id}/ingresso`, { token })).json.status).toBe("NONE");
  });
});

describe("the benchmark's counters route", () => {
  it("does not exist unless BENCH_ROUTES is on; with it, answers what the coordinator and each lane counted", async () => {
    const show = await createShow({
      sectors: [{ name: "Pista", capacity: 1, priceCents: 100, meiaShare: 0 }],
      lanes: 3,
    });
    expect((await call("GET", `/api/bench/lanes/${show.id}`)).status).toBe(404);
    const fan = await signIn();
    await requestTicket(show.id, fan);
    const res = await app.request(`/api/bench/lanes/${show.id}`, {}, { ...env, BENCH_ROUTES: "on" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      lanes: number;
      coordinator: { counts: Record<string, number> };
      laneMetrics: { counts: Record<string, number>; sockets: number }[];
    };
    expect(body.lanes).toBe(3);
    expect(body.laneMetrics).toHaveLength(3);
    expect(body.laneMetrics.reduce((n, l) => n + (l.counts.requests ?? 0), 0)).toBe(1);
    expect(body.coordinator.counts.laneSyncs).toBeGreaterThanOrEqual(1);
  });
});

describe("the benchmark's D1 meter", () => {
  const fetchWith = async (vars: Partial<Env>, path: string, method = "GET") => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`http://catraca.test${path}`, { method }), { ...env, ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it("does not exist unless BENCH_ROUTES is on", async () => {
    expect((await fetchWith({}, "/api/bench/d1")).status).toBe(404);
    expect((await fetchWith({}, "/api/bench/d1/show_whatever", "POST")).status).toBe(404);
  });

  it("with BENCH_ROUTES on, counts the Worker's D1 statements, and a show object's once asked", async () => {
    const show = await createShow();
    const on = { BENCH_ROUTES: "on" };
    const statements = async () =>
      ((await (await fetchWith(on, "/api/bench/d1")).json()) as { statements: number }).statements;
    expect((await fetchWith(on, `/api/bench/d1/${show.id}`, "POST")).status).toBe(200);
    const start = await statements();
    // The object's first call loads the show and reconciles with D1.
    await showStub(show.id).state(show.id, "usr_bench");
    const afterObject = await statements();
    expect(afterObject).toBeGreaterThan(start);
    // A show the shared cache does not hold yet: the Worker reads its rows from D1.
    expect((await fetchWith(on, `/api/shows/${show.id}`)).status).toBe(200);
    expect(await statements()).toBeGreaterThan(afterObject);
    replaceIo(show.id, { d1: undefined });
  });
});
