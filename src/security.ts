/**
 * Security headers on every response the Worker sends: pages, static files, JSON and errors.
 * The page is built for this policy: no inline script or style, no `style="…"` attributes (the
 * client sets `el.style.x` through the CSSOM, which CSP allows), the QR code as DOM-built SVG.
 */
import type { MiddlewareHandler } from "hono";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
};

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // A WebSocket upgrade carries no document; its response cannot be rebuilt without the socket.
  if (c.res.status === 101) return;
  // Responses from a binding (static assets, the show object) have immutable headers: copy first.
  const res = new Response(c.res.body, c.res);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.headers.set(name, value);
  c.res = undefined;
  c.res = res;
};
