/**
 * The show object's own SQLite storage: the queue, the holds as the object knows them, bookings,
 * each fan's latest outcome and the show's cached rules. Every function is synchronous, so a read
 * and the write that depends on it can never be interleaved with another call. The tables are
 * created with the show's rules (`saveConfig`), once D1 has said the show exists: an object asked
 * about a made-up id keeps no storage. Every other function is for an object that has its rules.
 */
import { type Row, ShowSql } from "../do/show-sql";
import { laneOf } from "../lanes/key";
import { LANE_SCHEMA } from "./lane-buffers";
import type { BookedRecord, HoldRecord } from "./rules";
import type { ClassAvailability, ClassConfig, ClassCounts, FanStatus, ShowConfig, TicketClass } from "./types";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  fan_id TEXT NOT NULL UNIQUE,
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_class ON queue (sector, meia, seq);
CREATE TABLE IF NOT EXISTS holds (
  ticket_id TEXT PRIMARY KEY,
  fan_id TEXT NOT NULL UNIQUE,
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS holds_expiry ON holds (expires_at);
CREATE INDEX IF NOT EXISTS holds_class ON holds (sector, meia);
CREATE TABLE IF NOT EXISTS booked (
  ticket_id TEXT PRIMARY KEY,
  fan_id TEXT NOT NULL,
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  payment_id TEXT,
  booked_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS booked_fan ON booked (fan_id, booked_at);
CREATE INDEX IF NOT EXISTS booked_class ON booked (sector, meia);
CREATE TABLE IF NOT EXISTS fans (
  fan_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  sector TEXT,
  meia INTEGER,
  ticket_id TEXT,
  -- With lanes: the lane place (its seq) the object last acted on, and a count of the fan's changes.
  entry INTEGER,
  version INTEGER NOT NULL DEFAULT 0
);
-- With lanes: fans whose state changed and whose lane has not confirmed it yet (the outbox).
CREATE TABLE IF NOT EXISTS lane_mail (
  fan_id TEXT PRIMARY KEY,
  lane INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lane_mail_lane ON lane_mail (lane);
CREATE TABLE IF NOT EXISTS past_holds (
  fan_id TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  PRIMARY KEY (fan_id, ticket_id)
) WITHOUT ROWID;
`;

/**
 * Each class's occupancy, kept by triggers in the same transaction as the rows they count, so that
 * reading it is one lookup instead of COUNTs over the queue (which grew with every waiting fan and
 * ran several times per call). Rows are only ever inserted or deleted in the counted tables.
 */
const COUNTS = `
CREATE TABLE IF NOT EXISTS class_counts (
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  held INTEGER NOT NULL DEFAULT 0,
  booked INTEGER NOT NULL DEFAULT 0,
  waiting INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sector, meia)
) WITHOUT ROWID;
${(
  [
    ["queue", "waiting"],
    ["lane_buffer", "waiting"],
    ["holds", "held"],
    ["booked", "booked"],
  ] as const
)
  .map(
    ([table, field]) => `
CREATE TRIGGER IF NOT EXISTS ${table}_counted_in AFTER INSERT ON ${table} BEGIN
  INSERT INTO class_counts (sector, meia, ${field}) VALUES (NEW.sector, NEW.meia, 1)
    ON CONFLICT (sector, meia) DO UPDATE SET ${field} = ${field} + 1;
END;
CREATE TRIGGER IF NOT EXISTS ${table}_counted_out AFTER DELETE ON ${table} BEGIN
  UPDATE class_counts SET ${field} = ${field} - 1 WHERE sector = OLD.sector AND meia = OLD.meia;
END;`,
  )
  .join("")}
`;

export interface FanRecord {
  fanId: string;
  status: Exclude<FanStatus, "NONE">;
  sector: string | null;
  meia: boolean | null;
  ticketId: string | null;
  /** With lanes: the lane place the object last acted on (admitted from it, or refused it). */
  entry: number | null;
  version: number;
}

/** A waiting fan's place. With lanes, `seq` is the lane's own number for it, and `lane` and `key` say where and in what order. */
export interface QueueEntry {
  seq: number;
  fanId: string;
  sector: string;
  meia: boolean;
  lane?: number;
  key?: string;
}

/** A fan whose lane has yet to confirm its state (with lanes). */
export interface PendingMail {
  fanId: string;
  lane: number;
  version: number;
}

const toHold = (r: Row): HoldRecord => ({
  ticketId: String(r.ticket_id),
  fanId: String(r.fan_id),
  sector: String(r.sector),
  meia: r.meia === 1,
  priceCents: Number(r.price_cents),
  expiresAt: Number(r.expires_at),
});

const toBooked = (r: Row): BookedRecord => ({
  ticketId: String(r.ticket_id),
  fanId: String(r.fan_id),
  sector: String(r.sector),
  meia: r.meia === 1,
  priceCents: Number(r.price_cents),
  paymentId: r.payment_id === null ? null : String(r.payment_id),
  bookedAt: Number(r.booked_at),
});

const toFan = (fanId: string, r: Row): FanRecord => ({
  fanId,
  status: String(r.status) as FanRecord["status"],
  sector: r.sector === null ? null : String(r.sector),
  meia: r.meia === null ? null : r.meia === 1,
  ticketId: r.ticket_id === null ? null : String(r.ticket_id),
  entry: r.entry === null || r.entry === undefined ? null : Number(r.entry),
  version: Number(r.version ?? 0),
});

const toQueueEntry = (r: Row): QueueEntry => ({
  seq: Number(r.seq),
  fanId: String(r.fan_id),
  sector: String(r.sector),
  meia: r.meia === 1,
});

export class ShowStore extends ShowSql {
  /** The earliest hold expiry (null: no hold), undefined until read again. */
  private cachedEarliest: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    super(storage, [SCHEMA, LANE_SCHEMA, COUNTS]);
  }

  // --- counts -----------------------------------------------------------------------------------

  classCounts(config: ShowConfig, c: TicketClass): ClassCounts | undefined {
    const cfg = findClass(config, c);
    if (!cfg) return undefined;
    const r = this.one(
      "SELECT held, booked, waiting FROM class_counts WHERE sector = ? AND meia = ?",
      c.sector,
      c.meia ? 1 : 0,
    );
    return {
      total: cfg.total,
      held: Number(r?.held ?? 0),
      booked: Number(r?.booked ?? 0),
      waiting: Number(r?.waiting ?? 0),
    };
  }

  /** Every class's free and held tickets, in the show's order: one read of the counts, no D1. */
  availability(config: ShowConfig): ClassAvailability[] {
    const counted = new Map(
      this.sql
        .exec<{ sector: string; meia: number; held: number; booked: number }>(
          "SELECT sector, meia, held, booked FROM class_counts",
        )
        .toArray()
        .map((r) => [`${r.sector}\u0000${r.meia === 1}`, r]),
    );
    return config.classes.map((c) => {
      const r = counted.get(`${c.sector}\u0000${c.meia}`);
      const held = Number(r?.held ?? 0);
      const booked = Number(r?.booked ?? 0);
      return { sector: c.sector, meia: c.meia, available: Math.max(0, c.total - held - booked), inProgress: held };
    });
  }

  /** Waiting fans per class that has any (the console's dashboard; none before the show's rules are saved). */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    if (!this.config()) return [];
    return this.sql
      .exec<{ sector: string; meia: number; waiting: number }>(
        "SELECT sector, meia, waiting FROM class_counts WHERE waiting > 0",
      )
      .toArray()
      .map((r) => ({ sector: r.sector, meia: r.meia === 1, waiting: Number(r.waiting) }));
  }

  // --- fans -------------------------------------------------------------------------------------

  fan(fanId: string): FanRecord | undefined {
    const r = this.one("SELECT * FROM fans WHERE fan_id = ?", fanId);
    return r ? toFan(fanId, r) : undefined;
  }

  /**
   * The fan and, while waiting, its position (1 + the fans ahead in its class), in one query. The
   * count runs from the nearer end of the queue: the fans ahead, or the class's waiting count less
   * the fans behind, so a fan who just joined (the tail) costs no count at all.
   */
  fanWithPosition(fanId: string): (FanRecord & { position: number | null }) | undefined {
    const r = this.one(
      `SELECT f.*, CASE
         WHEN q.seq IS NULL THEN NULL
         WHEN (SELECT MAX(seq) FROM queue t WHERE t.sector = q.sector AND t.meia = q.meia) - q.seq
              < q.seq - (SELECT MIN(seq) FROM queue h WHERE h.sector = q.sector AND h.meia = q.meia)
           THEN (SELECT waiting FROM class_counts c WHERE c.sector = q.sector AND c.meia = q.meia)
              - (SELECT COUNT(*) FROM queue b WHERE b.sector = q.sector AND b.meia = q.meia AND b.seq > q.seq)
         ELSE (SELECT COUNT(*) FROM queue a WHERE a.sector = q.sector AND a.meia = q.meia AND a.seq <= q.seq)
       END AS position
       FROM fans f LEFT JOIN queue q ON q.fan_id = f.fan_id WHERE f.fan_id = ?`,
      fanId,
    );
    return r ? { ...toFan(fanId, r), position: r.position === null ? null : Number(r.position) } : undefined;
  }

  /**
   * Record the fan's latest outcome. `entry` (with lanes) is the lane place it came from: given, it
   * is recorded (null: none known); left out, the one recorded stays. With lanes, every change is
   * also owed to the fan's lane (`lane_mail`), in the same transaction as the change itself.
   */
  setFan(
    fanId: string,
    status: FanRecord["status"],
    c: TicketClass | null,
    ticketId: string | null,
    entry?: number | null,
  ): void {
    this.sql.exec(
      `INSERT INTO fans (fan_id, status, sector, meia, ticket_id, entry, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
       ON CONFLICT (fan_id) DO UPDATE SET status = ?2, sector = ?3, meia = ?4, ticket_id = ?5,
         entry = CASE WHEN ?7 THEN ?6 ELSE entry END, version = version + 1`,
      fanId,
      status,
      c?.sector ?? null,
      c === null ? null : c.meia ? 1 : 0,
      ticketId,
      entry ?? null,
      entry === undefined ? 0 : 1,
    );
    this.mail(fanId);
  }

  // --- the lanes' outbox (with lanes) -----------------------------------------------------------

  /** Owe the fan's lane its current state (nothing with one lane: the object tells the fan itself). */
  mail(fanId: string): void {
    const config = this.config();
    if (!config || config.lanes <= 1) return;
    this.sql.exec(
      "INSERT OR REPLACE INTO lane_mail (fan_id, lane, version) SELECT fan_id, ?, version FROM fans WHERE fan_id = ?",
      laneOf(config.id, fanId, config.lanes),
      fanId,
    );
  }

  /** Every change a lane (or every lane) has yet to confirm. */
  pendingMail(lane?: number): PendingMail[] {
    const rows =
      lane === undefined
        ? this.rows("SELECT fan_id, lane, version FROM lane_mail ORDER BY lane, version")
        : this.rows("SELECT fan_id, lane, version FROM lane_mail WHERE lane = ? ORDER BY version", lane);
    return rows.map((r) => ({
      fanId: String(r.fan_id),
      lane: Number(r.lane),
      version: Number(r.version),
    }));
  }

  hasPendingMail(): boolean {
    return this.one("SELECT 1 AS x FROM lane_mail LIMIT 1") !== undefined;
  }

  /** The lane has the fan's state at `version`: nothing owed unless it changed again since. */
  acked(fanId: string, version: number): void {
    this.sql.exec("DELETE FROM lane_mail WHERE fan_id = ? AND version <= ?", fanId, version);
  }

  /** The view the lanes get (with lanes) changed: its next version, kept across restarts (a lane keeps the newest). */
  nextViewVersion(): number {
    const r = this.one(
      `INSERT INTO meta (key, value) VALUES ('view', '1')
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
    );
    return Number(r?.value ?? 1);
  }

  viewVersion(): number {
    return Number(this.one("SELECT value FROM meta WHERE key = 'view'")?.value ?? 0);
  }

  /** The lane place this fan came from is settled: nothing else changes but the record of it. */
  settleEntry(fanId: string, entry: number): void {
    this.sql.exec("UPDATE fans SET entry = ?, version = version + 1 WHERE fan_id = ?", entry, fanId);
    this.mail(fanId);
  }

  // --- queue ------------------------------------------------------------------------------------

  enqueue(fanId: string, c: TicketClass, now: number): void {
    this.sql.exec(
      "INSERT INTO queue (fan_id, sector, meia, enqueued_at) VALUES (?, ?, ?, ?)",
      fanId,
      c.sector,
      c.meia ? 1 : 0,
      now,
    );
  }

  dequeue(fanId: string): void {
    this.sql.exec("DELETE FROM queue WHERE fan_id = ?", fanId);
  }

  /** 1 + the fans ahead in the same class. */
  position(entry: QueueEntry): number {
    return Number(
      this.one(
        "SELECT COUNT(*) AS n FROM queue WHERE sector = ? AND meia = ? AND seq <= ?",
        entry.sector,
        entry.meia ? 1 : 0,
        entry.seq,
      )?.n,
    );
  }

  /** The first `limit` waiting fans of a class, in arrival order. */
  heads(c: TicketClass, limit: number): QueueEntry[] {
    return this.rows(
      "SELECT * FROM queue WHERE sector = ? AND meia = ? ORDER BY seq LIMIT ?",
      c.sector,
      c.meia ? 1 : 0,
      limit,
    ).map(toQueueEntry);
  }

  /** Up to `limit` waiting fans of a class after queue entry `afterSeq`, in arrival order. */
  waitingAfter(c: TicketClass, afterSeq: number, limit: number): QueueEntry[] {
    return this.rows(
      "SELECT * FROM queue WHERE sector = ? AND meia = ? AND seq > ? ORDER BY seq LIMIT ?",
      c.sector,
      c.meia ? 1 : 0,
      afterSeq,
      limit,
    ).map(toQueueEntry);
  }

  /** Every waiting fan of a class, in arrival order. */
  waitingIn(c: TicketClass): QueueEntry[] {
    return this.rows("SELECT * FROM queue WHERE sector = ? AND meia = ? ORDER BY seq", c.sector, c.meia ? 1 : 0).map(
      toQueueEntry,
    );
  }

  // --- holds ------------------------------------------------------------------------------------

  holdOf(fanId: string): HoldRecord | undefined {
    const r = this.one("SELECT * FROM holds WHERE fan_id = ?", fanId);
    return r ? toHold(r) : undefined;
  }

  holds(): HoldRecord[] {
    return this.rows("SELECT * FROM holds ORDER BY expires_at").map(toHold);
  }

  /** Holds past their time; no query at all while the earliest hold is still running. */
  dueHolds(now: number): HoldRecord[] {
    const earliest = this.earliestExpiry();
    if (earliest === undefined || earliest > now) return [];
    return this.rows("SELECT * FROM holds WHERE expires_at <= ? ORDER BY expires_at", now).map(toHold);
  }

  /**
   * Every call asks (to settle expiries and set the alarm), so it is kept in memory and read again
   * after any change to the holds (`holdsChanged`).
   */
  earliestExpiry(): number | undefined {
    if (this.cachedEarliest === undefined) {
      const r = this.one("SELECT MIN(expires_at) AS t FROM holds");
      this.cachedEarliest = r?.t === null || r?.t === undefined ? null : Number(r.t);
    }
    return this.cachedEarliest ?? undefined;
  }

  private holdsChanged(): void {
    this.cachedEarliest = undefined;
  }

  /** Record a hold: the fan leaves the queue and holds the ticket (from this lane place, with lanes: `setFan`). */
  putHold(h: HoldRecord, entry?: number | null): void {
    this.holdsChanged();
    this.sql.exec("DELETE FROM holds WHERE ticket_id = ? OR fan_id = ?", h.ticketId, h.fanId);
    this.sql.exec(
      "INSERT INTO holds (ticket_id, fan_id, sector, meia, price_cents, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      h.ticketId,
      h.fanId,
      h.sector,
      h.meia ? 1 : 0,
      h.priceCents,
      h.expiresAt,
    );
    this.sql.exec("INSERT OR IGNORE INTO past_holds (fan_id, ticket_id) VALUES (?, ?)", h.fanId, h.ticketId);
    this.dequeue(h.fanId);
    this.setFan(h.fanId, "IN_PROGRESS", h, h.ticketId, entry);
  }

  deleteHold(ticketId: string): void {
    this.holdsChanged();
    this.sql.exec("DELETE FROM holds WHERE ticket_id = ?", ticketId);
  }

  everHeld(fanId: string, ticketId: string): boolean {
    return this.one("SELECT 1 AS x FROM past_holds WHERE fan_id = ? AND ticket_id = ?", fanId, ticketId) !== undefined;
  }

  // --- bookings ---------------------------------------------------------------------------------

  putBooked(b: BookedRecord): void {
    this.holdsChanged();
    this.sql.exec("DELETE FROM holds WHERE ticket_id = ?", b.ticketId);
    // Delete, then insert: a REPLACE would delete without firing the count's trigger.
    this.sql.exec("DELETE FROM booked WHERE ticket_id = ?", b.ticketId);
    this.sql.exec(
      "INSERT INTO booked (ticket_id, fan_id, sector, meia, price_cents, payment_id, booked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      b.ticketId,
      b.fanId,
      b.sector,
      b.meia ? 1 : 0,
      b.priceCents,
      b.paymentId,
      b.bookedAt,
    );
    this.sql.exec("INSERT OR IGNORE INTO past_holds (fan_id, ticket_id) VALUES (?, ?)", b.fanId, b.ticketId);
  }

  deleteBooked(ticketId: string): void {
    this.sql.exec("DELETE FROM booked WHERE ticket_id = ?", ticketId);
  }

  bookedBy(fanId: string): BookedRecord[] {
    return this.rows("SELECT * FROM booked WHERE fan_id = ? ORDER BY booked_at, ticket_id", fanId).map(toBooked);
  }

  /** The bookings of the waiting fans of a class whose queue entries are in (afterSeq, upToSeq]. */
  bookedOfWaiting(c: TicketClass, afterSeq: number, upToSeq: number): BookedRecord[] {
    return this.rows(
      `SELECT b.* FROM queue q JOIN booked b ON b.fan_id = q.fan_id
       WHERE q.sector = ? AND q.meia = ? AND q.seq > ? AND q.seq <= ? ORDER BY b.booked_at, b.ticket_id`,
      c.sector,
      c.meia ? 1 : 0,
      afterSeq,
      upToSeq,
    ).map(toBooked);
  }

  bookedTicket(ticketId: string): BookedRecord | undefined {
    const r = this.one("SELECT * FROM booked WHERE ticket_id = ?", ticketId);
    return r ? toBooked(r) : undefined;
  }

  allBooked(): BookedRecord[] {
    return this.rows("SELECT * FROM booked").map(toBooked);
  }
}

function findClass(config: ShowConfig, c: TicketClass): ClassConfig | undefined {
  return config.classes.find((x) => x.sector === c.sector && x.meia === c.meia);
}
