/**
 * Runs bench/inside/ (inside workerd, through the vitest plugin) and reads its figures back from
 * vitest's JSON report, where the benchmark leaves them in the test's `meta`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Options } from "../lib/context.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface InsideLevel {
  waiting: number;
  joinUs: number;
  admissionUs: number;
  admissionDuringPassMs: number;
  admissionsPerSecond: number;
  passMs: number;
  passWallMs: number;
  passUsPerWaitingFan: number;
  expiryUs: number;
  expiriesPerSecond: number;
  messagesPerSocket: number;
}

/** What each operation costs inside the objects of a show with lanes (bench/inside/lanes.bench.ts), in µs. */
export interface InsideLanes {
  lanes: number;
  waitingInLane: number;
  laneJoinUs: number;
  lanePassUs: number;
  laneMessagesPerPass: number;
  laneUsPerPositionMessage: number;
  laneViewDeliveryUs: number;
  coordinatorAdmissionUs: number;
  coordinatorReportUs: number;
  coordinatorReportWithViewUs: number;
}

/** `only`: one file of bench/inside/ (the lanes' alone, for `--lanes`). */
export async function inside(
  opts: Options,
  log: (m: string) => void,
  only?: string,
): Promise<{ levels: InsideLevel[]; lanes: InsideLanes | undefined }> {
  log("inside the object: vitest -c vitest.bench.config.ts (workerd, no HTTP)");
  const dir = mkdtempSync(path.join(tmpdir(), "catraca-bench-"));
  const report = path.join(dir, "report.json");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, "node_modules/vitest/vitest.mjs"),
          "run",
          "-c",
          "vitest.bench.config.ts",
          "--reporter=default",
          "--reporter=json",
          `--outputFile.json=${report}`,
          ...(only ? [only] : []),
        ],
        {
          cwd: ROOT,
          stdio: opts.verbose ? "inherit" : "pipe",
          env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        },
      );
      let out = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (out += d));
      child.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`the inside benchmark failed (${code}):\n${out}`)),
      );
    });
    const json = JSON.parse(readFileSync(report, "utf8")) as {
      testResults: { assertionResults: { meta?: { bench?: InsideLevel[]; laneBench?: InsideLanes } }[] }[];
    };
    const results = json.testResults.flatMap((f) => f.assertionResults);
    const levels = results.flatMap((a) => a.meta?.bench ?? []);
    const lanes = results.flatMap((a) => a.meta?.laneBench ?? [])[0];
    for (const l of levels) {
      log(
        `  W=${l.waiting}: join ${l.joinUs.toFixed(0)} µs, admission ${l.admissionUs.toFixed(0)} µs (${l.admissionDuringPassMs.toFixed(0)} ms during a pass), pass ${l.passMs.toFixed(1)} ms = ${l.passUsPerWaitingFan.toFixed(1)} µs/fan (${l.passWallMs.toFixed(0)} ms wall), expiry ${l.expiryUs.toFixed(0)} µs`,
      );
    }
    if (lanes) log(`  lanes: ${JSON.stringify(lanes)}`);
    return { levels, lanes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
