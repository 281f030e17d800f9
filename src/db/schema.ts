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

/** PENDING until the provider confirms; REFUND_DUE when money arrived for a hold that ended unbooked. */
export const PAYMENT_STATUSES = ["PENDING", "APPROVED", "REFUND_DUE"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

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
    provider: text("provider").notNull(),
    createdAt: createdAt(),
    approvedAt: integer("approved_at"),
  },
  (t) => [
    index("payments_ticket_user").on(t.ticketId, t.userId, t.status),
    index("payments_show_status").on(t.showId, t.status),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type BandRow = typeof bands.$inferSelect;
export type ShowRow = typeof shows.$inferSelect;
export type SectorRow = typeof sectors.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
