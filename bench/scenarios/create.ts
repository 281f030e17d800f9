/**
 * Creating a big show while another one sells. Fans on a live show request a ticket and give it
 * back, over and over (every call a D1 write, like a sale); first with nothing else going on, then
 * while an organizer creates a show of `--create-seats` seats (1,000,000 by default: 10 sectors of
 * 100,000), then with nothing else again. Reported: the ticket calls' latency without and during the
 * creation, the time the create request took to answer, and the time until every seat existed (the
 * show `ready`: polled from the catalogue every 250 ms).
 */
import type { Context } from "../lib/context.ts";
import type { Fan } from "../lib/http.ts";
import { now, type Summary, sleep, summarize } from "../lib/stats.ts";

const LIVE_FANS = 8;
/** Each fan's pause between two calls: ~150 calls/s in all, far from saturating the server. */
const THINK_MS = 40;
const QUIET_MS = 15_000;
const POLL_MS = 250;

export interface Creation {
  seats: number;
  sectors: number;
  /** What the create request answered, and when. */
  answeredStatus: string;
  createRequestMs: number;
  /** From sending the create request to the show being ready (every seat written). */
  readyMs: number;
  /** Seats written per second while preparing (from the catalogue's progress). */
  seatsPerSecond: number;
  /** Ticket calls on the live show: without a creation (before and after it), and during it. */
  without: Summary;
  during: Summary;
  before: Summary;
  after: Summary;
  errors: number;
  firstError?: string;
}

/** Ticket calls by `fans` on `showId` until `stop()`; every call's latency, in ms. */
async function ticketCalls(ctx: Context, showId: string, fans: Fan[], stop: () => boolean) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const timed = async (call: () => Promise<unknown>) => {
    const t = now();
    try {
      await call();
      latencies.push(now() - t);
    } catch (err) {
      errors += 1;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  };
  await Promise.all(
    fans.map(async (fan, i) => {
      await sleep((THINK_MS * i) / fans.length);
      while (!stop()) {
        await timed(() => ctx.http.request(showId, fan));
        await sleep(THINK_MS);
        await timed(() => ctx.http.cancel(showId, fan));
        await sleep(THINK_MS);
      }
    }),
  );
  return { latencies, errors, firstError };
}

async function quiet(ctx: Context, showId: string, fans: Fan[]) {
  const until = now() + QUIET_MS;
  return ticketCalls(ctx, showId, fans, () => now() >= until);
}

export async function create(ctx: Context, seats: number): Promise<Creation> {
  const { http, log } = ctx;
  const liveShow = await http.createShow({ capacity: LIVE_FANS * 2, holdSeconds: 600 });
  const fans = await ctx.fans.take(LIVE_FANS, LIVE_FANS);
  log(`create: ${LIVE_FANS} fans calling on a live show, ${QUIET_MS / 1000} s without a creation`);
  const before = await quiet(ctx, liveShow, fans);

  const sectorCount = Math.ceil(seats / 100_000);
  const sectors = Array.from({ length: sectorCount }, (_, i) => ({
    name: `Setor ${i + 1}`,
    capacity: Math.min(100_000, seats - i * 100_000),
    priceCents: 10_000,
  }));
  const band = await http.json("POST", "/api/admin/bands", {
    admin: true,
    body: { name: "Banda do Estádio", genre: "Pop" },
    expect: [201],
  });
  log(`create: a ${seats.toLocaleString("en")}-seat show (${sectorCount} sectors) while they call`);
  let ready = false;
  const progress: { t: number; seats: number }[] = [];
  const calling = ticketCalls(ctx, liveShow, fans, () => ready);
  const t0 = now();
  const created = await http.json("POST", "/api/admin/shows", {
    admin: true,
    expect: [201],
    body: {
      bandId: band.band.id,
      address: "Estádio do Morumbi, São Paulo - SP",
      startsAt: new Date(Date.now() + 120 * 86_400_000).toISOString(),
      sectors,
    },
  });
  const createRequestMs = now() - t0;
  const showId = created.show.id as string;
  const answeredStatus = (created.show.status as string | undefined) ?? "(no status: every seat written)";
  log(`create: answered ${answeredStatus} after ${createRequestMs.toFixed(0)} ms`);
  // A build that is not ready in the answer is polled from the catalogue until it is.
  ready = created.show.status === undefined || created.show.status === "ready";
  while (!ready) {
    await sleep(POLL_MS);
    const show = (await http.json("GET", `/api/shows/${showId}`, { expect: [200] })).show;
    if (show.preparation) progress.push({ t: now(), seats: show.preparation.seatsCreated });
    ready = show.status === "ready";
  }
  const readyMs = now() - t0;
  const during = await calling;
  log(`create: ready after ${(readyMs / 1000).toFixed(1)} s; ${QUIET_MS / 1000} s without a creation again`);
  const after = await quiet(ctx, liveShow, fans);

  const first = progress[0];
  const last = progress.at(-1);
  const seatsPerSecond =
    first && last && last.t > first.t
      ? ((last.seats - first.seats) / (last.t - first.t)) * 1000
      : seats / (readyMs / 1000);
  const runs = [before, during, after];
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  const firstError = runs.find((r) => r.firstError !== undefined)?.firstError;
  const result: Creation = {
    seats,
    sectors: sectorCount,
    answeredStatus,
    createRequestMs,
    readyMs,
    seatsPerSecond,
    without: summarize([...before.latencies, ...after.latencies]),
    during: summarize(during.latencies),
    before: summarize(before.latencies),
    after: summarize(after.latencies),
    errors,
    ...(firstError !== undefined && { firstError }),
  };
  if (errors > 0) log(`  create: ${errors} ticket call errors, first: ${firstError}`);
  log(
    `  ticket calls p50/p99: without ${result.without.p50.toFixed(1)} / ${result.without.p99.toFixed(1)} ms (n=${result.without.n}), during ${result.during.p50.toFixed(1)} / ${result.during.p99.toFixed(1)} ms (n=${result.during.n}, max ${result.during.max.toFixed(0)})`,
  );
  return result;
}
