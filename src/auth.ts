/** Fans' sessions (signed JWTs carrying a session version) and the organizers' admin token. */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { sign, verify } from "hono/jwt";
import { ACCOUNT_KEY, accountObject } from "./accounts/identity";
import { RevocationCache, revocationList } from "./accounts/revocations";
import { ApiError } from "./errors";

export const SESSION_COOKIE = "catraca_session";
/** A session lasts 30 days on its device, unless the fan signs out everywhere before. */
export const SESSION_DAYS = 30;
const ALG = "HS256";

export interface Fan {
  id: string;
  name: string;
  /** The account object's key (`accountKey` of the email). */
  account: string;
}

export type FanVariables = { fan: Fan };

/** What a session is issued for: the fan, and the account's session version at sign-in. */
export interface SessionGrant extends Fan {
  version: number;
}

export function sessionSecret(env: Pick<Env, "SESSION_SECRET">): string {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < 16) {
    // A missing secret must never let anybody in; say how to fix it.
    throw new Error(
      "SESSION_SECRET is not set (or shorter than 16 characters): add it to .dev.vars or `wrangler secret put SESSION_SECRET`",
    );
  }
  return secret;
}

/** Per isolate: its copy of the revocation list ("sign out everywhere"). */
export const revocations = new RevocationCache();

export async function issueSession<E extends { Bindings: Env }>(c: Context<E>, grant: SessionGrant): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const token = await sign(
    {
      sub: grant.id,
      name: grant.name,
      acc: grant.account,
      sv: grant.version,
      iat: now,
      exp: now + SESSION_DAYS * 86_400,
    },
    sessionSecret(c.env),
    ALG,
  );
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: SESSION_DAYS * 86_400,
  });
  return token;
}

/** The token from `Authorization: Bearer`, the session cookie, or (for WebSockets) `?token=`. */
function presentedToken(c: Context, allowQuery: boolean): string | undefined {
  const header = c.req.header("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  return getCookie(c, SESSION_COOKIE) ?? (allowQuery ? c.req.query("token") : undefined);
}

/** The fan of a valid, unexpired session that no "sign out everywhere" ended; undefined otherwise. */
export async function verifySession(env: Env, token: string): Promise<Fan | undefined> {
  let payload: Awaited<ReturnType<typeof verify>>;
  try {
    // `verify` with an explicit algorithm refuses `alg: none` and any other algorithm.
    payload = await verify(token, sessionSecret(env), ALG);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("SESSION_SECRET")) throw err;
    return undefined;
  }
  const { sub, name, acc, sv } = payload;
  if (typeof sub !== "string" || sub.length === 0) return undefined;
  if (typeof acc !== "string" || !ACCOUNT_KEY.test(acc) || typeof sv !== "number") return undefined;
  const oldestValid = await revocations.minVersion(acc, (cursor) => revocationList(env).changesSince(cursor));
  if (sv < oldestValid) return undefined;
  return { id: sub, name: typeof name === "string" ? name : "", account: acc };
}

/** The fan of the request's session (bearer or cookie), if any: `requireFan` without the 401. */
export async function requestFan(c: Context, opts: { allowQueryToken?: boolean } = {}): Promise<Fan | undefined> {
  const token = presentedToken(c, opts.allowQueryToken ?? false);
  return token ? verifySession(c.env as Env, token) : undefined;
}

/** End every session of the account issued so far: on every device, within 10 s everywhere. */
export async function signOutEverywhere(env: Env, account: string): Promise<void> {
  const version = await accountObject(env, account).signOutEverywhere();
  revocations.note({ account, version });
}

/** Fan endpoints: a valid session or `401 UNAUTHORIZED`. */
export function requireFan(opts: { allowQueryToken?: boolean } = {}): MiddlewareHandler<{
  Bindings: Env;
  Variables: FanVariables;
}> {
  return async (c, next) => {
    const fan = await requestFan(c, opts);
    if (!fan) throw new ApiError("UNAUTHORIZED", "sign in first: a valid session token is required");
    c.set("fan", fan);
    await next();
  };
}

/** Constant-time comparison: hash both sides so lengths match, then `timingSafeEqual`. */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** Admin endpoints: `Authorization: Bearer <ADMIN_TOKEN>` or `401 UNAUTHORIZED`. */
export const requireAdmin: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const ok = Boolean(expected) && match?.[1] !== undefined && (await sameSecret(match[1], expected));
  if (!ok) throw new ApiError("UNAUTHORIZED", "an organizer's admin token is required");
  await next();
};
