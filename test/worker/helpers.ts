import { env, exports } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { database } from "../../src/db/database";
import { payments, tickets } from "../../src/db/schema";
import { SHARED_TTL_MS, setSharedClock } from "../../src/edge/shared-cache";
import type { FanState } from "../../src/show/types";

export const ADMIN = "test-admin-token";

export interface CallOptions {
  body?: unknown;
  token?: string;
  admin?: boolean;
  headers?: Record<string, string>;
}

/** One request through the Worker's own fetch, as a client would send it. */
export async function call(method: string, path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] ??= "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.admin) headers.authorization = `Bearer ${ADMIN}`;
  const res = await exports.default.fetch(`http://catraca.test${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test responses are checked field by field
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers, text };
}

export interface SectorSpec {
  name: string;
  capacity: number;
  priceCents: number;
  meiaShare?: number;
}

/** An ISO time `days` from now: shows are created for future dates only. */
export function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

export interface ShowSpec {
  sectors?: SectorSpec[];
  startsAt?: string;
  holdSeconds?: number;
  maxTicketsPerUser?: number;
  salesOpenAt?: string;
  /** The fair opening (#14): a pre-queue from here, drawn at `salesOpenAt`. */
  prequeueOpensAt?: string;
  /** Waiting-room lanes (src/lanes/); the API's default is 1. */
  lanes?: number;
}

/** A fresh band and show for one test. */
export async function createShow(spec: ShowSpec = {}) {
  const band = await call("POST", "/api/admin/bands", {
    admin: true,
    body: { name: `Banda ${crypto.randomUUID().slice(0, 6)}`, genre: "MPB" },
  });
  if (band.status !== 201) throw new Error(`band: ${band.status} ${band.text}`);
  const show = await call("POST", "/api/admin/shows", {
    admin: true,
    body: {
      bandId: band.json.band.id,
      festival: "Festival de Teste",
      address: "Av. Paulista, 1000 - São Paulo",
      startsAt: spec.startsAt ?? inDays(90),
      sectors: spec.sectors ?? [{ name: "Pista", capacity: 10, priceCents: 15000, meiaShare: 0 }],
      ...(spec.holdSeconds !== undefined && { holdSeconds: spec.holdSeconds }),
      ...(spec.maxTicketsPerUser !== undefined && { maxTicketsPerUser: spec.maxTicketsPerUser }),
      ...(spec.salesOpenAt !== undefined && { salesOpenAt: spec.salesOpenAt }),
      ...(spec.prequeueOpensAt !== undefined && { prequeueOpensAt: spec.prequeueOpensAt }),
      ...(spec.lanes !== undefined && { lanes: spec.lanes }),
    },
  });
  if (show.status !== 201) throw new Error(`show: ${show.status} ${show.text}`);
  return show.json.show as {
    id: string;
    salesOpenAt: string;
    prequeueOpensAt: string | null;
    drawCommitment: string | null;
    sectors: { name: string; priceCents: number; meiaPriceCents: number }[];
  };
}

export interface TestFan {
  id: string;
  token: string;
  name: string;
}

/** A fan signed in the way fans sign in: a code mailed to a fresh address, read from the dev outbox. */
export async function signIn(name = `Fã ${crypto.randomUUID().slice(0, 8)}`): Promise<TestFan> {
  const email = `${crypto.randomUUID()}@example.com`;
  const { challenge } = await askCode(name, email);
  const res = await call("POST", "/api/sessions/verify", { body: { challenge, code: await mailedCode(email) } });
  if (res.status !== 201) throw new Error(`sign-in: ${res.status} ${res.text}`);
  return { id: res.json.user.id, token: res.json.token, name };
}

/** `POST /api/sessions`: the challenge of a code mailed to `email`. */
export async function askCode(name: string, email: string, headers: Record<string, string> = {}) {
  const res = await call("POST", "/api/sessions", { body: { name, email }, headers });
  if (res.status !== 202) throw new Error(`sign-in code: ${res.status} ${res.text}`);
  return res.json as { challenge: string; expiresAt: string };
}

/** The mails the dev outbox holds for `email`, newest last. */
export async function outbox(email: string) {
  const res = await call("GET", `/dev/outbox?email=${encodeURIComponent(email)}`);
  if (res.status !== 200) throw new Error(`outbox: ${res.status} ${res.text}`);
  return res.json.messages as { to: string; subject: string; text: string; html: string; sentAt: string }[];
}

/** The code of the latest mail to `email`. */
export async function mailedCode(email: string): Promise<string> {
  const latest = (await outbox(email)).at(-1);
  const code = latest && /\b(\d{6})\b/.exec(latest.text)?.[1];
  if (!code) throw new Error(`no sign-in code mailed to ${email}`);
  return code;
}

/** The challenge the page's code form carries back (`<input name="challenge">`). */
export function challengeIn(html: string): string {
  const found = /name="challenge" value="([^"]+)"/.exec(html)?.[1];
  if (!found) throw new Error("no challenge in the page");
  return found;
}

/** `n` fans, signed in at once (each through its own code and its own account object), in order. */
export async function signInMany(n: number): Promise<TestFan[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => signIn(`Fã ${i}`)));
}

export async function requestTicket(showId: string, fan: TestFan, sector = "Pista", meia = false) {
  return call("PATCH", `/${showId}/ingresso/request`, { token: fan.token, body: { sector, meia } });
}

export async function state(showId: string, fan: TestFan): Promise<FanState> {
  const res = await call("GET", `/${showId}/ingresso`, { token: fan.token });
  if (res.status !== 200) throw new Error(`state: ${res.status} ${res.text}`);
  return res.json;
}

/** Pay for the held ticket through the sandbox and book it. */
export async function payAndBook(showId: string, fan: TestFan, ticketId: string) {
  const created = await call("POST", "/api/payments", { token: fan.token, body: { showId, ticketId } });
  if (created.status !== 201) throw new Error(`payment: ${created.status} ${created.text}`);
  const paymentId = created.json.payment.id as string;
  const approved = await call("POST", `/api/payments/${paymentId}/sandbox/approve`, { token: fan.token });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);
  const booked = await call("PATCH", `/${showId}/ingresso/book`, { token: fan.token, body: { ticketId, paymentId } });
  return { paymentId, booked };
}

let sharedClockAhead = 0;

/**
 * Every answer the shared cache holds (src/edge/shared-cache.ts) is past its TTL from now on: its
 * clock moves one TTL ahead of the real time, for the rest of the file, instead of waiting.
 */
export function expireSharedAnswers(): void {
  sharedClockAhead += SHARED_TTL_MS;
  const ahead = sharedClockAhead;
  setSharedClock(() => Date.now() + ahead);
}

export function showStub(showId: string) {
  return env.SHOWS.getByName(showId);
}

/**
 * The cron's poke of a show (its safety net): holds past their time end, and with lanes every lane
 * gets what it is owed now, the view included. A test calls it before reading positions of a show
 * with lanes, which otherwise reach the lanes within a second or two.
 */
export async function settled(showId: string): Promise<void> {
  await showStub(showId).poke(showId);
}

/** Ticket rows of a show straight from D1, the record, in seat order within each class. */
export function ticketRows(showId: string) {
  return database(env.DB)
    .select({
      id: tickets.id,
      sector: tickets.sector,
      meia: tickets.meia,
      priceCents: tickets.priceCents,
      status: tickets.status,
      userId: tickets.userId,
      holdExpiresAt: tickets.holdExpiresAt,
      paymentId: tickets.paymentId,
    })
    .from(tickets)
    .where(eq(tickets.showId, showId))
    .orderBy(asc(tickets.sector), asc(tickets.meia), asc(tickets.number));
}

/** Payments of a show straight from D1, oldest first. */
export function paymentRows(showId: string) {
  return database(env.DB)
    .select({
      id: payments.id,
      ticketId: payments.ticketId,
      userId: payments.userId,
      amountCents: payments.amountCents,
      status: payments.status,
    })
    .from(payments)
    .where(eq(payments.showId, showId))
    .orderBy(asc(payments.createdAt), asc(payments.id));
}
