/**
 * The Worker knows which shows exist (src/edge/show-directory.ts) before it touches any show
 * object: a made-up show id in a fan's path or body is answered 404 at the edge, costs D1 at most
 * one query per id while the answer is cached, and creates no Durable Object. An object asked about
 * a show D1 does not have keeps no storage either.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countingD1 } from "../../../src/db/counting-d1";
import { replaceIo } from "../../../src/do/io";
import { app } from "../../../src/index";
import { faultyD1 } from "../faults/faulty-d1";
import { failD1 } from "../faults/inject";
import { createShow, showStub, signIn } from "../helpers";

const madeUpId = () => `show_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

async function objectIds(): Promise<string[]> {
  return (await listDurableObjectIds(env.SHOWS)).map((id) => id.toString()).sort();
}

describe("shows that do not exist", () => {
  it("regression: 100 made-up show ids created 100 show objects; now they create none and cost at most one D1 query each", async () => {
    const real = await createShow();
    const fan = await signIn();
    const ids = Array.from({ length: 100 }, madeUpId);
    const counter = countingD1(env.DB);
    // Every D1 query counts, the Worker's and any show object's.
    for (const id of ids) replaceIo(id, { d1: counter.d1 });
    const testEnv = { ...env, DB: counter.d1, RATE_LIMIT: "off" } as unknown as Env;
    const auth = { authorization: `Bearer ${fan.token}` };
    const before = await objectIds();

    for (const id of ids) {
      for (let round = 0; round < 2; round++) {
        const state = await app.request(`/${id}/ingresso`, { headers: auth }, testEnv);
        expect(state.status).toBe(404);
        expect(await state.json()).toEqual({ error: { code: "SHOW_NOT_FOUND", message: expect.any(String) } });
        const ws = await app.request(`/${id}/ingresso/ws`, { headers: { ...auth, upgrade: "websocket" } }, testEnv);
        expect(ws.status).toBe(404);
        const payment = await app.request(
          "/api/payments",
          {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ showId: id, ticketId: `${id}-0f-1` }),
          },
          testEnv,
        );
        expect(payment.status).toBe(404);
        expect(((await payment.json()) as { error: { code: string } }).error.code).toBe("SHOW_NOT_FOUND");
      }
    }

    expect(await objectIds()).toEqual(before);
    expect(counter.count()).toBeLessThanOrEqual(ids.length);
    // The real show still answers.
    expect((await app.request(`/${real.id}/ingresso`, { headers: auth }, testEnv)).status).toBe(200);
  });

  it("refuses an id that cannot be a show's without asking D1", async () => {
    const fan = await signIn();
    const counter = countingD1(env.DB);
    const testEnv = { ...env, DB: counter.d1, RATE_LIMIT: "off" } as unknown as Env;
    const ids = ["nope", "show_", "show_%20x", "SHOW_ABC", `show_${"a".repeat(200)}`, "show_a.b"];
    for (const id of ids) replaceIo(decodeURIComponent(id), { d1: counter.d1 });
    for (const id of ids) {
      const res = await app.request(`/${id}/ingresso`, { headers: { authorization: `Bearer ${fan.token}` } }, testEnv);
      expect(res.status).toBe(404);
    }
    expect(counter.count()).toBe(0);
  });

  it("asks D1 about a real show once, then answers from the Worker's memory", async () => {
    const show = await createShow();
    const fan = await signIn();
    const counter = countingD1(env.DB);
    const testEnv = { ...env, DB: counter.d1, RATE_LIMIT: "off" } as unknown as Env;
    const auth = { authorization: `Bearer ${fan.token}` };
    // Calls at once share the one lookup.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => app.request(`/${show.id}/ingresso`, { headers: auth }, testEnv)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const afterFirst = counter.count();
    expect(afterFirst).toBe(1);
    await app.request(`/${show.id}/ingresso`, { headers: auth }, testEnv);
    expect(counter.count()).toBe(afterFirst);
  });
});

describe("a directory that cannot reach D1", () => {
  it("answers 503 UNAVAILABLE with Retry-After, remembers nothing, and knows the show once D1 is back", async () => {
    const show = await createShow();
    const fan = await signIn();
    const auth = { headers: { authorization: `Bearer ${fan.token}` } };
    const down = { ...env, DB: faultyD1(env.DB, failD1("any", "before", 1)), RATE_LIMIT: "off" } as unknown as Env;
    const busy = await app.request(`/${show.id}/ingresso`, auth, down);
    expect(busy.status).toBe(503);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await app.request(`/${show.id}/ingresso`, auth, down)).status).toBe(200);
  });
});

describe("a show object asked about a show D1 does not have", () => {
  it("regression: it created its tables in its constructor; now it keeps no storage at all", async () => {
    const id = madeUpId();
    const stub = showStub(id);
    const fan = await signIn();
    expect(await stub.state(id, fan.id)).toMatchObject({ ok: false, code: "SHOW_NOT_FOUND" });
    const tables = await runInDurableObject(stub, (_o, ctx) =>
      ctx.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
        .toArray()
        .map((t) => t.name),
    );
    expect(tables).toEqual([]);
  });
});
