/**
 * Per-client rate limits through the Workers rate-limiting binding (`[[ratelimits]]` in
 * wrangler.toml): sign-ins per client address; per fan, the ticket calls and every other call that
 * reaches a show's object. Fans on mobile networks share addresses behind carrier-grade NAT, so
 * only sign-in is keyed by address, and generously; once a fan is signed in, their own id is the
 * key. `RATE_LIMIT = "off"` disables them all, for local load tests only.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "./errors";

type Limiter = "SIGN_IN_LIMITER" | "TICKET_LIMITER" | "SHOW_CALL_LIMITER";

/**
 * Each binding's `period` in wrangler.toml: the binding counts in fixed windows of that length and
 * does not say when the current one ends, so a client told to wait one period is never early.
 */
const PERIOD_SECONDS: Record<Limiter, number> = { SIGN_IN_LIMITER: 60, TICKET_LIMITER: 10, SHOW_CALL_LIMITER: 10 };

const WHAT: Record<Limiter, string> = {
  SIGN_IN_LIMITER: "too many sign-ins from this address",
  TICKET_LIMITER: "too many ticket requests from this fan",
  SHOW_CALL_LIMITER: "too many calls to this show from this fan",
};

export function rateLimitEnabled(env: Env): boolean {
  // Anything but an explicit "off" keeps the limits on.
  return (env.RATE_LIMIT as string) !== "off";
}

/**
 * Count one call against `limiter` under `key`: undefined while within the limit, else the seconds
 * to wait. No key (a request without a client address: a service binding, never a fan behind
 * Cloudflare) is not counted.
 */
export async function overLimit(env: Env, limiter: Limiter, key: string | undefined): Promise<number | undefined> {
  if (key === undefined || !rateLimitEnabled(env)) return undefined;
  const { success } = await env[limiter].limit({ key });
  return success ? undefined : PERIOD_SECONDS[limiter];
}

/** The API's limit: past it, `429 RATE_LIMITED` with `Retry-After`. */
export function rateLimit<E extends { Bindings: Env }>(
  limiter: Limiter,
  keyOf: (c: Context<E>) => string | undefined,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const seconds = await overLimit(c.env, limiter, keyOf(c));
    if (seconds !== undefined) {
      throw new ApiError("RATE_LIMITED", `${WHAT[limiter]}; try again in ${seconds} seconds`, {
        "retry-after": String(seconds),
      });
    }
    await next();
  };
}

/** Calls that reach a show's object count against the fan, whatever address they come from. */
export const perFan = <E extends { Bindings: Env; Variables: { fan: { id: string } } }>(
  limiter: "TICKET_LIMITER" | "SHOW_CALL_LIMITER",
) => rateLimit<E>(limiter, (c) => c.var.fan.id);

/** The client's address as Cloudflare reports it. */
export const clientAddress = (c: Context) => c.req.header("cf-connecting-ip");
