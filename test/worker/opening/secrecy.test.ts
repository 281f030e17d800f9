/**
 * The draw's seed never leaks before the draw (#14): not through any endpoint (the Show in the
 * catalogue, the admin API, the console, the draw endpoint, a fan's state), any socket message,
 * the show's page or its console page, nor any log line. The seed is read from the show object's
 * own storage, the one place it is kept.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DrawSeed } from "../../../src/show/draw-store";
import { call, showStub, signIn } from "../helpers";
import { waitingFans } from "../lanes/support";
import { enter, opening, prequeueShow, socketOf } from "./support";

async function seedOf(showId: string): Promise<string> {
  const seed = await runInDurableObject(showStub(showId), (_o, ctx) => new DrawSeed(ctx.storage).secret());
  if (!seed) throw new Error("the show's object keeps no seed");
  return seed;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each([1, 8])("the draw's seed before the draw (%i lanes)", (lanes) => {
  it("appears in no answer, no socket message, no page and no log line; after the draw, the endpoint reveals it", async () => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      });
    }
    const show = await prequeueShow({ lanes, tickets: 2 });
    const seed = await seedOf(show.id);
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    const fan = await signIn();
    const others = await waitingFans(5);
    const socket = await socketOf(show, others[0] as string);
    for (const f of others) await enter(show, f);
    const answers = [
      await call("PATCH", `/${show.id}/ingresso/request`, { token: fan.token, body: { sector: "Pista" } }),
      await call("GET", `/${show.id}/ingresso`, { token: fan.token }),
      await call("GET", `/api/shows/${show.id}`),
      await call("GET", "/api/shows"),
      await call("GET", `/api/shows/${show.id}/draw`),
      await call("GET", `/api/admin/shows/${show.id}/stats`, { admin: true }),
      await call("GET", "/api/console/shows", { admin: true }),
      await call("GET", `/api/console/shows/${show.id}/dashboard`, { admin: true }),
      await call("GET", `/shows/${show.id}`, { token: fan.token }),
      await call("GET", `/shows/${show.id}?lang=en`),
    ];
    expect(answers[0]?.status).toBe(202);
    expect(answers[4]?.json.seed).toBeNull();
    for (const a of answers) {
      expect(a.status, a.text.slice(0, 200)).toBeLessThan(300);
      expect(a.text).not.toContain(seed);
    }
    await vi.waitFor(() => expect(socket.messages.length).toBeGreaterThan(1));
    for (const { m } of socket.messages) expect(JSON.stringify(m)).not.toContain(seed);
    for (const line of logged) expect(line).not.toContain(seed);

    await opening(show);
    expect((await call("GET", `/api/shows/${show.id}/draw`)).json.seed).toBe(seed);
    socket.ws.close();
  });
});
