/**
 * Security headers on every response the Worker sends: pages, static files, JSON and errors.
 * The page is built for this policy: no inline script or style, no `style="…"` attributes (the
 * client sets `el.style.x` through the CSSOM, which CSP allows), the QR code as DOM-built SVG.
 */
import type { MiddlewareHandler } from "hono";

const policy = (scriptSrc: string) =>
  [
    "default-src 'self'",
    `script-src ${scriptSrc}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

export const CONTENT_SECURITY_POLICY = policy("'self'");

/**
 * The door page alone may compile WebAssembly: the QR decoder for browsers without a native
 * `BarcodeDetector` is ZXing built to wasm (served from `public/vendor/`, never a CDN). Still no
 * inline or foreign script.
 */
export const DOOR_CONTENT_SECURITY_POLICY = policy("'self' 'wasm-unsafe-eval'");

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
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    // A page that needs its own policy (the door's) sets it; every other response gets the default.
    if (name === "Content-Security-Policy" && c.res.headers.get(name) === DOOR_CONTENT_SECURITY_POLICY) continue;
    res.headers.set(name, value);
  }
  c.res = undefined;
  c.res = res;
};
