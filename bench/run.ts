/**
 * `npm run bench`: an on-sale rush against a real `wrangler dev` on loopback, with fresh state,
 * measured against the platform's own floor in the same run. Prints a table and writes
 * bench/results.json. See bench/README.md for what each figure means and the reference results.
 *
 *   npm run bench -- --fans 2000 --tickets 200 --concurrency 100 --rounds 4 --levels 100,1000,2000
 *   npm run bench -- --soak [--soak-minutes 5]   2,000 waiting sockets, memory over time
 *   npm run bench -- --only rush,release,inside,create   a subset (while developing)
 *   npm run bench -- --only create --create-seats 1000000   ticket calls while a big show is created
 *   npm run bench -- --cpu-prof                   a CPU profile of the app's isolate per scenario
 *   npm run bench -- --lanes 1,4,16               the rush, a drain and the release over K lanes, K = 1 included
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Context, FanPool, type Options } from "./lib/context.ts";
import { Http } from "./lib/http.ts";
import { profiled } from "./lib/inspector.ts";
import { machine } from "./lib/proc.ts";
import { type BenchServer, startBenchServer } from "./lib/server.ts";
import { closeAll, type FanSocket } from "./lib/sockets.ts";
import { type Results, report, targets } from "./report.ts";
import { create } from "./scenarios/create.ts";
import { inside } from "./scenarios/inside.ts";
import { lanesScenario } from "./scenarios/lanes.ts";
import { release } from "./scenarios/release.ts";
import { rush } from "./scenarios/rush.ts";
import { soak } from "./scenarios/soak.ts";

const SCENARIOS = ["rush", "release", "create", "inside"] as const;

function options(): Options {
  const { values } = parseArgs({
    options: {
      fans: { type: "string", default: "2000" },
      tickets: { type: "string", default: "200" },
      concurrency: { type: "string", default: "100" },
      rounds: { type: "string", default: "4" },
      levels: { type: "string" },
      "create-seats": { type: "string", default: "1000000" },
      soak: { type: "boolean", default: false },
      "soak-minutes": { type: "string", default: "5" },
      only: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
      lanes: { type: "string" },
      verbose: { type: "boolean", default: false },
      out: { type: "string", default: path.join(import.meta.dirname, "results.json") },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const fans = int("fans", values.fans);
  const only = values.only?.split(",").map((s) => s.trim());
  for (const s of only ?? []) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario ${s}`);
  }
  const lanes = values.lanes?.split(",").map((l) => int("lanes", l));
  for (const l of lanes ?? []) if (l > 256) throw new Error(`--lanes: at most 256 lanes, got ${l}`);
  return {
    fans,
    lanes: lanes ? [...new Set([1, ...lanes])].sort((a, b) => a - b) : undefined,
    tickets: int("tickets", values.tickets),
    concurrency: int("concurrency", values.concurrency),
    rounds: int("rounds", values.rounds),
    levels: (values.levels ?? `100,1000,${fans}`).split(",").map((l) => int("levels", l)),
    createSeats: int("create-seats", values["create-seats"]),
    soak: values.soak,
    soakMinutes: Number(values["soak-minutes"]),
    only: only ? new Set(only) : undefined,
    cpuProfile: values["cpu-prof"],
    verbose: values.verbose,
    out: values.out,
  };
}

async function main() {
  const opts = options();
  // With --lanes, the lanes' runs alone unless --only names more.
  const wants = (s: (typeof SCENARIOS)[number]) =>
    !opts.soak && (opts.only ? opts.only.has(s) : opts.lanes === undefined);
  const log = (m: string) => console.log(m);
  const results: Results = {
    startedAt: new Date().toISOString(),
    machine: machine(),
    options: { ...opts, only: opts.only ? [...opts.only] : undefined },
  };
  log(`catraca bench: ${JSON.stringify(results.options)}`);

  const needsServer = opts.soak || wants("rush") || wants("release") || wants("create") || opts.lanes !== undefined;
  if (needsServer) {
    let server: BenchServer | undefined;
    try {
      server = await startBenchServer(opts.verbose);
      const http = new Http(server.dev.url);
      const ctx: Context = { server, http, opts, fans: new FanPool(http), log };
      log(`wrangler dev on ${server.dev.url} (app workerd pid ${server.app.pid}, ${server.rssMiB().toFixed(0)} MiB)`);
      results.memoryAtStartMiB = server.rssMiB();
      if (opts.soak) {
        results.soak = await soak(ctx);
      } else {
        // The rush keeps waiting on its sockets while tickets are released on other shows.
        const sockets: FanSocket[] = [];
        if (wants("rush")) {
          const r = await profiled(ctx, "rush", () => rush(ctx));
          results.rush = r.rush;
          results.floor = r.floor;
          sockets.push(...r.sockets);
        }
        if (wants("release")) {
          results.release = [];
          for (const level of opts.levels) {
            results.release.push({ level, runs: await profiled(ctx, `release-${level}`, () => release(ctx, level)) });
          }
        }
        results.memoryAfterMiB = server.rssMiB();
        await closeAll(sockets);
        if (opts.lanes) results.lanes = await profiled(ctx, "lanes", () => lanesScenario(ctx, opts.lanes ?? [1]));
        if (wants("create")) results.create = await profiled(ctx, "create", () => create(ctx, opts.createSeats));
      }
    } finally {
      await server?.dispose();
    }
  }
  if (wants("inside")) {
    const measured = await inside(opts, log);
    results.inside = measured.levels;
    results.lanesInside = measured.lanes;
  } else if (opts.lanes) {
    results.lanesInside = (await inside(opts, log, "bench/inside/lanes.bench.ts")).lanes;
  }
  results.finishedAt = new Date().toISOString();
  results.targets = targets(results);
  writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${report(results)}\n\nwrote ${path.relative(process.cwd(), opts.out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
