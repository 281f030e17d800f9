/**
 * `--soak`: `fans` (default 2,000) fans wait on open sockets for `--soak-minutes` (default 5)
 * while the sale goes on: every second a holder gives the ticket back and queues again (one
 * admission, one position pass over everybody), and every socket sends a keep-alive `ping` every
 * 30 s, as the page does. The app's workerd RSS is sampled every 10 s and its isolate's JavaScript
 * heap every 2 s: the heap includes garbage not yet collected, so each minute's lowest sample stands
 * for the live heap (the inspector offers no forced collection here).
 */
import type { Context } from "../lib/context.ts";
import { Inspector } from "../lib/inspector.ts";
import { closedLoop } from "../lib/load.ts";
import { closeAll, FanSocket, type StateListener } from "../lib/sockets.ts";
import { now, round, sleep, slope } from "../lib/stats.ts";

const TICKETS = 20;
const SAMPLE_EVERY_MS = 10_000;
const HEAP_EVERY_MS = 2_000;
const PING_EVERY_MS = 30_000;

export interface Soak {
  minutes: number;
  waiting: number;
  socketsHeld: { start: number; end: number };
  messagesReceived: number;
  admissions: number;
  samples: { seconds: number; rssMiB: number; heapMiB: number }[];
  /** Mean RSS over the first and the last minute. */
  firstMinuteMiB: number;
  lastMinuteMiB: number;
  growthMiB: number;
  slopeMiBPerMinute: number;
  /** Lowest heap sample of the first and the last minute. */
  heapFirstMinuteMiB: number;
  heapLastMinuteMiB: number;
  /** Lowest heap sample of each minute. */
  heapFloorByMinuteMiB: number[];
}

export async function soak(ctx: Context): Promise<Soak> {
  const { fans: n, soakMinutes: minutes } = ctx.opts;
  ctx.log(`soak: ${n} waiting fans on open sockets for ${minutes} min`);
  const showId = await ctx.http.createShow({ capacity: TICKETS, holdSeconds: 3600 });
  const fans = await ctx.fans.take(n + TICKETS, ctx.opts.concurrency);
  const byId = new Map(fans.map((f) => [f.id, f]));
  const holders: string[] = [];
  let admissions = 0;
  const listener: StateListener = (socket, state) => {
    if (state.status === "IN_PROGRESS" && !holders.includes(socket.fanId)) {
      holders.push(socket.fanId);
      admissions += 1;
    }
  };
  const sockets: FanSocket[] = new Array(fans.length);
  await closedLoop(fans.length, ctx.opts.concurrency, async (i) => {
    sockets[i] = await FanSocket.connect(ctx.http.base, showId, fans[i]!, listener);
  });
  await closedLoop(fans.length, ctx.opts.concurrency, async (i) => {
    await ctx.http.request(showId, fans[i]!);
  });
  const waiting = await ctx.http.waiting(showId);
  const startHeld = sockets.filter((s) => s.open).length;
  ctx.log(`  ${waiting} waiting, ${startHeld} sockets held, app ${ctx.server.rssMiB().toFixed(1)} MiB`);

  const inspector = await Inspector.connect(ctx.server.dev.inspectorPort);
  const sample = async (elapsed: number) => ({
    seconds: round(elapsed / 1000, 0),
    rssMiB: round(ctx.server.rssMiB(), 2),
    heapMiB: round(await inspector.heapUsedMiB(), 2),
  });
  const t0 = now();
  const samples: Soak["samples"] = [];
  const heap: { seconds: number; heapMiB: number }[] = [];
  const heapTimer = setInterval(() => {
    const seconds = (now() - t0) / 1000;
    inspector.heapUsedMiB().then(
      (heapMiB) => heap.push({ seconds, heapMiB }),
      () => {},
    );
  }, HEAP_EVERY_MS);
  let nextSample = 0;
  let tick = 0;
  while (now() - t0 < minutes * 60_000) {
    const elapsed = now() - t0;
    if (elapsed >= nextSample) {
      const s = await sample(elapsed);
      samples.push(s);
      nextSample += SAMPLE_EVERY_MS;
      ctx.log(`  t=${s.seconds}s rss ${s.rssMiB} MiB, heap ${s.heapMiB} MiB, ${admissions} admissions`);
    }
    // One holder leaves and queues again: an admission, then a position pass over everybody.
    const holder = holders.shift();
    if (holder) {
      const fan = byId.get(holder)!;
      await ctx.http.cancel(showId, fan);
      await ctx.http.request(showId, fan);
    }
    // Each socket pings once per PING_EVERY_MS, spread over the seconds.
    const slice = Math.ceil(sockets.length / (PING_EVERY_MS / 1000));
    for (const s of sockets.slice((tick * slice) % sockets.length, ((tick * slice) % sockets.length) + slice)) {
      if (s.open) s.ws.send("ping");
    }
    tick += 1;
    await sleep(1_000);
  }
  clearInterval(heapTimer);
  samples.push(await sample(now() - t0));
  inspector.close();
  const endHeld = sockets.filter((s) => s.open).length;
  const messagesReceived = sockets.reduce((sum, s) => sum + s.messages, 0);
  await closeAll(sockets);

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const firstMinute = samples.filter((s) => s.seconds < 60);
  const lastMinute = samples.filter((s) => s.seconds >= minutes * 60 - 60);
  const first = mean(firstMinute.map((s) => s.rssMiB));
  const last = mean(lastMinute.map((s) => s.rssMiB));
  const heapFloorByMinuteMiB = Array.from({ length: Math.ceil(minutes) }, (_, m) =>
    round(Math.min(...heap.filter((h) => h.seconds >= m * 60 && h.seconds < (m + 1) * 60).map((h) => h.heapMiB)), 2),
  );
  return {
    minutes,
    waiting,
    socketsHeld: { start: startHeld, end: endHeld },
    messagesReceived,
    admissions,
    samples,
    firstMinuteMiB: round(first, 2),
    lastMinuteMiB: round(last, 2),
    growthMiB: round(last - first, 2),
    slopeMiBPerMinute: round(slope(samples.map((s) => ({ x: s.seconds / 60, y: s.rssMiB }))), 3),
    heapFirstMinuteMiB: heapFloorByMinuteMiB[0] ?? Number.NaN,
    heapLastMinuteMiB: heapFloorByMinuteMiB.at(-1) ?? Number.NaN,
    heapFloorByMinuteMiB,
  };
}
