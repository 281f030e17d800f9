/**
 * Measured phases: closed-loop load plus the server CPU it cost. Phases compared with each other
 * run interleaved, in rounds (a slice of each per round), so that a neighbour's load on this shared
 * machine falls on all of them alike.
 */
import type { Context } from "../lib/context.ts";
import { closedLoop, combine, type LoadResult, type LoadRun } from "../lib/load.ts";

export interface Phase {
  name: string;
  load: LoadResult;
  /** Server CPU per operation (µs): the app's workerd and wrangler's proxy workerd. */
  appUsPerOp: number;
  proxyUsPerOp: number;
  /** Operations per second in each round (interleaved phases). */
  perRound?: number[];
}

export interface PhaseSpec {
  name: string;
  op: (i: number) => Promise<void>;
}

function describe(ctx: Context, p: Phase): Phase {
  const l = p.load;
  if (l.errors > 0) ctx.log(`  ${p.name}: ${l.errors} errors, first: ${l.firstError}`);
  ctx.log(
    `  ${p.name}: ${Math.round(l.perSecond)}/s, p50 ${l.latencyMs.p50.toFixed(1)} ms, p99 ${l.latencyMs.p99.toFixed(1)} ms, app ${Math.round(p.appUsPerOp)} µs/op, client CPU ${Math.round(l.clientCpu * 100)}%`,
  );
  return p;
}

/** `n` operations of one kind. */
export async function phase(ctx: Context, spec: PhaseSpec, n: number): Promise<Phase> {
  const cpu0 = ctx.server.cpu();
  const run = await closedLoop(n, ctx.opts.concurrency, spec.op);
  const cpu1 = ctx.server.cpu();
  return describe(ctx, {
    name: spec.name,
    load: combine([run], ctx.opts.concurrency),
    appUsPerOp: ((cpu1.app - cpu0.app) * 1000) / n,
    proxyUsPerOp: ((cpu1.proxy - cpu0.proxy) * 1000) / n,
  });
}

/** `n` operations of each kind, in `rounds` rounds; each round runs a slice of every kind in turn. */
export async function interleaved(ctx: Context, specs: PhaseSpec[], n: number, rounds: number): Promise<Phase[]> {
  const runs = specs.map(() => [] as LoadRun[]);
  const cpu = specs.map(() => ({ app: 0, proxy: 0 }));
  for (let r = 0; r < rounds; r++) {
    const from = Math.floor((n * r) / rounds);
    const to = Math.floor((n * (r + 1)) / rounds);
    for (const [k, spec] of specs.entries()) {
      const cpu0 = ctx.server.cpu();
      runs[k]!.push(await closedLoop(to - from, ctx.opts.concurrency, spec.op, from));
      const cpu1 = ctx.server.cpu();
      cpu[k]!.app += cpu1.app - cpu0.app;
      cpu[k]!.proxy += cpu1.proxy - cpu0.proxy;
    }
  }
  return specs.map((spec, k) =>
    describe(ctx, {
      name: spec.name,
      load: combine(runs[k]!, ctx.opts.concurrency),
      appUsPerOp: (cpu[k]!.app * 1000) / n,
      proxyUsPerOp: (cpu[k]!.proxy * 1000) / n,
      perRound: runs[k]!.map((run) => (run.ops / run.wallMs) * 1000),
    }),
  );
}
