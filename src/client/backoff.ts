/** Reconnect delays: exponential from 1 s to 30 s, with jitter so a server restart is not stampeded. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * After the server said "come back later" (429 RATE_LIMITED, 503 UNAVAILABLE): never sooner than
 * its Retry-After, and longer each time it says so again, with jitter, so that the fans of a busy
 * show do not all come back at the same second.
 */
export function busyDelay(retryAfterSeconds: number | undefined, attempt: number, random = Math.random): number {
  const floor = Math.round((retryAfterSeconds ?? 0) * 1000 * (1 + random() / 2));
  return Math.max(floor, backoffDelay(attempt, random));
}
