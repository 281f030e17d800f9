/** Closed-loop load: `n` operations, at most `concurrency` in flight, each one timed. */
import { now, type Summary, summarize } from "./stats.ts";

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

export async function closedLoop(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const start = now();
      try {
        await op(i);
        latencies.push(now() - start);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const wallMs = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    n,
    concurrency,
    wallMs,
    perSecond: (latencies.length / wallMs) * 1000,
    latencyMs: summarize(latencies),
    errors,
    ...(firstError !== undefined && { firstError }),
    clientCpu: (cpu.user + cpu.system) / 1000 / wallMs,
  };
}
