import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Ticket lifecycle, as the seed names it. */
export const TICKET_STATUSES = ["AVAILABLE", "IN_PROGRESS", "BOOKED"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * A show's life: `preparing` while its seats are being written (not on sale), `ready` once every
 * seat exists (on sale from `salesOpenAt`), `archived` when the organizer takes it off the
 * catalogue (no new requests; booked tickets stay valid).
 */
export const SHOW_STATUSES = ["preparing", "ready", "archived"] as const;
export type ShowStatus = (typeof SHOW_STATUSES)[number];

/**
 * PENDING until the provider confirms; APPROVED when the money backs the fan's hold (or booked it);
 * REFUND_DUE when money arrived that cannot buy the ticket (the hold ended unbooked, or the amount
 * was not the hold's); REFUNDED once the provider gave it back; EXPIRED when the checkout was closed
 * without money (the hold ended first). A payment is never both booked and REFUND_DUE or REFUNDED.
 */
export const PAYMENT_STATUSES = ["PENDING", "APPROVED", "REFUND_DUE", "REFUNDED", "EXPIRED"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Who takes the money (src/payments/): catraca's own sandbox, or Stripe. */
export const PAYMENT_PROVIDERS = ["sandbox", "stripe"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

const createdAt = () =>
  integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now());

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  createdAt: createdAt(),
});

export const bands = sqliteTable("bands", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  genre: text("genre").notNull(),
  description: text("description").notNull().default(""),
  createdAt: createdAt(),
});

/** Times are epoch milliseconds; the API turns them into ISO strings. */
export const shows = sqliteTable(
  "shows",
  {
    id: text("id").primaryKey(),
    bandId: text("band_id")
      .notNull()
      .references(() => bands.id),
    festival: text("festival"),
    address: text("address").notNull(),
    startsAt: integer("starts_at").notNull(),
    salesOpenAt: integer("sales_open_at").notNull(),
    holdSeconds: integer("hold_seconds").notNull(),
    maxTicketsPerUser: integer("max_tickets_per_user").notNull(),
    /**
     * The API always writes `preparing` first (src/prepare/). The default is for rows written by
     * hand with every seat already in place, like the demo data.
     */
    status: text("status", { enum: SHOW_STATUSES }).notNull().default("ready"),
    /** Seats the show will have, and how many exist: seats are written in a fixed order (src/prepare/plan.ts). */
    seatsTotal: integer("seats_total").notNull().default(0),
    seatsCreated: integer("seats_created").notNull().default(0),
    archivedAt: integer("archived_at"),
    /**
     * Waiting-room lanes (#13): 1 is one Durable Object for the whole show; K > 1 spreads its
     * waiting fans over K lane objects, the show's own object coordinating them (src/lanes/).
     */
    lanes: integer("lanes").notNull().default(1),
    /**
     * The fair opening (#14): from here to `salesOpenAt` fans join a pre-queue, drawn at random at
     * the opening (src/show/draw.ts). Null: no pre-queue, the sale opens in arrival order.
     */
    prequeueOpensAt: integer("prequeue_opens_at"),
    /** The draw's commitment, the SHA-256 of its secret seed (which only the show's object keeps); null without a pre-queue. */
    drawCommitment: text("draw_commitment"),
    createdAt: createdAt(),
  },
  // The catalogue pages by (starts_at, id).
  (t) => [index("shows_listing").on(t.startsAt, t.id)],
);

/** A show's sectors in the organizer's order; tickets carry the sector name. */
export const sectors = sqliteTable(
  "sectors",
  {
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    capacity: integer("capacity").notNull(),
    priceCents: integer("price_cents").notNull(),
    meiaPriceCents: integer("meia_price_cents").notNull(),
    meiaCount: integer("meia_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.showId, t.name] })],
);

export const tickets = sqliteTable(
  "tickets",
  {
    id: text("id").primaryKey(),
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    /** Seat number within its class: admission takes the lowest AVAILABLE one. */
    number: integer("number").notNull(),
    sector: text("sector").notNull(),
    meia: integer("meia", { mode: "boolean" }).notNull(),
    priceCents: integer("price_cents").notNull(),
    status: text("status", { enum: TICKET_STATUSES }).notNull().default("AVAILABLE"),
    userId: text("user_id").references(() => users.id),
    holdExpiresAt: integer("hold_expires_at"),
    bookedAt: integer("booked_at"),
    paymentId: text("payment_id"),
  },
  (t) => [
    // Admission: the lowest AVAILABLE seat of a class.
    index("tickets_class_status").on(t.showId, t.sector, t.meia, t.status, t.number),
    // The cron safety net: overdue holds across all shows.
    index("tickets_hold_expiry").on(t.status, t.holdExpiresAt),
    // A fan's tickets for a show (state, limits).
    index("tickets_show_user").on(t.showId, t.userId),
    // A fan's booked tickets across shows (/meus-ingressos).
    index("tickets_user_status").on(t.userId, t.status),
    // A payment books at most one ticket.
    uniqueIndex("tickets_payment").on(t.paymentId),
  ],
);

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    ticketId: text("ticket_id")
      .notNull()
      .references(() => tickets.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    amountCents: integer("amount_cents").notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull().default("PENDING"),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    createdAt: createdAt(),
    approvedAt: integer("approved_at"),
    /** The provider's id for the checkout (Stripe: the Checkout Session); null in the sandbox. */
    externalId: text("external_id"),
    /** Where the fan pays: the provider's hosted page, or the sandbox's own. */
    checkoutUrl: text("checkout_url"),
    /** The hold's end this payment's in-flight report extended it to (one grace per hold). */
    graceUntil: integer("grace_until"),
    refundedAt: integer("refunded_at"),
    /** The provider's id for the refund. */
    refundId: text("refund_id"),
  },
  (t) => [
    index("payments_ticket_user").on(t.ticketId, t.userId, t.status),
    index("payments_show_status").on(t.showId, t.status),
    // The cron's sweeps: open checkouts of ended holds, refunds still to make.
    index("payments_status").on(t.status, t.createdAt),
    uniqueIndex("payments_external").on(t.provider, t.externalId),
  ],
);

/**
 * Every signed webhook delivery accepted, by the provider's event id and the signature's
 * timestamp: a provider re-signs each retry, so the same pair twice is a replay.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    eventId: text("event_id").notNull(),
    signedAt: integer("signed_at").notNull(),
    eventType: text("event_type").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId, t.signedAt] }), index("webhook_received").on(t.receivedAt)],
);

// --- the door (check-in) and the organizers' console ----------------------------------------------

/**
 * A ticket that got in: at most one row per ticket (the primary key), so one conditional insert
 * decides which of any number of simultaneous scans admits it. `scanId` names the scan that made
 * it (a gate's offline scan keeps its id across retried syncs).
 */
export const checkins = sqliteTable(
  "checkins",
  {
    ticketId: text("ticket_id")
      .primaryKey()
      .references(() => tickets.id),
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    gate: text("gate").notNull(),
    checkedInAt: integer("checked_in_at").notNull(),
    scanId: text("scan_id").notNull().unique(),
    /** Admitted by a gate without network, recorded when it synced. */
    offline: integer("offline", { mode: "boolean" }).notNull(),
    credentialId: text("credential_id"),
  },
  (t) => [index("checkins_show_gate").on(t.showId, t.gate)],
);

/**
 * A second admission of a ticket, learnt when a gate synced its offline scans: two gates let the
 * same ticket in while offline. The earlier scan is the check-in, the later one is listed here.
 */
export const checkinConflicts = sqliteTable(
  "checkin_conflicts",
  {
    scanId: text("scan_id").primaryKey(),
    ticketId: text("ticket_id")
      .notNull()
      .references(() => tickets.id),
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    gate: text("gate").notNull(),
    scannedAt: integer("scanned_at").notNull(),
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [index("checkin_conflicts_show").on(t.showId, t.scannedAt)],
);

/**
 * A gate phone's right to check tickets in at one show: the token's SHA-256 only (the token itself
 * is shown once, as a link), revocable, and void after `expiresAt`.
 */
export const doorCredentials = sqliteTable(
  "door_credentials",
  {
    id: text("id").primaryKey(),
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    label: text("label").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("door_credentials_show").on(t.showId)],
);

/** The show's queue length over time, for the console's chart (sampled while the sale is watched). */
export const queueSamples = sqliteTable(
  "queue_samples",
  {
    showId: text("show_id")
      .notNull()
      .references(() => shows.id),
    at: integer("at").notNull(),
    waiting: integer("waiting").notNull(),
  },
  (t) => [primaryKey({ columns: [t.showId, t.at] })],
);

export type UserRow = typeof users.$inferSelect;
export type BandRow = typeof bands.$inferSelect;
export type ShowRow = typeof shows.$inferSelect;
export type SectorRow = typeof sectors.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type CheckinRow = typeof checkins.$inferSelect;
export type DoorCredentialRow = typeof doorCredentials.$inferSelect;
