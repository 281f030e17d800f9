/** The printed report: the figures of one run, each throughput also as a ratio to the floor. */
import type { machine } from "./lib/proc.ts";
import { type Summary, summarize } from "./lib/stats.ts";
import { fixed, table } from "./lib/table.ts";
import type { Creation } from "./scenarios/create.ts";
import type { InsideLanes, InsideLevel } from "./scenarios/inside.ts";
import type { LaneRun } from "./scenarios/lanes.ts";
import type { Phase } from "./scenarios/phase.ts";
import type { ReleaseRun } from "./scenarios/release.ts";
import type { Floor, Rush } from "./scenarios/rush.ts";
import type { Soak } from "./scenarios/soak.ts";

export interface Results {
  startedAt: string;
  finishedAt?: string;
  machine: ReturnType<typeof machine>;
  options: Record<string, unknown>;
  memoryAtStartMiB?: number;
  rush?: Rush;
  floor?: Floor;
  release?: { level: number; runs: ReleaseRun[] }[];
  memoryAfterMiB?: number;
  create?: Creation;
  inside?: InsideLevel[];
  soak?: Soak;
  lanes?: LaneRun[];
  /** What each operation costs inside the lanes and the coordinator (the capacity table's inputs). */
  lanesInside?: InsideLanes;
  targets?: Target[];
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export function releaseSummary(runs: ReleaseRun[]): Summary {
  return summarize(runs.flatMap((r) => r.samplesMs));
}

export function targets(r: Results): Target[] {
  const out: Target[] = [];
  if (r.rush && r.floor) {
    const floor = r.floor.rpc.load.perSecond;
    const ratio = r.rush.request.load.perSecond / floor;
    const rounds = (r.rush.request.perRound ?? []).map((x, i) => x / (r.floor?.rpc.perRound?.[i] ?? Number.NaN));
    out.push({
      name: "request path vs empty-RPC floor",
      goal: ">= 60% of the floor's throughput",
      measured: `${(ratio * 100).toFixed(0)}% (${r.rush.request.load.perSecond.toFixed(0)} vs ${floor.toFixed(0)} req/s; rounds ${rounds.map((x) => `${(x * 100).toFixed(0)}%`).join(" ")})`,
      met: ratio >= 0.6,
    });
  }
  if (r.rush) {
    const { perFan, statements } = r.rush.d1;
    out.push({
      name: "D1 statements per arriving fan outside sign-in and admission (connect + page loads)",
      goal: "< 0.05",
      measured: `${perFan.toFixed(4)} (${statements} statements for ${r.rush.browse.load.n} fans)`,
      met: perFan < 0.05,
    });
  }
  if (r.rush && r.floor) {
    const floor = r.floor.health.load.perSecond;
    const ratio = r.rush.page.load.perSecond / floor;
    const rounds = (r.rush.page.perRound ?? []).map((x, i) => x / (r.floor?.health.perRound?.[i] ?? Number.NaN));
    out.push({
      name: "cached show page vs GET /api/health floor",
      goal: ">= 80% of the floor's throughput",
      measured: `${(ratio * 100).toFixed(0)}% (${r.rush.page.load.perSecond.toFixed(0)} vs ${floor.toFixed(0)} req/s; rounds ${rounds.map((x) => `${(x * 100).toFixed(0)}%`).join(" ")})`,
      met: ratio >= 0.8,
    });
  }
  const top = r.release?.at(-1);
  if (top) {
    const s = releaseSummary(top.runs);
    out.push({
      name: `release → next fan's message, ${top.level} waiting`,
      goal: "p99 < 25 ms",
      measured: `p99 ${fixed(s.p99)} ms (p50 ${fixed(s.p50)} ms, n=${s.n}, cancel and expiry)`,
      met: s.p99 < 25,
    });
  }
  if (r.create) {
    const c = r.create;
    out.push({
      name: `ticket calls on a live show while a ${c.seats.toLocaleString("en")}-seat show is created`,
      goal: "p99 <= 2x the p99 without it",
      measured: `p99 ${fixed(c.during.p99)} ms during vs ${fixed(c.without.p99)} ms without (x${fixed(c.during.p99 / c.without.p99, 2)}; max ${fixed(c.during.max, 0)} ms)`,
      met: c.during.p99 <= 2 * c.without.p99 && c.errors === 0,
    });
    out.push({
      name: `creating ${c.seats.toLocaleString("en")} seats`,
      goal: "answered at once, on sale once every seat exists",
      measured: `answered ${c.answeredStatus} in ${fixed(c.createRequestMs, 0)} ms; ready after ${fixed(c.readyMs / 1000)} s (${fixed(c.seatsPerSecond, 0)} seats/s)`,
      met: c.createRequestMs < 1_000,
    });
  }
  const first = r.inside?.[0];
  const last = r.inside?.at(-1);
  if (first && last && last.waiting > first.waiting) {
    const growth = last.admissionUs / first.admissionUs;
    out.push({
      name: "cost per admission vs waiting fans",
      goal: "not linear",
      measured: `×${growth.toFixed(2)} from ${first.waiting} to ${last.waiting} waiting (×${last.waiting / first.waiting} fans); during a pass ${fixed(first.admissionDuringPassMs, 0)} → ${fixed(last.admissionDuringPassMs, 0)} ms`,
      met: growth < 2 && last.admissionDuringPassMs < 2 * first.admissionDuringPassMs + 5,
    });
  }
  const one = r.lanes?.find((l) => l.lanes === 1);
  for (const l of r.lanes ?? []) {
    if (l.lanes === 1) continue;
    out.push({
      name: `rush over ${l.lanes} lanes: the busiest lane's share of the joins`,
      goal: `<= 1.5/K (${((1.5 / l.lanes) * 100).toFixed(1)}%)`,
      measured: `${(l.rush.busiestShare * 100).toFixed(1)}%; coordinator calls per join ${fixed(l.rush.coordinatorPerJoin[0], 3)} (buffers filling) then ${fixed(l.rush.coordinatorPerJoin[1], 3)}`,
      met: l.rush.busiestShare <= 1.5 / l.lanes,
    });
    if (one) {
      out.push({
        name: `release → next fan over ${l.lanes} lanes, against 1 lane`,
        goal: "within a few ms of one lane's (p50 and p99)",
        measured: `p50 ${fixed(l.release.all.p50)} vs ${fixed(one.release.all.p50)} ms, p99 ${fixed(l.release.all.p99)} vs ${fixed(one.release.all.p99)} ms`,
        met: l.release.all.p50 - one.release.all.p50 <= 5,
      });
    }
  }
  if (r.soak) {
    const s = r.soak;
    const growth = s.growthMiB / s.firstMinuteMiB;
    const heapGrowth = s.heapLastMinuteMiB - s.heapFirstMinuteMiB;
    out.push({
      name: `memory over a ${s.minutes}-minute soak, ${s.waiting} waiting sockets`,
      goal: "flat: RSS within 5%, live JS heap within 2 MiB, first to last minute",
      measured: `RSS ${fixed(s.firstMinuteMiB)} → ${fixed(s.lastMinuteMiB)} MiB (${fixed(growth * 100)}%, ${fixed(s.slopeMiBPerMinute, 2)} MiB/min); JS heap floor by minute ${s.heapFloorByMinuteMiB.map((x) => fixed(x)).join(" → ")} MiB`,
      met: growth < 0.05 && heapGrowth < 2,
    });
  }
  return out;
}

function phaseRows(r: Results): (string | number)[][] {
  const floor = r.floor?.rpc.load.perSecond;
  const floorP99 = r.floor?.rpc.load.latencyMs.p99;
  const rows: [string, Phase | undefined][] = [
    ["floor: GET /api/health", r.floor?.health],
    ["floor: one empty object RPC", r.floor?.rpc],
    ["rush: PATCH request (auth + validation + object + D1)", r.rush?.request],
    ["rush: sign in", r.rush?.signIn],
    ["rush: WebSocket connect + greeting", r.rush?.connect],
    ["rush: a fan's page loads (5 GETs)", r.rush?.browse],
    ["rush: GET /shows/:showId (shared cache)", r.rush?.page],
  ];
  return rows
    .filter((row): row is [string, Phase] => row[1] !== undefined)
    .map(([name, p]) => [
      name,
      p.load.n,
      fixed(p.load.perSecond, 0),
      floor ? fixed(p.load.perSecond / floor, 2) : "-",
      fixed(p.load.latencyMs.p50),
      fixed(p.load.latencyMs.p95),
      fixed(p.load.latencyMs.p99),
      floorP99 ? fixed(p.load.latencyMs.p99 / floorP99, 2) : "-",
      fixed(p.appUsPerOp, 0),
      fixed(p.proxyUsPerOp, 0),
      `${fixed(p.load.clientCpu * 100, 0)}%`,
    ]);
}

export function report(r: Results): string {
  const m = r.machine;
  const parts = [
    `catraca bench, ${r.startedAt}: ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, load average ${m.loadAverage.join(" ")} at start, Node ${m.node}`,
  ];
  if (r.rush) {
    parts.push(
      `\nThroughput and latency (closed loop, ${r.rush.request.load.concurrency} in flight; the floor and the requests interleaved in rounds; ×floor = against one empty object RPC)\n${table(
        [
          "path",
          "n",
          "req/s",
          "×floor",
          "p50 ms",
          "p95 ms",
          "p99 ms",
          "p99 ×floor",
          "app µs/req",
          "proxy µs/req",
          "client CPU",
        ],
        phaseRows(r),
      )}`,
    );
  }
  if (r.rush) {
    const mem = r.rush.memoryMiB;
    parts.push(
      `\nRush: ${r.rush.admitted} admitted, ${r.rush.waiting} waiting, ${r.rush.socketsHeld} sockets held. App workerd RSS: ${fixed(mem.start)} MiB before, ${fixed(mem.afterSockets)} MiB with the sockets (${fixed(mem.perSocketKiB)} KiB per socket), ${fixed(mem.afterRequests)} MiB after the requests${r.memoryAfterMiB ? `, ${fixed(r.memoryAfterMiB)} MiB at the end` : ""}.`,
    );
  }
  if (r.release?.length) {
    const rows = r.release.flatMap(({ level, runs }) =>
      runs.map((run) => {
        const s = summarize(run.samplesMs);
        return [
          run.kind,
          level,
          `${run.waiting[0]} → ${run.waiting[1]}`,
          s.n,
          fixed(s.p50),
          fixed(s.p95),
          fixed(s.p99),
          fixed(s.max),
        ];
      }),
    );
    parts.push(
      `\nRelease → the next fan's WebSocket message (ms; cancel: from sending the cancel; expiry: from expiresAt)\n${table(
        ["release", "level", "waiting", "n", "p50", "p95", "p99", "max"],
        rows,
      )}`,
    );
    const curve = r.release.map(({ level, runs }) => {
      const s = releaseSummary(runs);
      return [level, s.n, fixed(s.p50), fixed(s.p99), fixed(s.max)];
    });
    parts.push(
      `\nRelease, all kinds, by waiting fans\n${table(["waiting", "n", "p50 ms", "p99 ms", "max ms"], curve)}`,
    );
  }
  if (r.create) {
    const c = r.create;
    const row = (name: string, s: Summary) => [name, s.n, fixed(s.p50), fixed(s.p95), fixed(s.p99), fixed(s.max)];
    parts.push(
      `\nTicket calls (request, cancel) on a live show while a ${c.seats.toLocaleString("en")}-seat show (${c.sectors} sectors) is created (ms)\n${table(
        ["when", "n", "p50", "p95", "p99", "max"],
        [
          row("before the creation", c.before),
          row("during the creation", c.during),
          row("after the creation", c.after),
          row("without (before + after)", c.without),
        ],
      )}\nThe create request answered ${c.answeredStatus} in ${fixed(c.createRequestMs, 0)} ms; every seat existed after ${fixed(c.readyMs / 1000)} s (${fixed(c.seatsPerSecond, 0)} seats/s).`,
    );
  }
  if (r.inside?.length) {
    parts.push(
      `\nInside the object (workerd, no HTTP; every waiting fan on a socket)\n${table(
        [
          "waiting",
          "join µs",
          "admission µs",
          "admissions/s",
          "adm. during pass ms",
          "pass ms",
          "pass µs/fan",
          "expiry µs",
          "expiries/s",
          "fan-out/adm. µs (1 | burst 10)",
        ],
        r.inside.map((l) => [
          l.waiting,
          fixed(l.joinUs, 0),
          fixed(l.admissionUs, 0),
          fixed(l.admissionsPerSecond, 0),
          fixed(l.admissionDuringPassMs, 0),
          fixed(l.passMs, 2),
          fixed(l.passUsPerWaitingFan, 2),
          fixed(l.expiryUs, 0),
          fixed(l.expiriesPerSecond, 0),
          `${fixed(l.passMs * 1000, 0)} | ${fixed((l.passMs * 1000) / 10, 0)}`,
        ]),
      )}`,
    );
  }
  if (r.soak) {
    const s = r.soak;
    parts.push(
      `\nSoak: ${s.waiting} waiting, sockets ${s.socketsHeld.start} → ${s.socketsHeld.end}, ${s.admissions} admissions, ${s.messagesReceived} messages received\n${table(
        ["t (s)", "app RSS MiB", "JS heap MiB"],
        s.samples.map((x) => [x.seconds, fixed(x.rssMiB, 1), fixed(x.heapMiB, 1)]),
      )}`,
    );
  }
  if (r.lanes?.length) {
    parts.push(
      `\nLanes (rush, drain, release; release at ${r.lanes[0]?.release.level} waiting)\n${table(
        [
          "K",
          "joins",
          "failed",
          "joins/s",
          "p99 ms",
          "busiest lane",
          "coord. calls/join (filling | full)",
          "sockets/object max",
          "stamp→lane p99/max ms",
          "stamp→coord. p99/max ms",
          "admissions/s",
          "refills",
          "held up",
          "release p50 / p99 ms",
          "msgs/s/lane max",
        ],
        r.lanes.map((l) => [
          l.lanes,
          l.rush.joins,
          l.rush.failed,
          fixed(l.rush.perSecond, 0),
          fixed(l.rush.latencyMs.p99, 0),
          `${fixed(l.rush.busiestShare * 100)}%`,
          `${fixed(l.rush.coordinatorPerJoin[0], 3)} | ${fixed(l.rush.coordinatorPerJoin[1], 3)}`,
          l.rush.socketsPerObject.max,
          `${fixed(l.rush.toLaneMs.p99, 0)} / ${fixed(l.rush.toLaneMs.max, 0)}`,
          `${fixed(l.rush.toCoordinatorMs.p99, 0)} / ${fixed(l.rush.toCoordinatorMs.max, 0)}`,
          fixed(l.drain.perSecond, 0),
          l.drain.refills,
          l.drain.dryHolds,
          `${fixed(l.release.all.p50)} / ${fixed(l.release.all.p99)}`,
          fixed(l.messagesPerLanePerSecond.max, 0),
        ]),
      )}`,
    );
  }
  const li = r.lanesInside;
  if (li) {
    parts.push(
      `\nInside the objects of a show with ${li.lanes} lanes (µs per operation; ${li.waitingInLane} waiting in the lane)\n${table(
        [
          "lane join",
          "lane view delivery",
          "lane µs/position message",
          "coord. admission",
          "coord. report",
          "coord. report + view",
        ],
        [
          [
            fixed(li.laneJoinUs, 0),
            fixed(li.laneViewDeliveryUs, 0),
            fixed(li.laneUsPerPositionMessage, 1),
            fixed(li.coordinatorAdmissionUs, 0),
            fixed(li.coordinatorReportUs, 0),
            fixed(li.coordinatorReportWithViewUs, 0),
          ],
        ],
      )}`,
    );
  }
  const t = r.targets ?? [];
  if (t.length) {
    parts.push(
      `\nTargets\n${table(
        ["target", "goal", "measured", ""],
        t.map((x) => [x.name, x.goal, x.measured, x.met ? "met" : "NOT MET"]),
      )}`,
    );
  }
  return parts.join("\n");
}
