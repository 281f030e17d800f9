/**
 * Who may run the sale and the door, beside fans (`auth.ts`):
 * - the organizer: the admin token as a bearer (scripts), or the console's session cookie, got
 *   once for the token (`POST /organizador/entrar`) so the browser never keeps the token;
 * - a gate phone: a door credential for one show (`door/credentials.ts`), as a bearer or as the
 *   door's cookie, allowed to check tickets in and nothing else.
 * Both cookies are HttpOnly and SameSite=Strict, and a write they authenticate must also carry our
 * own `Origin`: a page on another site can neither send them nor forge the header.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sign, verify } from "hono/jwt";
import { sameSecret, verifySession } from "./auth";
import { database } from "./db/database";
import { type DoorCredential, findCredential } from "./db/door";
import { ApiError } from "./errors";

export const ORGANIZER_COOKIE = "catraca_org";
export const DOOR_COOKIE = "catraca_door";
const ORGANIZER_HOURS = 12;
const ALG = "HS256";

/** Organizer sessions are signed under their own key, so no fan's session can pass for one (or back). */
function organizerKey(env: Env): string {
  if (!env.SESSION_SECRET || env.SESSION_SECRET.length < 16) {
    throw new Error("SESSION_SECRET is not set (or shorter than 16 characters): add it to .dev.vars");
  }
  return `organizer:${env.SESSION_SECRET}`;
}

const secureCookie = (c: Context) => new URL(c.req.url).protocol === "https:";

/** Whether this is the admin token (constant time). */
export async function isAdminToken(env: Env, token: string): Promise<boolean> {
  return Boolean(env.ADMIN_TOKEN) && (await sameSecret(token, env.ADMIN_TOKEN));
}

export async function issueOrganizerSession<E extends { Bindings: Env }>(c: Context<E>): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const token = await sign(
    { sub: "organizer", role: "organizer", iat: now, exp: now + ORGANIZER_HOURS * 3600 },
    organizerKey(c.env),
    ALG,
  );
  setCookie(c, ORGANIZER_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: secureCookie(c),
    maxAge: ORGANIZER_HOURS * 3600,
  });
}

export function endOrganizerSession(c: Context): void {
  deleteCookie(c, ORGANIZER_COOKIE, { path: "/" });
}

export async function hasOrganizerSession<E extends { Bindings: Env }>(c: Context<E>): Promise<boolean> {
  const token = getCookie(c, ORGANIZER_COOKIE);
  if (!token) return false;
  try {
    const payload = await verify(token, organizerKey(c.env), ALG);
    return payload.role === "organizer";
  } catch {
    return false;
  }
}

export function setDoorCookie(c: Context, token: string, expiresAt: number): void {
  setCookie(c, DOOR_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: secureCookie(c),
    expires: new Date(expiresAt),
  });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A write authenticated by a cookie must come from our own page: `Origin` present and ours. */
function requireOwnOrigin(c: Context): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (origin !== new URL(c.req.url).origin) {
    throw new ApiError(
      "FORBIDDEN",
      "a write with the console's or the door's cookie must come from this site's own pages",
    );
  }
}

function bearer(c: Context): string | undefined {
  const header = c.req.header("authorization");
  return header ? (/^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "") : undefined;
}

/** Organizer endpoints (`/api/admin/*`): the admin token, or the console's session cookie. */
export const requireOrganizer: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const token = bearer(c);
  if (token !== undefined) {
    if (!(await isAdminToken(c.env, token)))
      throw new ApiError("UNAUTHORIZED", "an organizer's admin token is required");
  } else if (await hasOrganizerSession(c)) {
    requireOwnOrigin(c);
  } else {
    throw new ApiError("UNAUTHORIZED", "an organizer's admin token (or the console's session) is required");
  }
  await next();
};

/** Who is at the door: the organizer (any show), or a gate with a credential for one show. */
export type DoorAgent = { kind: "organizer" } | { kind: "gate"; credential: DoorCredential };

export type DoorVariables = { door: DoorAgent };

async function gateOf(env: Env, token: string): Promise<DoorCredential> {
  const found = await findCredential(database(env.DB), token, Date.now());
  if (found.ok) return found.credential;
  throw new ApiError(
    "UNAUTHORIZED",
    found.reason === "revoked"
      ? "this door link was revoked by the organizer"
      : found.reason === "expired"
        ? "this door link has expired (door links end after their show)"
        : "not a door link of this site",
  );
}

/**
 * The door's endpoints (check-in, the gate's ticket list, sync): a door credential (bearer or
 * cookie), the admin token, or the console's session. A fan's session is refused with 403: it is
 * valid, it just may not do this.
 */
export const requireDoor: MiddlewareHandler<{ Bindings: Env; Variables: DoorVariables }> = async (c, next) => {
  const token = bearer(c);
  if (token !== undefined) {
    if (await isAdminToken(c.env, token)) c.set("door", { kind: "organizer" });
    else if (await verifySession(c.env, token)) {
      throw new ApiError("FORBIDDEN", "a fan's session cannot check tickets in: use a door link from the organizer");
    } else c.set("door", { kind: "gate", credential: await gateOf(c.env, token) });
  } else {
    const doorCookie = getCookie(c, DOOR_COOKIE);
    if (doorCookie) {
      requireOwnOrigin(c);
      c.set("door", { kind: "gate", credential: await gateOf(c.env, doorCookie) });
    } else if (await hasOrganizerSession(c)) {
      requireOwnOrigin(c);
      c.set("door", { kind: "organizer" });
    } else {
      throw new ApiError("UNAUTHORIZED", "a door link (or the organizer's token) is required to check tickets in");
    }
  }
  await next();
};
