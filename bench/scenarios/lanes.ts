/**
 * The waiting room over K lanes (`npm run bench -- --lanes 1,4,16`), each K in turn on the same
 * server, K = 1 always among them (the figure the others are compared with):
 *
 * - **rush**: N fans ask for a ticket on a show with M tickets, 100 in flight; the first
 *   `--fans` of them on open sockets. N is at least twice the lanes' buffers (K × 256 × 2), so
 *   that the second half of the joins comes once every lane's buffer is full. Reported: joins/s and
 *   latency; each object's share of the joins (the busiest lane against 1/K); the coordinator's
 *   calls per join in each half; sockets per object; how long after its stamp a join reached its
 *   lane and the coordinator (the bound Δ of the ordering guarantee);
 * - **drain**: holders give their tickets back one after another (20 at a time), each admission
 *   handing the next ticket on, until 1,500 admissions (or every fan): admissions/s, the lanes'
 *   buffer refills and the admissions held up by a lane whose buffer ran dry;
 * - **release**: the release scenario (bench/scenarios/release.ts) at one level of waiting fans,
 *   on shows with K lanes: release → the next fan's message, p50/p99, against K = 1;
 * - position messages per lane per second, over the release.
 */
import type { Context } from "../lib/context.ts";
import type { Fan, LaneMetrics } from "../lib/http.ts";
import { closedLoop } from "../lib/load.ts";
import { closeAll, FanSocket } from "../lib/sockets.ts";
import { now, type Summary, sleep, summarize } from "../lib/stats.ts";
import { type ReleaseRun, release } from "./release.ts";

const BUFFER = 256;
const DRAIN_ADMISSIONS = 1_500;
const DRAIN_CONCURRENCY = 20;

export interface LaneRun {
  lanes: number;
  rush: {
    joins: number;
    /** Requests that failed, and the first one's error. */
    failed: number;
    firstError: string | undefined;
    sockets: number;
    perSecond: number;
    latencyMs: Summary;
    /** Joins that reached the busiest lane, as a share of all, and the target 1.5/K. */
    busiestShare: number;
    /** Calls the coordinator got per join: over the first half of the joins, over the second. */
    coordinatorPerJoin: [number, number];
    socketsPerObject: { max: number; mean: number };
    /** From the Worker's stamp to the join reaching its lane, and to the coordinator knowing it (ms). */
    toLaneMs: Summary;
    toCoordinatorMs: Summary;
  };
  drain: { admissions: number; perSecond: number; reports: number; refills: number; dryHolds: number };
  release: { level: number; runs: ReleaseRun[]; all: Summary; error?: string };
  /** Messages the lanes sent per second during the release (the busiest lane, and the mean). */
  messagesPerLanePerSecond: { max: number; mean: number };
}

const total = (m: LaneMetrics, name: string) => m.laneMetrics.reduce((n, l) => n + (l.counts[name] ?? 0), 0);

/** Calls the coordinator got: reports from lanes, and fan calls (one lane: every join is one). */
const coordinatorCalls = (m: LaneMetrics) =>
  m.lanes > 1 ? (m.coordinator.counts.laneSyncs ?? 0) : (m.coordinator.counts.requests ?? 0);

export async function lanesScenario(ctx: Context, laneCounts: number[]): Promise<LaneRun[]> {
  const out: LaneRun[] = [];
  const level = Math.min(1_000, ctx.opts.fans);
  for (const lanes of laneCounts) {
    ctx.log(`lanes: K = ${lanes}`);
    const rush = await rushOver(ctx, lanes);
    const drain = await drainOf(
      ctx,
      rush.showId,
      rush.fans,
      Math.min(DRAIN_ADMISSIONS, rush.fans.length - ctx.opts.tickets),
    );
    const shows: string[] = [];
    const started = now();
    // A release run that fails is reported as such (its samples lost), and the other figures kept.
    let releaseError: string | undefined;
    const runs = await release(ctx, level, { lanes, shows: (id) => shows.push(id) }).catch((err: unknown) => {
      releaseError = String(err).slice(0, 300);
      ctx.log(`  release over ${lanes} lanes failed: ${releaseError}`);
      return [] as ReleaseRun[];
    });
    const seconds = (now() - started) / 1000;
    const metrics = await Promise.all(shows.map((id) => ctx.http.laneMetrics(id)));
    const perLane = Array.from(
      { length: lanes },
      (_, lane) =>
        metrics.reduce((n, m) => n + (lanes > 1 ? (m.laneMetrics[lane]?.counts.messages ?? 0) : 0), 0) / seconds,
    );
    const all = summarize(runs.flatMap((r) => r.samplesMs));
    const messagesPerLane = {
      max: lanes > 1 ? Math.max(...perLane) : Number.NaN,
      mean: lanes > 1 ? perLane.reduce((a, b) => a + b, 0) / lanes : Number.NaN,
    };
    out.push({
      lanes,
      rush: rush.figures,
      drain,
      release: { level, runs, all, error: releaseError },
      messagesPerLanePerSecond: messagesPerLane,
    });
    const r = rush.figures;
    ctx.log(
      `  K=${lanes}: rush ${r.joins} joins (${r.failed} failed) at ${r.perSecond.toFixed(0)}/s (p99 ${r.latencyMs.p99.toFixed(0)} ms), busiest lane ${(r.busiestShare * 100).toFixed(1)}% (1.5/K = ${((1.5 / lanes) * 100).toFixed(1)}%), coordinator calls/join ${r.coordinatorPerJoin.map((x) => x.toFixed(3)).join(" then ")}, sockets/object max ${r.socketsPerObject.max} mean ${r.socketsPerObject.mean.toFixed(0)}, stamp→lane p50/p99/max ${r.toLaneMs.p50.toFixed(0)}/${r.toLaneMs.p99.toFixed(0)}/${r.toLaneMs.max.toFixed(0)} ms, stamp→coordinator ${r.toCoordinatorMs.p50.toFixed(0)}/${r.toCoordinatorMs.p99.toFixed(0)}/${r.toCoordinatorMs.max.toFixed(0)} ms, position msgs/s/lane max ${messagesPerLane.max.toFixed(0)} mean ${messagesPerLane.mean.toFixed(0)}; drain ${drain.perSecond.toFixed(0)} admissions/s, ${drain.refills} refills, ${drain.dryHolds} held up; release p50 ${all.p50.toFixed(1)} / p99 ${all.p99.toFixed(1)} ms`,
    );
  }
  return out;
}

async function rushOver(ctx: Context, lanes: number) {
  const { tickets, concurrency } = ctx.opts;
  const joins = Math.max(ctx.opts.fans, 2 * lanes * BUFFER + tickets);
  const showId = await ctx.http.createShow({ capacity: tickets, holdSeconds: 600, lanes });
  const fans = await ctx.fans.take(joins, concurrency);
  const watched = Math.min(ctx.opts.fans, joins);
  const sockets: FanSocket[] = new Array(watched);
  const opened = await closedLoop(watched, concurrency, async (i) => {
    sockets[i] = await FanSocket.connect(ctx.http.base, showId, fans[i]!);
  });
  if (opened.errors > 0) throw new Error(`lanes rush: ${opened.errors} sockets failed: ${opened.firstError}`);
  const before = await ctx.http.laneMetrics(showId);
  const half = Math.floor(joins / 2);
  const first = await closedLoop(half, concurrency, async (i) => {
    await ctx.http.request(showId, fans[i]!);
  });
  const middle = await ctx.http.laneMetrics(showId);
  const second = await closedLoop(
    joins - half,
    concurrency,
    async (i) => {
      await ctx.http.request(showId, fans[i]!);
    },
    half,
  );
  const after = await ctx.http.laneMetrics(showId);
  // Failed requests are counted and reported (a failure is a finding, not a reason to lose the run).
  const errors = first.errors + second.errors;
  const firstError = first.firstError ?? second.firstError;
  if (errors > 0) ctx.log(`  lanes rush: ${errors} requests failed: ${firstError}`);
  await sleep(1_500);
  const waiting = await ctx.http.waiting(showId);
  if (errors === 0 && waiting !== joins - tickets)
    throw new Error(`lanes rush: the server counts ${waiting} waiting, expected ${joins - tickets}`);
  const perLane = lanes > 1 ? after.laneMetrics.map((l) => l.counts.requests ?? 0) : [joins];
  const socketsPer = lanes > 1 ? after.laneMetrics.map((l) => l.sockets) : [watched];
  const wallMs = first.wallMs + second.wallMs;
  const figures: LaneRun["rush"] = {
    joins,
    failed: errors,
    firstError,
    sockets: watched,
    perSecond: (joins / wallMs) * 1000,
    latencyMs: summarize([...first.latenciesMs, ...second.latenciesMs]),
    busiestShare: Math.max(...perLane) / joins,
    coordinatorPerJoin: [
      (coordinatorCalls(middle) - coordinatorCalls(before)) / half,
      (coordinatorCalls(after) - coordinatorCalls(middle)) / (joins - half),
    ],
    socketsPerObject: { max: Math.max(...socketsPer), mean: socketsPer.reduce((a, b) => a + b, 0) / socketsPer.length },
    toLaneMs: summarize(after.laneMetrics.flatMap((l) => l.samples.joinDelayMs ?? [])),
    toCoordinatorMs: summarize(after.coordinator.samples.learnedMs ?? []),
  };
  await closeAll(sockets);
  return { showId, fans: fans.slice(0, joins), figures };
}

/** Holders give their tickets back, each admitted fan in turn, until `admissions` admissions. */
async function drainOf(ctx: Context, showId: string, fans: Fan[], admissions: number): Promise<LaneRun["drain"]> {
  const before = await ctx.http.laneMetrics(showId);
  let next = 0;
  const started = now();
  const run = await closedLoop(admissions, DRAIN_CONCURRENCY, async () => {
    // Fans were admitted in the order they joined: the holders are the next ones to give back.
    const fan = fans[next++]!;
    await ctx.http.cancel(showId, fan);
  });
  const seconds = (now() - started) / 1000;
  if (run.errors > 0) ctx.log(`  lanes drain: ${run.errors} cancels failed: ${run.firstError}`);
  await sleep(1_000);
  const after = await ctx.http.laneMetrics(showId);
  const delta = (m: LaneMetrics, b: LaneMetrics, name: string) =>
    (m.coordinator.counts[name] ?? 0) - (b.coordinator.counts[name] ?? 0);
  return {
    admissions: admissions - run.errors,
    perSecond: (admissions - run.errors) / seconds,
    reports: delta(after, before, "reports"),
    refills: total(after, "refills") - total(before, "refills"),
    dryHolds: delta(after, before, "dryHolds"),
  };
}
