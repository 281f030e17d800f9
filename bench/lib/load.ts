/** Closed-loop load: `n` operations, at most `concurrency` in flight, each one timed. */
import { now, type Summary, summarize } from "./stats.ts";

export interface LoadRun {
  ops: number;
  wallMs: number;
  latenciesMs: number[];
  errors: number;
  firstError?: string;
  clientCpuMs: number;
}

export interface LoadResult {
  n: number;
  concurrency: number;
  wallMs: number;
  perSecond: number;
  latencyMs: Summary;
  errors: number;
  firstError?: string;
  /** CPU this client process used, as a share of one core over the run. */
  clientCpu: number;
}

/** Operations `from` .. `from + n - 1`, at most `concurrency` at once. */
export async function closedLoop(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
  from = 0,
): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const start = now();
      try {
        await op(from + i);
        latenciesMs.push(now() - start);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const cpu = process.cpuUsage(cpu0);
  return {
    ops: latenciesMs.length,
    wallMs: now() - t0,
    latenciesMs,
    errors,
    ...(firstError !== undefined && { firstError }),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** One figure from one or more runs of the same operation (e.g. the rounds of an interleaved phase). */
export function combine(runs: LoadRun[], concurrency: number): LoadResult {
  const wallMs = runs.reduce((s, r) => s + r.wallMs, 0);
  const ops = runs.reduce((s, r) => s + r.ops, 0);
  const firstError = runs.find((r) => r.firstError !== undefined)?.firstError;
  return {
    n: ops + runs.reduce((s, r) => s + r.errors, 0),
    concurrency,
    wallMs,
    perSecond: (ops / wallMs) * 1000,
    latencyMs: summarize(runs.flatMap((r) => r.latenciesMs)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    ...(firstError !== undefined && { firstError }),
    clientCpu: runs.reduce((s, r) => s + r.clientCpuMs, 0) / wallMs,
  };
}
