/**
 * The coordinator's lane hub (src/show/lane-hub.ts), alone, over a spare object's storage and lanes
 * that only record what they are sent: the view to every lane, and the answer to a lane's report.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LaneMail, LaneView } from "../../../src/lanes/protocol";
import { LaneBuffers } from "../../../src/show/lane-buffers";
import { LaneHub } from "../../../src/show/lane-hub";
import { ShowStore } from "../../../src/show/store";

const PISTA = { sector: "Pista", meia: false };

async function withHub<T>(run: (hub: LaneHub, sent: Map<string, LaneView[]>) => Promise<T>): Promise<T> {
  return runInDurableObject(env.SHOWS.getByName(`hub-test-${crypto.randomUUID()}`), async (_o, ctx) => {
    const store = new ShowStore(ctx.storage);
    store.saveConfig({
      id: "show_hub",
      status: "ready",
      salesOpenAt: 0,
      prequeueOpensAt: null,
      holdSeconds: 60,
      maxTicketsPerUser: 4,
      lanes: 3,
      classes: [{ ...PISTA, priceCents: 100, total: 10 }],
    });
    const sent = new Map<string, LaneView[]>();
    const hub = new LaneHub({
      showId: "show_hub",
      store,
      buffers: new LaneBuffers(ctx.storage),
      io: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), call: (_to, send) => send() },
      lane: (name) => ({
        deliver: async (_showId: string, _lane: number, _mails: LaneMail[], view: LaneView | undefined) => {
          if (view) sent.set(name, [...(sent.get(name) ?? []), view]);
          return { acks: {}, declines: [] };
        },
      }),
      report: async () => {},
      retry: () => {},
    });
    return run(hub, sent);
  });
}

describe("the coordinator's lane hub", () => {
  it("counts the show's lanes from its rules, and a flush gives every lane the view with each class's counts", async () => {
    await withHub(async (hub, sent) => {
      expect(hub.lanes()).toBe(3);
      await hub.flush();
      expect([...sent.keys()].sort()).toEqual(["show_hub/lane/0", "show_hub/lane/1", "show_hub/lane/2"]);
      for (const views of sent.values()) {
        expect(views.at(-1)?.classes[0]).toMatchObject({ ...PISTA, total: 10, available: 10, held: 0, soldOut: false });
      }
    });
  });
});
