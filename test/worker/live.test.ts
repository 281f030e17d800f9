import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FanSockets } from "../../src/do/fan-sockets";
import { replaceIo } from "../../src/do/io";
import { laneName, laneOf } from "../../src/lanes/key";
import { CLIENT_MESSAGE_LIMIT, CLOSE, MAX_SOCKETS_PER_FAN, PING, STATE_REQUEST } from "../../src/messages";
import { FanNotifier, POSITION_SLICE } from "../../src/show/notifier";
import { PositionFeed } from "../../src/show/position-feed";
import type { ShowQueue } from "../../src/show/show-queue";
import { ShowStore } from "../../src/show/store";
import { advanceClock } from "./faults/inject";
import { call, createShow, requestTicket, showStub, signInMany } from "./helpers";
import { connect } from "./sockets";

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

/** `p`'s value, or a failure naming `what` after `ms`. */
async function within<T>(p: Promise<T>, what: string, ms = 5_000): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);
}

const pista = (capacity: number) => [{ name: "Pista", capacity, priceCents: 9000, meiaShare: 0 }];

describe.each([1, 8])("live notifications over WebSocket (%i lanes)", (lanes) => {
  it("refuses a bad token with 401 and an unknown show with 404, before any upgrade", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const bad = await exports.default.fetch(`http://catraca.test/${show.id}/ingresso/ws?token=nope`, {
      headers: { upgrade: "websocket" },
    });
    expect(bad.status).toBe(401);
    expect(bad.webSocket).toBeNull();
    const [ana] = await signInMany(1);
    const unknown = await exports.default.fetch(`http://catraca.test/show_nope/ingresso/ws?token=${ana!.token}`, {
      headers: { upgrade: "websocket" },
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json<{ error: { code: string } }>()).error.code).toBe("SHOW_NOT_FOUND");
    const plain = await call("GET", `/${show.id}/ingresso/ws`, { token: ana!.token });
    expect(plain.status).toBe(426);
  });

  it("greets a fan with the full state on connect", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana, bia] = await signInMany(2);
    await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const sock = await connect(show.id, bia!);
    const first = await sock.next(() => true);
    expect(first).toMatchObject({ type: "state", status: "WAITING", position: 1, sector: "Pista", booked: [] });
    expect(Date.parse(first.serverTime)).toBeGreaterThan(0);
    sock.ws.close(1000);
  });

  it("tells the next fan at once when a ticket is cancelled, on every one of its sockets", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana, bia] = await signInMany(2);
    const held = await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const tab1 = await connect(show.id, bia!);
    const tab2 = await connect(show.id, bia!);
    const anaSock = await connect(show.id, ana!);
    await tab1.next((m) => m.status === "WAITING");
    await tab2.next((m) => m.status === "WAITING");

    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana!.token });
    const admitted1 = await tab1.next((m) => m.status === "IN_PROGRESS");
    const admitted2 = await tab2.next((m) => m.status === "IN_PROGRESS");
    expect(admitted1.ticket?.id).toBe(held.json.ticket.id);
    expect(admitted2.ticket?.id).toBe(held.json.ticket.id);
    expect(admitted1.expiresAt).toBeDefined();
    expect((await anaSock.next((m) => m.status === "CANCELLED")).status).toBe("CANCELLED");
    for (const s of [tab1, tab2, anaSock]) s.ws.close(1000);
  });

  it("still notifies a fan after its object was evicted (hibernated sockets)", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana, bia] = await signInMany(2);
    await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const sock = await connect(show.id, bia!);
    await sock.next((m) => m.status === "WAITING");

    // The object that holds Bia's socket: the show's, or her lane.
    await evictDurableObject(
      lanes > 1 ? env.LANES.getByName(laneName(show.id, laneOf(show.id, bia!.id, lanes))) : showStub(show.id),
    );
    if (lanes > 1) await evictDurableObject(showStub(show.id));
    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana!.token });
    expect((await sock.next((m) => m.status === "IN_PROGRESS")).status).toBe("IN_PROGRESS");
    sock.ws.close(1000);
  });

  it("answers ping with pong without a state message, and closes on an oversized message", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana] = await signInMany(1);
    const sock = await connect(show.id, ana!);
    await sock.next((m) => m.status === "NONE");
    sock.ws.send("ping");
    await new Promise((r) => setTimeout(r, 100));
    expect(sock.raw).toContain("pong");

    const closed = new Promise<CloseEvent>((resolve) => sock.ws.addEventListener("close", resolve));
    sock.ws.send("x".repeat(5_000));
    expect((await closed).code).toBe(1009);
  });

  it("coalesces position updates: a burst of departures costs each waiting fan one message", async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const fans = await signInMany(12);
    for (const f of fans) await requestTicket(show.id, f);
    // fans[0] holds; fans[1..11] wait at positions 1..11. The last one listens.
    const last = fans[11]!;
    const sock = await connect(show.id, last);
    await sock.next((m) => m.position === 11);
    // Five fans ahead leave the queue within a few milliseconds.
    for (const f of fans.slice(1, 6)) await call("PATCH", `/${show.id}/ingresso/cancel`, { token: f.token });
    await sock.next((m) => m.position === 6, 3_000);
    await new Promise((r) => setTimeout(r, 1_200));
    const positions = sock.messages.map((m) => m.position);
    // The greeting (11), then at most two coalesced passes — never one message per departure.
    expect(positions[0]).toBe(11);
    expect(positions.at(-1)).toBe(6);
    expect(positions.length).toBeLessThanOrEqual(3);
    sock.ws.close(1000);
  });

  it.skipIf(lanes > 1)(
    "sends a position pass in slices, and a fan who leaves meanwhile never gets a stale WAITING",
    async () => {
      const show = await createShow({ sectors: pista(1) });
      const fans = await signInMany(3 * POSITION_SLICE + 2);
      for (const f of fans) await requestTicket(show.id, f);
      const sockets = await Promise.all(fans.map((f) => connect(show.id, f)));
      const leaver = fans.at(-1)!;
      await sockets.at(-1)!.next((m) => m.position === 3 * POSITION_SLICE + 1);

      // One pass from the object's own parts, run by hand; the object's own passes wait forever.
      replaceIo(show.id, { sleep: () => new Promise(() => {}) });
      await runInDurableObject(showStub(show.id), async (o: ShowQueue, ctx) => {
        const realTime = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
        const notifier = new FanNotifier(
          new FanSockets(ctx, realTime.now),
          new PositionFeed(new ShowStore(ctx.storage)),
          realTime,
        );
        // Every position moves: the holder gives the ticket to the head of the queue.
        await o.cancel(show.id, fans[0]!.id);
        const pass = notifier.sendPositions([{ sector: "Pista", meia: false }]);
        // The first slice went out; the last fan leaves before the pass reaches it.
        await o.cancel(show.id, leaver.id);
        await pass;
      });
      await sockets.at(-1)!.next((m) => m.status === "CANCELLED");
      await sockets.at(-2)!.next((m) => m.position === 3 * POSITION_SLICE - 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(sockets.at(-1)!.messages.at(-1)?.status).toBe("CANCELLED");
      expect(sockets.at(-1)!.messages.map((m) => m.status)).toEqual(["WAITING", "CANCELLED"]);
      for (const s of sockets) s.ws.close(1000);
    },
  );

  it("regression: a `state` message answered without ending a hold past its time; now it answers as GET does", async () => {
    const show = await createShow({ sectors: pista(1), holdSeconds: 60, lanes });
    const [ana, bia] = await signInMany(2);
    await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const sock = await connect(show.id, ana!);
    await sock.next((m) => m.status === "IN_PROGRESS");
    advanceClock(show.id, 61_000);
    sock.ws.send(STATE_REQUEST);
    expect((await sock.next((m) => m.status !== "IN_PROGRESS")).status).toBe("EXPIRED");
    expect((await call("GET", `/${show.id}/ingresso`, { token: bia!.token })).json.status).toBe("IN_PROGRESS");
    sock.ws.close(1000);
  });
});

describe.each([1, 8])("what one fan may do to a show's sockets (%i lanes)", (lanes) => {
  it(`keeps at most ${MAX_SOCKETS_PER_FAN} sockets per fan: one more closes the oldest with ${CLOSE.REPLACED}, the others keep their updates`, async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana, bia] = await signInMany(2);
    await requestTicket(show.id, ana!);
    await requestTicket(show.id, bia!);
    const tabs = [];
    for (let i = 0; i < MAX_SOCKETS_PER_FAN; i++) {
      const tab = await connect(show.id, bia!);
      await tab.next((m) => m.status === "WAITING");
      tabs.push(tab);
    }
    const newest = await connect(show.id, bia!);
    await newest.next((m) => m.status === "WAITING");
    expect((await within(tabs[0]!.closed, "close of the oldest socket")).code).toBe(CLOSE.REPLACED);
    for (const tab of tabs.slice(1)) expect(await settlesWithin(tab.closed, 50)).toBe(false);

    await call("PATCH", `/${show.id}/ingresso/cancel`, { token: ana!.token });
    for (const tab of [...tabs.slice(1), newest]) await tab.next((m) => m.status === "IN_PROGRESS");
    for (const tab of [...tabs.slice(1), newest]) tab.ws.close(1000);
  });

  it(`closes a socket that sends more than ${CLIENT_MESSAGE_LIMIT.count} messages in ${CLIENT_MESSAGE_LIMIT.windowMs / 1000} s with ${CLOSE.POLICY}; pings do not count`, async () => {
    const show = await createShow({ sectors: pista(1), lanes });
    const [ana] = await signInMany(1);
    const sock = await connect(show.id, ana!);
    await sock.next((m) => m.status === "NONE");
    for (let i = 0; i < 3 * CLIENT_MESSAGE_LIMIT.count; i++) sock.ws.send(PING);
    for (let i = 0; i < CLIENT_MESSAGE_LIMIT.count; i++) sock.ws.send(STATE_REQUEST);
    expect(await settlesWithin(sock.closed, 200)).toBe(false);
    sock.ws.send(STATE_REQUEST);
    expect((await within(sock.closed, "close")).code).toBe(CLOSE.POLICY);
  });
});
