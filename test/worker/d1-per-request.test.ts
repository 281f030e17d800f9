/**
 * The on-sale spike never reaches D1: D1 is wrapped with a counter (every statement the Worker and
 * the show's object send, batches counted statement by statement), and each hot path of a fan
 * arriving at a show on sale costs it nothing once the cache is warm. A cache fill costs the show's
 * rows only: the availability comes from the show's object.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countingD1 } from "../../src/db/counting-d1";
import { replaceIo } from "../../src/do/io";
import { app } from "../../src/index";
import { createShow, expireSharedAnswers, requestTicket, signIn } from "./helpers";

async function countedWorld() {
  const show = await createShow({ sectors: [{ name: "Pista", capacity: 3, priceCents: 1000, meiaShare: 0 }] });
  const fan = await signIn();
  // The show is on sale and its object warm: a fan holds a ticket.
  expect((await requestTicket(show.id, fan)).status).toBe(200);
  const counter = countingD1(env.DB);
  replaceIo(show.id, { d1: counter.d1 });
  const counted = { ...env, DB: counter.d1, RATE_LIMIT: "off" } as unknown as Env;
  const headers = { cookie: `catraca_session=${fan.token}` };
  const get = (path: string, extra: Record<string, string> = {}) =>
    app.request(path, { headers: { ...headers, ...extra } }, counted);
  /** The statements `run` cost D1. */
  const cost = async (run: () => Promise<unknown>) => {
    const before = counter.count();
    await run();
    return counter.count() - before;
  };
  return { show, get, cost };
}

describe("D1 statements per request on a fan's way in, with a warm cache", () => {
  it("are none for the home page, the show's page, the catalogue, the show, the fan's state and the socket's connect", async () => {
    const { show, get, cost } = await countedWorld();
    const paths = {
      "home page": "/",
      "show page": `/shows/${show.id}`,
      catalogue: "/api/shows",
      "one show": `/api/shows/${show.id}`,
      "GET /:showId/ingresso": `/${show.id}/ingresso`,
    };
    const connect = async () => {
      const res = await get(`/${show.id}/ingresso/ws`, { upgrade: "websocket" });
      expect(res.status).toBe(101);
      res.webSocket?.accept();
      res.webSocket?.close(1000);
    };
    // Warm: the shared answers, the show directory, the revocation list's copy. That costs D1
    // (the counter sees these paths); what follows must not.
    const warming = await cost(async () => {
      for (const path of Object.values(paths)) expect((await get(path)).status).toBe(200);
      await connect();
    });
    expect(warming).toBeGreaterThan(0);

    for (const [name, path] of Object.entries(paths)) {
      expect(await cost(async () => expect((await get(path)).status).toBe(200)), name).toBe(0);
    }
    expect(await cost(connect), "WebSocket connect").toBe(0);
  });

  it("count a show's availability in its object when the cache fills: D1 gives the show's rows only", async () => {
    const { show, get, cost } = await countedWorld();
    await get(`/api/shows/${show.id}`);
    expireSharedAnswers();
    let answer: { show: { sectors: { available: unknown; inProgress: unknown }[] } } | undefined;
    // The show with its band, then its sectors: no count of its tickets.
    expect(
      await cost(async () => {
        answer = await (await get(`/api/shows/${show.id}`)).json();
      }),
    ).toBe(2);
    expect(answer?.show.sectors[0]).toMatchObject({
      available: { full: 2, meia: 0 },
      inProgress: { full: 1, meia: 0 },
    });
  });
});
