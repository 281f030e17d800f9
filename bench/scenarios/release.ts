/**
 * Release to the next fan: with `level` fans waiting on open sockets, free tickets by cancel (one by
 * one, and in bursts) and by expiry (a 1-second hold), and time each freed ticket until the next
 * fan's socket receives its IN_PROGRESS state.
 *
 * - cancel: from the moment the holder's cancel is sent.
 * - expiry: from the hold's `expiresAt` (the server's clock, the same machine's clock).
 */
import type { Context } from "../lib/context.ts";
import type { Fan } from "../lib/http.ts";
import { closedLoop } from "../lib/load.ts";
import { closeAll, FanSocket, type StateListener } from "../lib/sockets.ts";
import { now, sleep, summarize } from "../lib/stats.ts";

export type ReleaseKind = "cancel, one by one" | "cancel, bursts of 10" | "expiry, one by one" | "expiry, bursts of 5";

export interface ReleaseRun {
  kind: ReleaseKind;
  /** Fans waiting while this kind was measured (from, to). */
  waiting: [number, number];
  /** From the release to the next fan's client receiving its message. */
  samplesMs: number[];
  /** From the release to the server sending that message (its `serverTime`, whole milliseconds). */
  serverSamplesMs: number[];
}

const CANCEL_TICKETS = 20;
const ONE_BY_ONE = 60;
const BURSTS = 5;
const BURST_SIZE = 10;
const EXPIRY_TICKETS = 10;
const EXPIRY_BURST = 5;
const EXPIRY_SECONDS = 6;

export async function release(ctx: Context, level: number): Promise<ReleaseRun[]> {
  ctx.log(`release: ${level} waiting fans`);
  const runs = await cancels(ctx, level);
  runs.push(...(await expiries(ctx, level)));
  for (const r of runs) {
    const s = summarize(r.samplesMs);
    const server = summarize(r.serverSamplesMs);
    ctx.log(
      `  ${r.kind}: n=${s.n} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (sent by the server: p50 ${server.p50} ms, p99 ${server.p99} ms; waiting ${r.waiting[0]} → ${r.waiting[1]})`,
    );
  }
  return runs;
}

/** Wait until `done()` holds, polling; throws after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!done()) {
    if (now() > deadline) throw new Error(`release: timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** Open every fan's socket on the show, then send their requests in order, at most C at once. */
async function join(ctx: Context, showId: string, fans: Fan[], listener: StateListener, firstInOrder = 0) {
  const sockets: FanSocket[] = new Array(fans.length);
  const opened = await closedLoop(fans.length, ctx.opts.concurrency, async (i) => {
    sockets[i] = await FanSocket.connect(ctx.http.base, showId, fans[i]!, listener);
  });
  if (opened.errors > 0) throw new Error(`release: ${opened.errors} sockets failed: ${opened.firstError}`);
  // The first ones request one at a time, so that they are the holders.
  for (const f of fans.slice(0, firstInOrder)) await ctx.http.request(showId, f);
  const rest = fans.slice(firstInOrder);
  const requested = await closedLoop(rest.length, ctx.opts.concurrency, async (i) => {
    await ctx.http.request(showId, rest[i]!);
  });
  if (requested.errors > 0) throw new Error(`release: ${requested.errors} requests failed: ${requested.firstError}`);
  return sockets;
}

async function cancels(ctx: Context, level: number): Promise<ReleaseRun[]> {
  const showId = await ctx.http.createShow({ capacity: CANCEL_TICKETS, holdSeconds: 600 });
  // Enough fans that `level` are still waiting after the last release.
  const released = ONE_BY_ONE + BURSTS * BURST_SIZE;
  const fans = await ctx.fans.take(CANCEL_TICKETS + level + released, ctx.opts.concurrency);
  const byId = new Map(fans.map((f) => [f.id, f]));

  const holders: string[] = [];
  const heldTicket = new Map<string, string>();
  const pending = new Map<string, number>();
  let samples: number[] = [];
  let serverSamples: number[] = [];
  const listener: StateListener = (socket, state, at) => {
    if (state.status !== "IN_PROGRESS" || !state.ticket || heldTicket.has(socket.fanId)) return;
    heldTicket.set(socket.fanId, state.ticket.id);
    holders.push(socket.fanId);
    const sent = pending.get(state.ticket.id);
    if (sent !== undefined) {
      pending.delete(state.ticket.id);
      samples.push(at - sent);
      serverSamples.push(Date.parse(state.serverTime ?? "") - sent);
    }
  };
  const sockets = await join(ctx, showId, fans, listener, CANCEL_TICKETS);
  await until(() => holders.length === CANCEL_TICKETS, 10_000, "the first holders");
  await sleep(1_200);

  const releaseOne = (fanId: string, at: number) => {
    const ticketId = heldTicket.get(fanId)!;
    holders.splice(holders.indexOf(fanId), 1);
    pending.set(ticketId, at);
    return ctx.http.cancel(showId, byId.get(fanId)!);
  };

  const runs: ReleaseRun[] = [];
  let before = await ctx.http.waiting(showId);
  for (let k = 0; k < ONE_BY_ONE; k++) {
    await releaseOne(holders[0]!, now());
    await until(() => pending.size === 0, 5_000, "the next fan after a cancel");
    // Spread the releases over the second so that some land on a position pass.
    await sleep(10 + Math.random() * 90);
  }
  let after = await ctx.http.waiting(showId);
  runs.push({
    kind: "cancel, one by one",
    waiting: [before, after],
    samplesMs: samples,
    serverSamplesMs: serverSamples,
  });

  samples = [];
  serverSamples = [];
  before = after;
  for (let b = 0; b < BURSTS; b++) {
    const at = now();
    await Promise.all(holders.slice(0, BURST_SIZE).map((f) => releaseOne(f, at)));
    await until(() => pending.size === 0, 5_000, "the next fans after a burst of cancels");
    await sleep(300 + Math.random() * 700);
  }
  after = await ctx.http.waiting(showId);
  runs.push({
    kind: "cancel, bursts of 10",
    waiting: [before, after],
    samplesMs: samples,
    serverSamplesMs: serverSamples,
  });
  await closeAll(sockets);
  return runs;
}

async function expiries(ctx: Context, level: number): Promise<ReleaseRun[]> {
  const showId = await ctx.http.createShow({ capacity: EXPIRY_TICKETS, holdSeconds: 1 });
  // Every second EXPIRY_TICKETS fans leave the queue; keep `level` waiting to the end.
  const consumed = EXPIRY_TICKETS * (EXPIRY_SECONDS + 6);
  const fans = await ctx.fans.take(EXPIRY_TICKETS + level + consumed, ctx.opts.concurrency);

  // A ticket first held by one of the burst holders stays in lockstep with them: each successor is
  // admitted when its predecessor expires, on the same ticket.
  const burstFans = new Set(fans.slice(0, EXPIRY_BURST).map((f) => f.id));
  const group = new Map<string, ReleaseKind>();
  const hold = new Map<string, { fanId: string; expiresAt: number }>();
  let measuring = false;
  const samples = { "expiry, one by one": [] as number[], "expiry, bursts of 5": [] as number[] };
  const serverSamples = { "expiry, one by one": [] as number[], "expiry, bursts of 5": [] as number[] };
  const listener: StateListener = (socket, state, at) => {
    if (state.status !== "IN_PROGRESS" || !state.ticket || !state.expiresAt) return;
    const ticketId = state.ticket.id;
    if (!group.has(ticketId)) {
      group.set(ticketId, burstFans.has(socket.fanId) ? "expiry, bursts of 5" : "expiry, one by one");
    }
    const previous = hold.get(ticketId);
    if (previous?.fanId === socket.fanId) return;
    hold.set(ticketId, { fanId: socket.fanId, expiresAt: Date.parse(state.expiresAt) });
    if (measuring && previous) {
      const kind = group.get(ticketId) as keyof typeof samples;
      samples[kind].push(at - previous.expiresAt);
      serverSamples[kind].push(Date.parse(state.serverTime ?? "") - previous.expiresAt);
    }
  };

  // The burst holders ask together; the others one at a time, 100 ms apart, so their holds (and
  // every successor's) expire one by one.
  const sockets: FanSocket[] = [];
  const holderSockets = await Promise.all(
    fans.slice(0, EXPIRY_TICKETS).map((f) => FanSocket.connect(ctx.http.base, showId, f, listener)),
  );
  sockets.push(...holderSockets);
  await Promise.all(fans.slice(0, EXPIRY_BURST).map((f) => ctx.http.request(showId, f)));
  for (const f of fans.slice(EXPIRY_BURST, EXPIRY_TICKETS)) {
    await sleep(100);
    await ctx.http.request(showId, f);
  }
  sockets.push(...(await join(ctx, showId, fans.slice(EXPIRY_TICKETS), listener)));

  await sleep(1_500);
  const before = await ctx.http.waiting(showId);
  measuring = true;
  await sleep(EXPIRY_SECONDS * 1000);
  measuring = false;
  const after = await ctx.http.waiting(showId);

  // Stop the cascade: everybody leaves, so the show goes quiet for the next measurements.
  await closedLoop(fans.length, ctx.opts.concurrency, async (i) => {
    await ctx.http.cancel(showId, fans[i]!);
  });
  await closeAll(sockets);
  return (["expiry, one by one", "expiry, bursts of 5"] as const).map((kind) => ({
    kind,
    waiting: [before, after] as [number, number],
    samplesMs: samples[kind],
    serverSamplesMs: serverSamples[kind],
  }));
}
