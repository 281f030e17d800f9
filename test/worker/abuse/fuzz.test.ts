/**
 * Every endpoint fuzzed with hostile input through the Worker's fetch: bad or forged credentials
 * (missing, garbage, `alg: none`, expired, signed with another secret, tampered, the admin token
 * where a fan's is expected and the other way round), bodies the endpoint must refuse (wrong types,
 * unicode, SQL and HTML injection strings, negative and huge numbers, broken JSON, other content
 * types, oversized), hostile path segments and query strings, another fan's ticket and payment.
 *
 * The answer is never a 5xx; an error has the contract's shape and the status its code maps to;
 * and nothing changes: D1's rows and every fixture fan's state are the same before and after.
 * Rate limits are switched off here (RATE_LIMIT=off) so that every request reaches its handler;
 * test/worker/abuse/rate-limit.test.ts covers them.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { fromHex } from "../../../src/accounts/bytes";
import { ERROR_STATUS } from "../../../src/errors";
import { app } from "../../../src/index";
import { bandBody, credentialBody, sessionBody, showBody, syncBody } from "../../../src/schemas";
import {
  ADMIN,
  askCode,
  call,
  createShow,
  mailedCode,
  payAndBook,
  requestTicket,
  showStub,
  signIn,
  type TestFan,
} from "../helpers";

const SECRET = "test-session-secret-0123456789abcdef";
/** A URL component: a lone surrogate cannot travel in a URL (its UTF-8 does not exist), so it becomes U+FFFD. */
const uri = (s: string) => encodeURIComponent(s.toWellFormed());
/** A start date the schema accepts. */
const SOON = new Date(Date.now() + 30 * 86_400_000).toISOString();
const RUNS_PER_ENDPOINT = 60;

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE tickets; --",
  '" OR 1=1 --',
  "1; UPDATE tickets SET status='BOOKED'",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "../../etc/passwd",
  "..%2f..%2f",
  "\u0000",
  "\u202eRTL",
  "🎟️🎫👩🏽‍🎤",
  "São João ção",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  "${7*7}{{7*7}}",
  "__proto__",
  "constructor",
  "null",
  "NaN",
  "-1",
  "1e309",
  " ",
  "",
  "A".repeat(3000),
  // Names that look like others or hide something (#17): lone surrogates, controls, zero-width and
  // format characters, decomposed accents, case and spacing variants.
  "a\ud800",
  "\udc00",
  "Pista\u200b",
  "Pi\u200dsta",
  "\ufeffPista",
  "Pis\u00adta",
  "Pista\u2060",
  "Pista\u0007",
  "Pista\tPremium",
  "Cafe\u0301",
  "pista",
  "  Pista  ",
  "Pista  Premium",
];

/** Pairs of sector names that are one name (#17): a show may not have both. */
const LOOKALIKES = [
  ["Pista", "pista"],
  ["Café", "Cafe\u0301"],
  ["Pista", "Pista "],
  ["Pista Premium", "Pista  Premium"],
  ["Straße", "STRASSE"],
] as const;

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 100_001, 3601),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
/** Any JSON value of a possibly wrong type. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

interface Fixture {
  showId: string;
  /** A sign-in challenge for a fresh email, and a code that is not its code. */
  challenge: string;
  wrongCode: string;
  /** A passkey sign-in's sealed state, and the attacker's user handle. */
  passkeyState: string;
  attackerHandle: string;
  bandId: string;
  attacker: TestFan;
  victim: TestFan;
  victimTicket: string;
  victimPayment: string;
  booker: TestFan;
  bookedTicket: string;
  bookerPayment: string;
}

/** A show where one fan holds a ticket with an approved payment, one has booked, and the attacker has nothing. */
async function fixture(): Promise<Fixture> {
  const show = await createShow({
    sectors: [
      { name: "Pista", capacity: 3, priceCents: 10_000, meiaShare: 0 },
      { name: "Camarote", capacity: 1, priceCents: 40_000, meiaShare: 0 },
    ],
  });
  const [attacker, victim, booker] = [await signIn(), await signIn(), await signIn()];
  const held = await requestTicket(show.id, victim);
  const victimTicket = held.json.ticket.id as string;
  const pay = await call("POST", "/api/payments", {
    token: victim.token,
    body: { showId: show.id, ticketId: victimTicket },
  });
  await call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: victim.token });
  const bookerHold = await requestTicket(show.id, booker, "Camarote");
  const { paymentId: bookerPayment } = await payAndBook(show.id, booker, bookerHold.json.ticket.id);
  // The attacker once held a ticket and gave it back.
  await requestTicket(show.id, attacker);
  await call("PATCH", `/${show.id}/ingresso/cancel`, { token: attacker.token });
  const band = await call("POST", "/api/admin/bands", { admin: true, body: { name: "Banda Real", genre: "MPB" } });
  const email = `fuzz.${crypto.randomUUID()}@example.com`;
  const { challenge } = await askCode("Fuzz", email);
  const code = await mailedCode(email);
  const passkey = await call("POST", "/api/sessions/passkey/options");
  return {
    showId: show.id,
    bandId: band.json.band.id,
    challenge,
    wrongCode: code === "000000" ? "111111" : "000000",
    passkeyState: passkey.json.state,
    attackerHandle: b64url(String.fromCharCode(...(fromHex(accountOf(attacker)) ?? []))),
    attacker,
    victim,
    victimTicket,
    victimPayment: pay.json.payment.id,
    booker,
    bookedTicket: bookerHold.json.ticket.id,
    bookerPayment,
  };
}

/** Everything an error must not change: every table's rows and the fixture fans' states. */
async function world(f: Fixture): Promise<string> {
  const tables = [
    "users",
    "bands",
    "shows",
    "sectors",
    "tickets",
    "payments",
    "checkins",
    "checkin_conflicts",
    "door_credentials",
    "queue_samples",
  ];
  const rows = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`)));
  const stub = showStub(f.showId);
  const fans = [f.attacker, f.victim, f.booker];
  const states = await Promise.all(fans.map((fan) => stub.state(f.showId, fan.id)));
  const accounts = await Promise.all(
    fans.map(async (fan) => {
      const account = env.ACCOUNTS.getByName(accountOf(fan));
      return { passkeys: await account.passkeys(), version: await account.sessionVersion() };
    }),
  );
  return JSON.stringify({ rows: rows.map((r) => r.results), states, accounts, waiting: await stub.waitingByClass() });
}

/** The account key a fan's session carries. */
function accountOf(fan: TestFan): string {
  const payload = fan.token.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/"))).acc;
}

// --- credentials ------------------------------------------------------------------------------

const b64url = (s: string) => btoa(s).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");

type Credential =
  | "missing"
  | "garbage"
  | "garbage-cookie"
  | "alg-none"
  | "expired"
  | "other-secret"
  | "tampered"
  | "wrong-role"
  | "basic";
const CREDENTIALS: Credential[] = [
  "missing",
  "garbage",
  "garbage-cookie",
  "alg-none",
  "expired",
  "other-secret",
  "tampered",
  "wrong-role",
  "basic",
];

/** Headers for a credential the endpoint must refuse. */
async function badCredential(
  kind: Credential,
  role: "fan" | "admin",
  f: Fixture,
  junk: string,
): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const [h, p, s] = f.attacker.token.split(".") as [string, string, string];
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  switch (kind) {
    case "missing":
      return {};
    case "garbage":
      return bearer(uri(junk) || "x");
    case "garbage-cookie":
      return { cookie: `catraca_session=${uri(junk) || "x"}` };
    case "alg-none":
      return bearer(`${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`);
    case "expired":
      return bearer(await sign({ sub: f.attacker.id, iat: now - 120, exp: now - 60 }, SECRET, "HS256"));
    case "other-secret":
      return bearer(await sign({ sub: f.victim.id, exp: now + 60 }, "another-secret-0123456789abcdef", "HS256"));
    case "tampered":
      // The attacker's own signature on the victim's identity.
      return bearer(`${h}.${b64url(JSON.stringify({ sub: f.victim.id, name: "x", exp: now + 60 }))}.${s}`);
    case "wrong-role":
      return bearer(role === "fan" ? ADMIN : f.attacker.token);
    case "basic":
      return { authorization: `Basic ${btoa("admin:admin")}` };
  }
}

// --- endpoints ----------------------------------------------------------------------------------

interface Endpoint {
  name: string;
  method: string;
  role: "fan" | "admin" | "none";
  /** The path, with `seg` where a hostile or foreign id goes. */
  path: (seg: string) => string;
  /** The fixture's own id for `seg` (requests with it and good credentials need a refused body). */
  ownSeg?: (f: Fixture) => string;
  /** Bodies this endpoint must refuse, even with good credentials. */
  badBody?: (f: Fixture) => fc.Arbitrary<unknown>;
  /** A read with no hostile part may succeed (and must still change nothing). */
  mayRead?: boolean;
  /** Good credentials alone would change something (sign out everywhere): only hostile ones are sent. */
  onlyBadCredentials?: boolean;
}

const refusedBy = (schema: { safeParse(v: unknown): { success: boolean } }) => (v: unknown) =>
  !schema.safeParse(v).success;

/** An object shaped like `template` with one field replaced by a hostile value, plus junk fields. */
const corrupted = (template: Record<string, unknown>) =>
  fc
    .tuple(
      fc.constantFrom(...Object.keys(template)),
      hostileValue,
      fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }),
    )
    .map(([key, value, junk]) => ({ ...junk, ...template, [key]: value }));

/** What @simplewebauthn/browser sends around the authenticator's own response. */
const credentialTemplate = { id: "AAAA", rawId: "AAAA", type: "public-key", clientExtensionResults: {} };

const anyBody = fc.oneof(hostileValue, fc.dictionary(hostileString, hostileValue, { maxKeys: 4 }));

const ENDPOINTS: Endpoint[] = [
  {
    name: "POST /api/sessions",
    method: "POST",
    role: "none",
    path: () => "/api/sessions",
    badBody: () =>
      fc.oneof(corrupted({ name: "Ana", email: "ana@example.com" }), anyBody).filter(refusedBy(sessionBody)),
  },
  {
    // No credentials but the provider's signature, which nothing here can make.
    name: "POST /api/payments/webhook/:provider",
    method: "POST",
    role: "none",
    path: (s) => `/api/payments/webhook/${s}`,
    ownSeg: () => "stripe",
    badBody: () => anyBody,
  },
  {
    name: "POST /api/sessions/verify",
    method: "POST",
    role: "none",
    path: () => "/api/sessions/verify",
    badBody: (f) => fc.oneof(corrupted({ challenge: f.challenge, code: f.wrongCode }), anyBody),
  },
  {
    name: "POST /api/sessions/passkey/options",
    method: "POST",
    role: "none",
    path: () => "/api/sessions/passkey/options",
    mayRead: true,
  },
  {
    name: "POST /api/sessions/passkey",
    method: "POST",
    role: "none",
    path: () => "/api/sessions/passkey",
    badBody: (f) =>
      fc.oneof(
        corrupted({
          clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
          authenticatorData: "AAAA",
          signature: "AAAA",
          userHandle: f.attackerHandle,
        }).chain((inner) => corrupted({ state: f.passkeyState, response: { ...credentialTemplate, response: inner } })),
        anyBody,
      ),
  },
  {
    name: "DELETE /api/sessions",
    method: "DELETE",
    role: "fan",
    path: () => "/api/sessions",
    onlyBadCredentials: true,
  },
  { name: "GET /api/passkeys", method: "GET", role: "fan", path: () => "/api/passkeys", mayRead: true },
  {
    name: "POST /api/passkeys/registration/options",
    method: "POST",
    role: "fan",
    path: () => "/api/passkeys/registration/options",
    mayRead: true,
  },
  {
    name: "POST /api/passkeys/registration",
    method: "POST",
    role: "fan",
    path: () => "/api/passkeys/registration",
    badBody: () =>
      fc.oneof(
        corrupted({ clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0", attestationObject: "oWNmbXRkbm9uZQ" }).chain(
          (inner) => corrupted({ state: "x.y", response: { ...credentialTemplate, response: inner } }),
        ),
        anyBody,
      ),
  },
  {
    name: "DELETE /api/passkeys/:passkeyId",
    method: "DELETE",
    role: "fan",
    path: (s) => `/api/passkeys/${s}`,
  },
  { name: "GET /dev/outbox", method: "GET", role: "none", path: (s) => `/dev/outbox?email=${s}`, mayRead: true },
  { name: "GET /api/health", method: "GET", role: "none", path: () => "/api/health", mayRead: true },
  { name: "GET /api/shows", method: "GET", role: "none", path: () => "/api/shows", mayRead: true },
  { name: "GET /api/shows/:showId", method: "GET", role: "none", path: (s) => `/api/shows/${s}` },
  {
    name: "POST /api/admin/bands",
    method: "POST",
    role: "admin",
    path: () => "/api/admin/bands",
    badBody: () => fc.oneof(corrupted({ name: "Banda", genre: "MPB" }), anyBody).filter(refusedBy(bandBody)),
  },
  {
    name: "POST /api/admin/shows",
    method: "POST",
    role: "admin",
    path: () => "/api/admin/shows",
    badBody: (f) =>
      fc
        .oneof(
          corrupted({
            bandId: "band_nope",
            address: "Rua A, 1",
            startsAt: SOON,
            holdSeconds: 60,
            maxTicketsPerUser: 2,
            sectors: [{ name: "Pista", capacity: 10, priceCents: 1000 }],
          }),
          fc.record({
            bandId: fc.constant("band_nope"),
            address: fc.constant("Rua A, 1"),
            startsAt: fc.constant(SOON),
            sectors: fc.array(corrupted({ name: "Pista", capacity: 10, priceCents: 1000, meiaShare: 0.5 }), {
              minLength: 1,
              maxLength: 3,
            }),
          }),
          // A real band, with what the schema must refuse: look-alike sector names, a start in the
          // past, a sale opening after the show.
          fc.record({
            bandId: fc.constant(f.bandId),
            address: fc.constant("Rua A, 1"),
            startsAt: fc.constant(SOON),
            sectors: fc
              .constantFrom(...LOOKALIKES)
              .map(([a, b]) => [a, b].map((name) => ({ name, capacity: 1, priceCents: 1000 }))),
          }),
          fc.record({
            bandId: fc.constant(f.bandId),
            address: fc.constant("Rua A, 1"),
            startsAt: fc.constantFrom("2020-01-01T20:00:00Z", new Date(Date.now() - 1000).toISOString()),
            sectors: fc.constant([{ name: "Pista", capacity: 1, priceCents: 1000 }]),
          }),
          fc.record({
            bandId: fc.constant(f.bandId),
            address: fc.constant("Rua A, 1"),
            startsAt: fc.constant(SOON),
            salesOpenAt: fc.constant(new Date(Date.parse(SOON) + 60_000).toISOString()),
            sectors: fc.constant([{ name: "Pista", capacity: 1, priceCents: 1000 }]),
          }),
          fc.record({
            bandId: fc.constant(f.bandId),
            address: fc.constant("Rua A, 1"),
            startsAt: fc.constant(SOON),
            festival: hostileString.filter(refusedBy(showBody.shape.festival)),
            sectors: fc.constant([{ name: "Pista", capacity: 1, priceCents: 1000 }]),
          }),
          anyBody,
        )
        // Whatever the schema lets through still names a band that does not exist.
        .map((b) => (refusedBy(showBody)(b) ? b : { ...(b as object), bandId: "band_nope" })),
  },
  {
    // Only ids that are not the fixture's show: the fixture must stay on sale.
    name: "POST /api/admin/shows/:showId/archive",
    method: "POST",
    role: "admin",
    path: (s) => `/api/admin/shows/${s}/archive`,
  },
  {
    name: "GET /api/admin/shows/:showId/stats",
    method: "GET",
    role: "admin",
    path: (s) => `/api/admin/shows/${s}/stats`,
  },
  {
    name: "GET /api/admin/shows/:showId/refunds",
    method: "GET",
    role: "admin",
    path: (s) => `/api/admin/shows/${s}/refunds`,
  },
  { name: "GET /:showId/ingresso", method: "GET", role: "fan", path: (s) => `/${s}/ingresso` },
  { name: "GET /:showId/ingresso/ws", method: "GET", role: "fan", path: (s) => `/${s}/ingresso/ws` },
  {
    name: "PATCH /:showId/ingresso/request",
    method: "PATCH",
    role: "fan",
    path: (s) => `/${s}/ingresso/request`,
    ownSeg: (f) => f.showId,
    badBody: () =>
      fc
        .oneof(corrupted({ sector: "Pista", meia: false }), anyBody)
        // A well-formed body still asks for a sector the show does not have.
        .map((b) =>
          b && typeof b === "object" && (b as { sector?: unknown }).sector === "Pista" ? { ...b, sector: "Pistа" } : b,
        ),
  },
  { name: "PATCH /:showId/ingresso/cancel", method: "PATCH", role: "fan", path: (s) => `/${s}/ingresso/cancel` },
  {
    name: "PATCH /:showId/ingresso/book",
    method: "PATCH",
    role: "fan",
    path: (s) => `/${s}/ingresso/book`,
    ownSeg: (f) => f.showId,
    badBody: (f) =>
      fc.oneof(
        // Another fan's held or booked ticket, with their payment or a made-up one.
        fc.record({
          ticketId: fc.constantFrom(f.victimTicket, f.bookedTicket),
          paymentId: fc.oneof(fc.constantFrom(f.victimPayment, f.bookerPayment), hostileString),
        }),
        corrupted({ ticketId: f.victimTicket, paymentId: f.victimPayment }),
        anyBody,
      ),
  },
  {
    name: "POST /api/payments",
    method: "POST",
    role: "fan",
    path: () => "/api/payments",
    badBody: (f) =>
      fc.oneof(
        fc.record({
          showId: fc.oneof(fc.constant(f.showId), hostileString),
          ticketId: fc.oneof(fc.constantFrom(f.victimTicket, f.bookedTicket), hostileString),
        }),
        corrupted({ showId: f.showId, ticketId: f.victimTicket }),
        anyBody,
      ),
  },
  { name: "GET /api/payments/:paymentId", method: "GET", role: "fan", path: (s) => `/api/payments/${s}` },
  // The door and the console (the organizer's token stands for a door link here: both may check in).
  {
    name: "POST /api/tickets/checkin",
    method: "POST",
    role: "admin",
    path: () => "/api/tickets/checkin",
    // No code the fuzzer can make is signed by us.
    badBody: (f) =>
      fc.oneof(corrupted({ code: `C2.${f.bookedTicket}.${f.showId}.${f.booker.id}.AAAA`, gate: "1" }), anyBody),
  },
  {
    name: "POST /api/door/sync",
    method: "POST",
    role: "admin",
    path: () => "/api/door/sync",
    badBody: () =>
      fc
        .oneof(
          corrupted({ scans: [{ scanId: "scan-0001", code: "C2.x", scannedAt: "2027-01-01T20:00:00Z" }] }),
          anyBody,
        )
        .filter(refusedBy(syncBody)),
  },
  {
    name: "GET /api/door/manifest",
    method: "GET",
    role: "admin",
    path: (s) => `/api/door/manifest?showId=${s}`,
  },
  {
    name: "POST /api/door/session",
    method: "POST",
    role: "none",
    path: () => "/api/door/session",
    // A well-formed body still carries no door link of ours.
    badBody: () => fc.oneof(corrupted({ token: "door_abc.AAAA" }), anyBody),
  },
  {
    name: "GET /api/console/shows/:showId/dashboard",
    method: "GET",
    role: "admin",
    path: (s) => `/api/console/shows/${s}/dashboard`,
  },
  {
    name: "POST /api/console/shows/:showId/doors",
    method: "POST",
    role: "admin",
    path: (s) => `/api/console/shows/${s}/doors`,
    ownSeg: (f) => f.showId,
    badBody: () => fc.oneof(corrupted({ label: "Portão 1" }), anyBody).filter(refusedBy(credentialBody)),
  },
  {
    name: "POST /api/console/shows/:showId/doors/:doorId/revoke",
    method: "POST",
    role: "admin",
    path: (s) => `/api/console/shows/${s}/doors/${s}/revoke`,
  },
  {
    name: "POST /api/console/shows/:showId/refunds/:paymentId/refunded",
    method: "POST",
    role: "admin",
    path: (s) => `/api/console/shows/${s}/refunds/${s}/refunded`,
  },
  {
    name: "GET /api/console/shows/:showId/attendees.csv",
    method: "GET",
    role: "admin",
    path: (s) => `/api/console/shows/${s}/attendees.csv`,
  },
  {
    name: "POST /api/payments/:paymentId/sandbox/approve",
    method: "POST",
    role: "fan",
    path: (s) => `/api/payments/${s}/sandbox/approve`,
  },
];

/** A path segment that names nothing of the attacker's: hostile text, or another fan's payment. */
const hostileSegment = (f: Fixture) =>
  fc.oneof(
    hostileString.map((s) => uri(s) || "%20"),
    fc.constantFrom(
      f.victimPayment,
      f.bookerPayment,
      "show_nope",
      "%2e%2e",
      "..%2F..%2Fapi",
      "%252e",
      "a".repeat(2000),
    ),
  );

type Attempt = {
  credential: Credential | "good";
  seg: string;
  body: unknown;
  encoding: "json" | "text-as-json" | "not-json" | "form" | "oversized" | "none";
  query: string;
  junk: string;
};

function bodyInit(a: Attempt): { body?: string; contentType?: string } {
  switch (a.encoding) {
    case "none":
      return {};
    case "json":
      return { body: JSON.stringify(a.body), contentType: "application/json" };
    case "text-as-json":
      return { body: JSON.stringify(a.body), contentType: "text/plain" };
    case "not-json":
      return { body: `{${a.junk}`, contentType: "application/json" };
    case "form":
      return {
        body: "name=Ana&email=ana%40example.com&sector=Pista",
        contentType: "application/x-www-form-urlencoded",
      };
    case "oversized":
      return { body: JSON.stringify({ pad: "x".repeat(17 * 1024) }), contentType: "application/json" };
  }
}

/** Requests an endpoint must refuse, and the few reads it may answer, all of which change nothing. */
function attempts(e: Endpoint, f: Fixture): fc.Arbitrary<Attempt> {
  // Half the requests carry good credentials, so that the hostile body or path reaches the handler.
  const credential: fc.Arbitrary<Credential | "good"> =
    e.role === "none"
      ? fc.constant("good")
      : e.onlyBadCredentials
        ? fc.constantFrom(...CREDENTIALS)
        : fc.oneof(
            { weight: 1, arbitrary: fc.constant("good") },
            { weight: 1, arbitrary: fc.constantFrom(...CREDENTIALS) },
          );
  const encoding = fc.oneof(
    { weight: 5, arbitrary: fc.constant<Attempt["encoding"]>("json") },
    {
      weight: 5,
      arbitrary: fc.constantFrom<Attempt["encoding"]>("text-as-json", "not-json", "form", "oversized", "none"),
    },
  );
  const query = fc.oneof(
    fc.constant(""),
    hostileString.map((s) => `?token=${uri(s)}&sector=${uri(s)}&cursor=${uri(s)}&past=${uri(s)}`),
  );
  return fc
    .record({
      credential,
      seg: e.ownSeg ? fc.oneof(fc.constant(e.ownSeg(f)), hostileSegment(f)) : hostileSegment(f),
      body: e.badBody ? e.badBody(f) : anyBody,
      encoding,
      query,
      junk: hostileString,
    })
    .map((a) => {
      const hostileSeg = !e.ownSeg || a.seg !== e.ownSeg(f);
      const hostileBody = e.badBody !== undefined && a.encoding !== "none";
      // With good credentials, something else in the request must be hostile.
      if (a.credential === "good" && !hostileSeg && !hostileBody) return { ...a, encoding: "json" as const };
      return a;
    });
}

describe("another fan's ticket or payment", () => {
  it("is refused whichever endpoint the attacker uses, and nothing changes", async () => {
    const f = await fixture();
    const before = await world(f);
    const as = { token: f.attacker.token };
    const book = (token: string, ticketId: string, paymentId: string) =>
      call("PATCH", `/${f.showId}/ingresso/book`, { token, body: { ticketId, paymentId } });
    const cases = [
      { res: await book(f.attacker.token, f.victimTicket, f.victimPayment), code: "TICKET_NOT_HELD" },
      { res: await book(f.attacker.token, f.bookedTicket, f.bookerPayment), code: "TICKET_NOT_HELD" },
      {
        res: await call("POST", "/api/payments", { ...as, body: { showId: f.showId, ticketId: f.victimTicket } }),
        code: "TICKET_NOT_HELD",
      },
      { res: await call("GET", `/api/payments/${f.victimPayment}`, as), code: "PAYMENT_NOT_FOUND" },
      { res: await call("POST", `/api/payments/${f.victimPayment}/sandbox/approve`, as), code: "PAYMENT_NOT_FOUND" },
      // The victim's own hold, with the booker's payment (another fan's, and already used).
      { res: await book(f.victim.token, f.victimTicket, f.bookerPayment), code: "PAYMENT_NOT_APPROVED" },
    ] as const;
    for (const { res, code } of cases) {
      expect(res.json).toEqual({ error: { code, message: expect.any(String) } });
      expect(res.status).toBe(ERROR_STATUS[code]);
    }
    expect(await world(f)).toBe(before);
  });
});

describe("hostile input on every endpoint", () => {
  it.each(ENDPOINTS)(
    `$name: never a 5xx, always the contract's error, never a state change (${RUNS_PER_ENDPOINT} requests)`,
    async (e) => {
      const f = await fixture();
      const noLimits = { ...env, RATE_LIMIT: "off" } as unknown as Env;
      let before = await world(f);
      await fc.assert(
        fc.asyncProperty(attempts(e, f), async (a) => {
          const { body, contentType } = bodyInit(a);
          const headers: Record<string, string> =
            a.credential === "good"
              ? e.role === "fan"
                ? { authorization: `Bearer ${f.attacker.token}` }
                : e.role === "admin"
                  ? { authorization: `Bearer ${ADMIN}` }
                  : {}
              : await badCredential(a.credential, e.role as "fan" | "admin", f, a.junk);
          if (contentType) headers["content-type"] = contentType;
          const res = await app.request(
            `${e.path(a.seg)}${a.query}`,
            { method: e.method, headers, body: e.method === "GET" ? undefined : body },
            noLimits,
          );
          const text = await res.text();
          const label = `${e.method} ${e.path(a.seg).slice(0, 80)} [${a.credential}, ${a.encoding}] → ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, label).toBeLessThan(500);
          if (res.status >= 400 || !e.mayRead) {
            expect(res.status, label).toBeGreaterThanOrEqual(400);
            const json = JSON.parse(text) as { error: { code: keyof typeof ERROR_STATUS; message: string } };
            expect(Object.keys(json), label).toEqual(["error"]);
            expect(typeof json.error.message, label).toBe("string");
            expect(ERROR_STATUS[json.error.code], label).toBe(res.status);
          }
          const after = await world(f);
          expect(after, label).toBe(before);
          before = after;
        }),
        { numRuns: RUNS_PER_ENDPOINT },
      );
    },
  );
});
