/** A measured phase: closed-loop load plus the server CPU it cost. */
import type { Context } from "../lib/context.ts";
import { closedLoop, type LoadResult } from "../lib/load.ts";
import { withServerCpu } from "../lib/server.ts";

export interface Phase {
  name: string;
  load: LoadResult;
  /** Server CPU per operation (µs): the app's workerd and wrangler's proxy workerd. */
  appUsPerOp: number;
  proxyUsPerOp: number;
}

export async function phase(
  ctx: Context,
  name: string,
  n: number,
  op: (i: number) => Promise<void>,
  concurrency = ctx.opts.concurrency,
): Promise<Phase> {
  const { result, appUsPerOp, proxyUsPerOp } = await withServerCpu(ctx.server, n, () => closedLoop(n, concurrency, op));
  if (result.errors > 0) ctx.log(`  ${name}: ${result.errors} errors, first: ${result.firstError}`);
  ctx.log(
    `  ${name}: ${Math.round(result.perSecond)}/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms, app ${Math.round(appUsPerOp)} µs/op, client CPU ${Math.round(result.clientCpu * 100)}%`,
  );
  return { name, load: result, appUsPerOp, proxyUsPerOp };
}
