/**
 * Release to the next fan: with `level` fans waiting on open sockets, free tickets by cancel (one by
 * one, and in bursts) and by expiry (a 1-second hold), and time each freed ticket until the next
 * fan's socket receives its IN_PROGRESS state.
 *
 * - cancel: from the moment the holder's cancel is sent.
 * - expiry: from the hold's `expiresAt` (the server's clock, the same machine's clock).
 *
 * The fans who will be admitted during the run (the head of the queue) are on the main thread;
 * the rest of the queue, the crowd that receives every position pass, is on a worker thread.
 */
import type { Context } from "../lib/context.ts";
import { Crowd } from "../lib/crowd.ts";
import type { Fan } from "../lib/http.ts";
import { closedLoop } from "../lib/load.ts";
import { closeAll, FanSocket, type StateListener } from "../lib/sockets.ts";
import { now, sleep, summarize } from "../lib/stats.ts";

export type ReleaseKind = "cancel, one by one" | "cancel, bursts of 10" | "expiry, one by one" | "expiry, in bursts";

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
const ONE_BY_ONE = 100;
const BURSTS = 5;
const BURST_SIZE = 10;
const EXPIRY_TICKETS = 10;
const EXPIRY_BURST = 5;
const EXPIRY_SECONDS = 6;
const HOLD_SECONDS = 1;

/** With `lanes` > 1 the shows spread their waiting room over that many lanes; `shows` gets each show created. */
export async function release(
  ctx: Context,
  level: number,
  opts: { lanes?: number; shows?: (showId: string) => void } = {},
): Promise<ReleaseRun[]> {
  const lanes = opts.lanes ?? 1;
  ctx.log(`release: ${level} waiting fans${lanes > 1 ? `, ${lanes} lanes` : ""}`);
  const crowd = new Crowd();
  try {
    const runs = await cancels(ctx, crowd, level, lanes, opts.shows);
    runs.push(...(await expiries(ctx, crowd, level, lanes, opts.shows)));
    for (const r of runs) {
      const s = summarize(r.samplesMs);
      const server = summarize(r.serverSamplesMs);
      ctx.log(
        `  ${r.kind}: n=${s.n} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (sent by the server: p50 ${server.p50} ms, p99 ${server.p99} ms; waiting ${r.waiting[0]} → ${r.waiting[1]})`,
      );
    }
    return runs;
  } finally {
    await crowd.dispose();
  }
}

/** Wait until `done()` holds, polling; throws after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!done()) {
    if (now() > deadline) throw new Error(`release: timed out waiting for ${what}`);
    await sleep(1);
  }
}

/**
 * Open every fan's socket on the show (the first `head` on this thread, the rest in the crowd), then
 * queue them in that order: the first `inOrder` one at a time, the rest of the head, then the crowd.
 */
async function join(
  ctx: Context,
  crowd: Crowd,
  showId: string,
  fans: Fan[],
  opts: { head: number; inOrder: number; listener: StateListener },
): Promise<FanSocket[]> {
  const head = fans.slice(0, opts.head);
  const sockets: FanSocket[] = new Array(head.length);
  const opened = await closedLoop(head.length, ctx.opts.concurrency, async (i) => {
    sockets[i] = await FanSocket.connect(ctx.http.base, showId, head[i]!, opts.listener);
  });
  if (opened.errors > 0) throw new Error(`release: ${opened.errors} sockets failed: ${opened.firstError}`);
  await crowd.open(ctx.http.base, showId, fans.slice(opts.head), ctx.opts.concurrency);

  for (const f of fans.slice(0, opts.inOrder)) await ctx.http.request(showId, f);
  for (const group of [fans.slice(opts.inOrder, opts.head), fans.slice(opts.head)]) {
    const requested = await closedLoop(group.length, ctx.opts.concurrency, async (i) => {
      await ctx.http.request(showId, group[i]!);
    });
    if (requested.errors > 0) throw new Error(`release: ${requested.errors} requests failed: ${requested.firstError}`);
  }
  return sockets;
}

async function cancels(
  ctx: Context,
  crowd: Crowd,
  level: number,
  lanes: number,
  shows?: (showId: string) => void,
): Promise<ReleaseRun[]> {
  const showId = await ctx.http.createShow({ capacity: CANCEL_TICKETS, holdSeconds: 600, lanes });
  shows?.(showId);
  // Enough fans that `level` are still waiting after the last release.
  const released = ONE_BY_ONE + BURSTS * BURST_SIZE;
  const fans = await ctx.fans.take(CANCEL_TICKETS + released + level, ctx.opts.concurrency);
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
  const sockets = await join(ctx, crowd, showId, fans, {
    head: CANCEL_TICKETS + released,
    inOrder: CANCEL_TICKETS,
    listener,
  });
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
  await crowd.close();
  return runs;
}

async function expiries(
  ctx: Context,
  crowd: Crowd,
  level: number,
  lanes: number,
  shows?: (showId: string) => void,
): Promise<ReleaseRun[]> {
  const showId = await ctx.http.createShow({ capacity: EXPIRY_TICKETS, holdSeconds: HOLD_SECONDS, lanes });
  shows?.(showId);
  // Every second EXPIRY_TICKETS fans leave the queue: room for the whole run (the queue fills,
  // settles, then is measured), so that `level` are still waiting at the end and every fan admitted
  // is on this thread.
  const consumed = EXPIRY_TICKETS * (EXPIRY_SECONDS + 12);
  const fans = await ctx.fans.take(EXPIRY_TICKETS + consumed + level, ctx.opts.concurrency);
  const byId = new Map(fans.map((f) => [f.id, f]));

  // Each ticket's current hold, and every expiry a successor followed: [expiresAt, latency, server].
  const hold = new Map<string, { fanId: string; expiresAt: number }>();
  const expiries: { expiresAt: number; ms: number; serverMs: number }[] = [];
  let measuring = false;
  const listener: StateListener = (socket, state, at) => {
    if (state.status !== "IN_PROGRESS" || !state.ticket || !state.expiresAt) return;
    const previous = hold.get(state.ticket.id);
    if (previous?.fanId === socket.fanId) return;
    const expiresAt = Date.parse(state.expiresAt);
    hold.set(state.ticket.id, { fanId: socket.fanId, expiresAt });
    // Only a direct successor times the expiry it followed (never across a hold this thread missed).
    if (measuring && previous && expiresAt - previous.expiresAt < 1.5 * HOLD_SECONDS * 1000 + 100) {
      expiries.push({
        expiresAt: previous.expiresAt,
        ms: at - previous.expiresAt,
        serverMs: Date.parse(state.serverTime ?? "") - previous.expiresAt,
      });
    }
  };
  const sockets = await join(ctx, crowd, showId, fans, {
    head: EXPIRY_TICKETS + consumed,
    inOrder: EXPIRY_TICKETS,
    listener,
  });
  await sleep(1_500);

  // Filling the queue under load lets holds drift into step. Re-seed the pattern: half the holders
  // give their tickets back together, the others one at a time, 180 ms apart; every successor's
  // hold then expires in that pattern, a second later, and so on.
  const tickets = [...hold.entries()];
  const cancel = (fanId: string) => ctx.http.cancel(showId, byId.get(fanId)!);
  await Promise.all(tickets.slice(0, EXPIRY_BURST).map(([, h]) => cancel(h.fanId)));
  for (const [, h] of tickets.slice(EXPIRY_BURST)) {
    await sleep(180);
    await cancel(h.fanId);
  }
  await sleep(500);
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
  await crowd.close();

  // An expiry is in a burst when another hold of the show expired within 25 ms of it.
  const together = (e: { expiresAt: number }) =>
    expiries.some((o) => o !== e && Math.abs(o.expiresAt - e.expiresAt) <= 25);
  return (["expiry, one by one", "expiry, in bursts"] as const).map((kind) => {
    const mine = expiries.filter((e) => together(e) === (kind === "expiry, in bursts"));
    return {
      kind,
      waiting: [before, after] as [number, number],
      samplesMs: mine.map((e) => e.ms),
      serverSamplesMs: mine.map((e) => e.serverMs),
    };
  });
}
