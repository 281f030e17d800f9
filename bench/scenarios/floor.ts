/**
 * The floor: the same closed-loop load against the cheapest paths of the same server. A health
 * route (the Worker alone) and one empty RPC on the show's object (Worker + object, no storage).
 */
import type { Context } from "../lib/context.ts";
import { type Phase, phase } from "./phase.ts";

export interface Floor {
  health: Phase;
  rpc: Phase;
}

export async function floor(ctx: Context, showId: string, label: string): Promise<Floor> {
  const n = ctx.opts.fans;
  ctx.log(`floor (${label}): ${n} requests, ${ctx.opts.concurrency} in flight`);
  const health = await phase(ctx, "GET /api/health", n, async () => {
    await ctx.http.call("GET", "/api/health", { expect: [200] });
  });
  const rpc = await phase(ctx, "GET /api/bench/rpc (empty RPC)", n, async () => {
    await ctx.http.call("GET", `/api/bench/rpc/${showId}`, { expect: [200] });
  });
  return { health, rpc };
}
