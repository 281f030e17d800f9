import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { csv, PACE_WINDOW_MS, sellOutSeconds } from "../console/figures";
import type { DashboardView } from "../console/view";
import { decodeCursor } from "../db/cursor";
import {
  bookedPerMinute,
  listBands,
  markRefundedByHand,
  queueSeries,
  SERIES_WINDOW_MS,
  salesTotals,
  sampleQueue,
} from "../db/dashboard";
import { database } from "../db/database";
import {
  checkinsByGate,
  conflicts,
  createCredential,
  credentialView,
  doorTickets,
  listCredentials,
  revokeCredential,
} from "../db/door";
import { classStats, getShow, listShows, refundsDue } from "../db/queries";
import { ApiError } from "../errors";
import { showWaiting } from "../lanes/route";
import { requireOrganizer } from "../organizer";
import { isLang, LANG_COOKIE, negotiateLang } from "../page/i18n";
import { organizerMessages } from "../page/i18n-organizers";
import { catalogueQuery, credentialBody } from "../schemas";
import { validate } from "../validate";

/** A door link lasts until a day after its show starts, never longer. */
const DOOR_GRACE_MS = 24 * 3600_000;

/** The door page's address for a credential: the token rides in the fragment, never sent to a server. */
export const doorLink = (origin: string, token: string) => `${origin}/portaria#acesso=${token}`;

async function showOr404(db: ReturnType<typeof database>, showId: string) {
  const show = await getShow(db, showId);
  if (!show) throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
  return show;
}

/**
 * The console's API beside the organizers' contract endpoints (`admin.ts`): every show and band,
 * a show's live dashboard, door credentials, refunds paid back, the attendees' CSV.
 */
export const consoleApi = new Hono<{ Bindings: Env }>()
  .use(requireOrganizer)
  .get("/shows", validate("query", catalogueQuery), async (c) => {
    const { cursor: text } = c.req.valid("query");
    const cursor = text === undefined ? undefined : decodeCursor(text);
    if (text !== undefined && !cursor) throw new ApiError("BAD_REQUEST", "cursor: not a cursor this console gave");
    return c.json(await listShows(database(c.env.DB), { now: Date.now(), cursor, past: true }));
  })
  .get("/bands", async (c) => c.json({ bands: await listBands(database(c.env.DB)) }))
  .get("/shows/:showId/dashboard", async (c) => {
    const db = database(c.env.DB);
    const show = await showOr404(db, c.req.param("showId"));
    const now = Date.now();
    const [classes, waitingNow, totals, refunds, gates, doubled, doors] = await Promise.all([
      classStats(db, show.id),
      showWaiting(c.env, show),
      salesTotals(db, show.id, now, PACE_WINDOW_MS),
      refundsDue(db, show.id),
      checkinsByGate(db, show.id),
      conflicts(db, show.id),
      listCredentials(db, show.id),
    ]);
    const { waiting, byClass: waitingByClass } = waitingNow;
    await sampleQueue(c.env.DB, show.id, now, waiting);
    const since = now - SERIES_WINDOW_MS;
    const [perMinute, queue] = await Promise.all([
      bookedPerMinute(db, show.id, since),
      queueSeries(db, show.id, since),
    ]);
    const rows = classes.map((k) => ({
      sector: k.name,
      meia: k.meia,
      available: k.available,
      held: k.inProgress,
      booked: k.booked,
      waiting: waitingByClass.find((w) => w.sector === k.name && w.meia === k.meia)?.waiting ?? 0,
    }));
    const unbooked = rows.reduce((n, r) => n + r.available + r.held, 0);
    c.header("cache-control", "no-store");
    return c.json<DashboardView>({
      show,
      now: new Date(now).toISOString(),
      classes: rows,
      waiting,
      booked: totals.booked,
      revenueCents: totals.revenueCents,
      sellOutSeconds: sellOutSeconds(unbooked, totals.recent),
      series: { bookedPerMinute: perMinute, queue },
      // Owed back still; what the provider or the organizer already gave back is not on the list.
      refunds: refunds.filter((r) => r.status === "REFUND_DUE"),
      checkins: { total: gates.reduce((n, g) => n + g.checkedIn, 0), byGate: gates, conflicts: doubled },
      doors: doors.map((d) => credentialView(d, now)),
    });
  })
  .post("/shows/:showId/doors", validate("json", credentialBody), async (c) => {
    const db = database(c.env.DB);
    const show = await showOr404(db, c.req.param("showId"));
    const { label, expiresAt } = c.req.valid("json");
    const latest = Date.parse(show.startsAt) + DOOR_GRACE_MS;
    if (expiresAt !== undefined && (expiresAt > latest || expiresAt <= Date.now())) {
      throw new ApiError("BAD_REQUEST", "expiresAt: must be in the future and at most a day after the show starts");
    }
    const { row, token } = await createCredential(db, { showId: show.id, label, expiresAt: expiresAt ?? latest });
    return c.json(
      { door: credentialView(row, Date.now()), token, link: doorLink(new URL(c.req.url).origin, token) },
      201,
    );
  })
  .post("/shows/:showId/doors/:doorId/revoke", async (c) => {
    const row = await revokeCredential(database(c.env.DB), c.req.param("showId"), c.req.param("doorId"), Date.now());
    if (!row) throw new ApiError("CREDENTIAL_NOT_FOUND", "no door link with this id for this show");
    return c.json({ door: credentialView(row, Date.now()) });
  })
  .post("/shows/:showId/refunds/:paymentId/refunded", async (c) => {
    const payment = await markRefundedByHand(
      database(c.env.DB),
      c.req.param("showId"),
      c.req.param("paymentId"),
      Date.now(),
    );
    if (!payment) throw new ApiError("PAYMENT_NOT_FOUND", "no payment with this id for this show");
    if (payment.status !== "REFUNDED") {
      throw new ApiError("REFUND_NOT_DUE", `this payment is ${payment.status}, not owed back`);
    }
    return c.json({ payment });
  })
  .get("/shows/:showId/attendees.csv", async (c) => {
    const db = database(c.env.DB);
    const show = await showOr404(db, c.req.param("showId"));
    const cookieLang = getCookie(c, LANG_COOKIE);
    const t = organizerMessages(isLang(cookieLang) ? cookieLang : negotiateLang(c.req.header("accept-language")));
    // The gate's list of who may get in, by name: the same rows the doors download.
    const people = (await doorTickets(db, show.id)).sort((a, b) =>
      a.holder === b.holder ? (a.id < b.id ? -1 : 1) : a.holder < b.holder ? -1 : 1,
    );
    const body = csv([
      [t.csvName, t.csvSector, t.csvMeia, t.csvCheckedIn, t.csvGate, t.csvTicket],
      ...people.map((p) => [p.holder, p.sector, p.meia ? t.csvYes : t.csvNo, p.checkedInAt ?? "", p.gate ?? "", p.id]),
    ]);
    return c.body(body, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="attendees-${show.id}.csv"`,
      "cache-control": "no-store",
    });
  });
