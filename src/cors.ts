/**
 * Who may call the API from a browser on another origin. The fans' page is served by this Worker,
 * so it never needs CORS. Outside web clients may read the public catalogue (no credentials);
 * nothing else is shared with them. A browser on another origin may not write at all: unsafe
 * methods whose `Origin` is not ours are refused before anything runs, whatever credentials they
 * carry (defence in depth beside SameSite=Lax cookies and JSON-only bodies). Clients that are not
 * browsers send no `Origin` and are not affected.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { ApiError } from "./errors";

/** `GET /api/shows`, `GET /api/shows/:showId`, `GET /api/health`: readable from any origin. */
export const publicRead = cors({ origin: "*", allowMethods: ["GET", "HEAD"], maxAge: 86_400 });

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const sameOriginWrites: MiddlewareHandler = async (c, next) => {
  const origin = c.req.header("origin");
  if (origin !== undefined && !SAFE_METHODS.has(c.req.method) && origin !== new URL(c.req.url).origin) {
    throw new ApiError("FORBIDDEN", `cross-origin writes are not allowed (Origin: ${origin.slice(0, 100)})`);
  }
  await next();
};
