/**
 * Inside the object (runs in workerd through the vitest plugin, with no HTTP in front): the show
 * object's own code, timed with waiting queues of growing length. Run by `npm run bench` (scenario
 * "inside"); the figures go to the test's `meta` and from there to bench/results.json.
 *
 * Per waiting-queue length W, with every waiting fan on an open socket:
 * - join: one fan's `request` that leaves it waiting (the last joins, queue ≈ W);
 * - admission: a holder's `cancel` that hands the ticket to the head of the queue (D1 included),
 *   alone and while a position pass over every waiting fan is running;
 * - position pass: the coalesced pass that tells every waiting fan its new position, after one
 *   admission (every fan moved): its own work, its cost per waiting fan, and its wall time;
 * - expiry: 20 holds past their time, ended by one alarm that admits the next 20.
 * Each figure is the median of several blocks (the object's clock ticks in whole milliseconds).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { FanSockets } from "../../src/do/fan-sockets";
import { replaceIo } from "../../src/do/io";
import { FAN_HEADER, SHOW_HEADER } from "../../src/messages";
import { FanNotifier, type NotifierClock } from "../../src/show/notifier";
import { PositionFeed } from "../../src/show/position-feed";
import type { ShowQueue } from "../../src/show/show-queue";
import { ShowStore } from "../../src/show/store";
import { createShow, showStub } from "../../test/worker/helpers";

declare module "vitest" {
  interface TaskMeta {
    bench?: unknown;
  }
}

const LEVELS = [100, 500, 1000, 2000, 4000];
const HOLDERS = 20;
const BLOCK = 10;
const JOIN_BLOCK = 50;
const JOIN_BLOCKS = 4;
const ADMISSION_BLOCKS = 4;
const PASSES = 7;
const EXPIRY_ROUNDS = 3;
const DURING_PASS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
const PISTA = { sector: "Pista", meia: false };

const realTime = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
/** No pause between slices: the pass's own work, without the turns it leaves to other calls. */
const noPauses = { now: () => Date.now(), sleep: () => Promise.resolve() };

/**
 * A notifier over the object's own sockets and records, to run position passes by hand (the
 * object's own passes are held back through its seam, so that every pass timed here is one of these).
 */
function notifierOver(ctx: DurableObjectState, clock: NotifierClock) {
  return new FanNotifier(new FanSockets(ctx, clock.now), new PositionFeed(new ShowStore(ctx.storage)), clock);
}

/** Fans straight into D1 (tickets reference users), many rows per statement. */
async function insertFans(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => `usr_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, name, email, created_at) VALUES ${chunk.map(() => "(?, 'Fã', ?, 0)").join(", ")}`,
      ).bind(...chunk.flatMap((id) => [id, `${id}@example.com`])),
    );
  }
  await env.DB.batch(statements);
  return ids;
}

/** A fan's socket straight to the object (the Worker would set these headers after auth). */
async function connect(showId: string, fanId: string) {
  const res = await showStub(showId).fetch("http://catraca.test/ws", {
    headers: { upgrade: "websocket", [FAN_HEADER]: fanId, [SHOW_HEADER]: showId },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`expected a WebSocket, got ${res.status}`);
  let received = 0;
  ws.addEventListener("message", () => {
    received += 1;
  });
  ws.accept();
  return { ws, received: () => received };
}

async function level(waiting: number) {
  const show = await createShow({
    sectors: [{ name: "Pista", capacity: HOLDERS, priceCents: 10000, meiaShare: 0 }],
    holdSeconds: 600,
    maxTicketsPerUser: 20,
  });
  const fans = await insertFans(
    HOLDERS + waiting + 1 + ADMISSION_BLOCKS * BLOCK + PASSES + 1 + EXPIRY_ROUNDS * HOLDERS,
  );
  const holders = fans.slice(0, HOLDERS);
  const queue = fans.slice(HOLDERS);
  const sockets: Awaited<ReturnType<typeof connect>>[] = [];
  for (const f of queue) sockets.push(await connect(show.id, f));

  replaceIo(show.id, { sleep: () => new Promise(() => {}) });
  const figures = await runInDurableObject(showStub(show.id), async (o: ShowQueue, ctx) => {
    const timed = notifierOver(ctx, noPauses);
    const paced = notifierOver(ctx, realTime);
    for (const f of holders) await o.request(show.id, f, PISTA);

    // The object's clock ticks in whole milliseconds, and neighbours share the machine: time
    // blocks of operations and keep the median block.
    const timedFrom = queue.length - JOIN_BLOCKS * JOIN_BLOCK;
    for (const f of queue.slice(0, timedFrom)) await o.request(show.id, f, PISTA);
    const joins: number[] = [];
    let t = 0;
    for (let b = 0; b < JOIN_BLOCKS; b++) {
      t = performance.now();
      for (const f of queue.slice(timedFrom + b * JOIN_BLOCK, timedFrom + (b + 1) * JOIN_BLOCK)) {
        await o.request(show.id, f, PISTA);
      }
      joins.push((performance.now() - t) / JOIN_BLOCK);
    }

    // Holders in the order they were admitted: the first holders, then the queue from its head.
    const inLine = [...holders, ...queue];
    let next = 0;
    // One admission untimed: the first D1 write after the bulk insert of fans pays for local D1's
    // housekeeping (tens of milliseconds, growing with the insert), which is not the object's cost.
    await o.cancel(show.id, inLine[next++]!);
    const admissions: number[] = [];
    for (let b = 0; b < ADMISSION_BLOCKS; b++) {
      t = performance.now();
      for (let i = 0; i < BLOCK; i++) await o.cancel(show.id, inLine[next++]!);
      admissions.push((performance.now() - t) / BLOCK);
    }

    // A pass pauses between slices (so that other calls get in); its own work is timed without
    // the pauses, and its wall time (the last fan's update) once as it runs.
    const passes: number[] = [];
    for (let i = 0; i < PASSES; i++) {
      await o.cancel(show.id, inLine[next++]!);
      t = performance.now();
      await timed.sendPositions([PISTA]);
      passes.push(performance.now() - t);
    }
    await o.cancel(show.id, inLine[next++]!);
    t = performance.now();
    await paced.sendPositions([PISTA]);
    const passWallMs = performance.now() - t;

    // An admission under way when a pass over every waiting fan starts (every position moved).
    const duringPass: number[] = [];
    for (let i = 0; i < DURING_PASS; i++) {
      await o.cancel(show.id, inLine[next++]!);
      const start = performance.now();
      const admission = o.cancel(show.id, inLine[next++]!);
      const pass = paced.sendPositions([PISTA]);
      await admission;
      duringPass.push(performance.now() - start);
      await pass;
    }

    const expiries: number[] = [];
    let clock = Date.now();
    for (let i = 0; i < EXPIRY_ROUNDS; i++) {
      clock += 601_000;
      const late = clock;
      replaceIo(show.id, { now: () => late });
      t = performance.now();
      await o.alarm();
      expiries.push((performance.now() - t) / HOLDERS);
    }

    const joinMs = median(joins);
    const admissionMs = median(admissions);
    const passMs = median(passes);
    const expiryMs = median(expiries);
    return {
      waiting,
      joinUs: joinMs * 1000,
      admissionUs: admissionMs * 1000,
      admissionDuringPassMs: median(duringPass),
      admissionsPerSecond: 1000 / admissionMs,
      passMs,
      passWallMs,
      passUsPerWaitingFan: (passMs * 1000) / waiting,
      expiryUs: expiryMs * 1000,
      expiriesPerSecond: 1000 / expiryMs,
    };
  });
  // Let the last messages arrive, then count them and hang up (client ends live outside the object).
  await new Promise((r) => setTimeout(r, 50));
  const messagesPerSocket = sockets.reduce((s, x) => s + x.received(), 0) / sockets.length;
  for (const s of sockets) s.ws.close(1000);
  return { ...figures, messagesPerSocket };
}

it("times admission, expiry and position fan-out inside the show object", async ({ task }) => {
  const results = [];
  for (const w of LEVELS) {
    const r = await level(w);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  task.meta.bench = results;
});
