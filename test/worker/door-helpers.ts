/** The door's and the console's test tools: a booked ticket's code, door links, the organizer's cookie. */
import { exports } from "cloudflare:workers";
import { call, createShow, payAndBook, requestTicket, type ShowSpec, signIn, type TestFan } from "./helpers";

export const ORIGIN = "http://catraca.test";

/** A fresh show and a fan who booked one of its tickets, with the ticket's code (as in the QR). */
export async function bookedTicket(spec: ShowSpec = {}, opts: { fan?: TestFan; showId?: string; meia?: boolean } = {}) {
  const show = opts.showId ? { id: opts.showId } : await createShow(spec);
  const fan = opts.fan ?? (await signIn());
  const sector = spec.sectors?.[0]?.name ?? "Pista";
  const held = await requestTicket(show.id, fan, sector, opts.meia ?? false);
  if (held.status !== 200) throw new Error(`hold: ${held.status} ${held.text}`);
  const ticketId = held.json.ticket.id as string;
  await payAndBook(show.id, fan, ticketId);
  const mine = await call("GET", `/api/tickets/${ticketId}`, { token: fan.token });
  if (mine.status !== 200) throw new Error(`ticket: ${mine.status} ${mine.text}`);
  return { showId: show.id, fan, ticketId, code: mine.json.code as string };
}

/** A door link for a show, as the organizer creates it in the console; its bearer token. */
export async function doorToken(showId: string, label = "Portão 1", expiresAt?: string) {
  const res = await call("POST", `/api/console/shows/${showId}/doors`, {
    admin: true,
    body: { label, ...(expiresAt && { expiresAt }) },
  });
  if (res.status !== 201) throw new Error(`door link: ${res.status} ${res.text}`);
  return { token: res.json.token as string, id: res.json.door.id as string, link: res.json.link as string };
}

export function checkin(body: unknown, auth: { token?: string; admin?: boolean; headers?: Record<string, string> }) {
  return call("POST", "/api/tickets/checkin", { body, ...auth });
}

/** A browser's request for a page or a form post: redirects not followed. */
export async function browse(
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) {
  const res = await exports.default.fetch(`${ORIGIN}${path}`, { method, ...init, redirect: "manual" });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The sign-in form of the console, posted from our own page. */
export const signInToConsole = (token: string, origin = ORIGIN) =>
  browse("POST", "/organizador/entrar", {
    body: new URLSearchParams({ token, voltar: "/organizador" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
  });

/** The console's session cookie, got once for the admin token through the sign-in form. */
export async function organizerCookie(token = "test-admin-token"): Promise<string> {
  const res = await signInToConsole(token);
  const cookie = /catraca_org=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (res.status !== 303 || !cookie) throw new Error(`console sign-in: ${res.status} ${res.text}`);
  return `catraca_org=${cookie}`;
}
