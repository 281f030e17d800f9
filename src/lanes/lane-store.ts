/**
 * A lane's own SQLite storage (#13): its waiting fans in key order, each fan's latest outcome
 * (its own, or the coordinator's as mailed), what it last reported of each class, what it owes the
 * coordinator, and the coordinator's latest view. Every function is synchronous. The tables are
 * created with the show's rules (`saveConfig`), once D1 has said the show is on sale.
 */
import { type Row, ShowSql } from "../do/show-sql";
import type { FanStatus, TicketClass, TicketView } from "../show/types";
import type { OrderKey } from "./key";
import type { Decline, LaneEntry, LaneView, SamplePoint } from "./protocol";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  fan_id TEXT NOT NULL UNIQUE,
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  key TEXT NOT NULL,
  stamp INTEGER NOT NULL,
  joined_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS queue_order ON queue (sector, meia, key);
CREATE TABLE IF NOT EXISTS fans (
  fan_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  sector TEXT,
  meia INTEGER,
  entry INTEGER,
  owner TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  ticket TEXT,
  expires_at INTEGER,
  booked TEXT NOT NULL DEFAULT '[]',
  shown_position INTEGER,
  shown_at INTEGER
);
CREATE TABLE IF NOT EXISTS reports (
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  tail TEXT,
  more INTEGER NOT NULL DEFAULT 0,
  due INTEGER NOT NULL DEFAULT 0,
  sampled_at INTEGER NOT NULL DEFAULT 0,
  reported_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sector, meia)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS declines (
  fan_id TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  PRIMARY KEY (fan_id, ticket_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS class_waiting (
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  waiting INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sector, meia)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS queue_counted_in AFTER INSERT ON queue BEGIN
  INSERT INTO class_waiting (sector, meia, waiting) VALUES (NEW.sector, NEW.meia, 1)
    ON CONFLICT (sector, meia) DO UPDATE SET waiting = waiting + 1;
END;
CREATE TRIGGER IF NOT EXISTS queue_counted_out AFTER DELETE ON queue BEGIN
  UPDATE class_waiting SET waiting = waiting - 1 WHERE sector = OLD.sector AND meia = OLD.meia;
END;
`;

/** Who last decided the fan's state: the lane (joined, left the queue, sold out) or the coordinator (a hold and what became of it). */
export type Owner = "lane" | "coordinator";

export interface LaneFan {
  fanId: string;
  status: Exclude<FanStatus, "NONE">;
  sector: string | null;
  meia: boolean | null;
  /** The fan's current or latest lane place. */
  entry: number | null;
  owner: Owner;
  /** The coordinator's version of the fan last applied. */
  version: number;
  ticket: TicketView | null;
  expiresAt: number | null;
  booked: TicketView[];
  /** The position last shown to the fan for its current place (it never shows a later one). */
  shownPosition: number | null;
  shownAt: number | null;
}

export interface WaitingEntry extends LaneEntry, TicketClass {}

/** What the lane last told the coordinator of a class, and whether it owes it more: 1 soon, 2 now. */
export interface ReportState {
  version: number;
  tail: OrderKey | null;
  more: boolean;
  due: 0 | 1 | 2;
  sampledAt: number;
}

const toFan = (r: Row): LaneFan => ({
  fanId: String(r.fan_id),
  status: String(r.status) as LaneFan["status"],
  sector: r.sector === null ? null : String(r.sector),
  meia: r.meia === null ? null : r.meia === 1,
  entry: r.entry === null ? null : Number(r.entry),
  owner: String(r.owner) as Owner,
  version: Number(r.version),
  ticket: r.ticket === null ? null : (JSON.parse(String(r.ticket)) as TicketView),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  booked: JSON.parse(String(r.booked)) as TicketView[],
  shownPosition: r.shown_position === null ? null : Number(r.shown_position),
  shownAt: r.shown_at === null ? null : Number(r.shown_at),
});

const toEntry = (r: Row): WaitingEntry => ({
  seq: Number(r.seq),
  fanId: String(r.fan_id),
  key: String(r.key),
  sector: String(r.sector),
  meia: r.meia === 1,
});

const m = (c: TicketClass) => (c.meia ? 1 : 0);

export class LaneStore extends ShowSql {
  private cachedView: LaneView | null | undefined;

  constructor(storage: DurableObjectStorage) {
    super(storage, [SCHEMA]);
  }

  // --- the show's rules (ShowSql), and the coordinator's view -------------------------------------

  view(): LaneView | undefined {
    if (this.cachedView === undefined) {
      const r = this.config() && this.one("SELECT value FROM meta WHERE key = 'view'");
      this.cachedView = r ? (JSON.parse(String(r.value)) as LaneView) : null;
    }
    return this.cachedView ?? undefined;
  }

  saveView(view: LaneView): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('view', ?)", JSON.stringify(view));
    this.cachedView = view;
  }

  // --- fans -----------------------------------------------------------------------------------

  fan(fanId: string): LaneFan | undefined {
    const r = this.one("SELECT * FROM fans WHERE fan_id = ?", fanId);
    return r ? toFan(r) : undefined;
  }

  putFan(f: LaneFan): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO fans (fan_id, status, sector, meia, entry, owner, version, ticket, expires_at, booked, shown_position, shown_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      f.fanId,
      f.status,
      f.sector,
      f.meia === null ? null : f.meia ? 1 : 0,
      f.entry,
      f.owner,
      f.version,
      f.ticket === null ? null : JSON.stringify(f.ticket),
      f.expiresAt,
      JSON.stringify(f.booked),
      f.shownPosition,
      f.shownAt,
    );
  }

  /** The position shown to the fan now (never later than the last: the caller takes the lower). */
  shown(fanId: string, position: number, at: number): void {
    this.sql.exec("UPDATE fans SET shown_position = ?, shown_at = ? WHERE fan_id = ?", position, at, fanId);
  }

  // --- the queue ------------------------------------------------------------------------------

  /** A fan joins its class's line at `key`: its place's number (`seq`). */
  enqueue(fanId: string, c: TicketClass, key: OrderKey, stamp: number, now: number): number {
    const r = this.one(
      "INSERT INTO queue (fan_id, sector, meia, key, stamp, joined_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
      fanId,
      c.sector,
      m(c),
      key,
      stamp,
      now,
    );
    return Number(r?.seq);
  }

  dequeue(fanId: string): void {
    this.sql.exec("DELETE FROM queue WHERE fan_id = ?", fanId);
  }

  entryOf(fanId: string): WaitingEntry | undefined {
    const r = this.one("SELECT * FROM queue WHERE fan_id = ?", fanId);
    return r ? toEntry(r) : undefined;
  }

  waiting(c: TicketClass): number {
    return Number(
      this.one("SELECT waiting FROM class_waiting WHERE sector = ? AND meia = ?", c.sector, m(c))?.waiting ?? 0,
    );
  }

  /** Fans of the lane ahead of this one in its class, counted from the nearer end of the line. */
  ahead(e: WaitingEntry): number {
    const before = this.one(
      "SELECT COUNT(*) AS n FROM (SELECT 1 FROM queue WHERE sector = ? AND meia = ? AND key < ? LIMIT 1024)",
      e.sector,
      m(e),
      e.key,
    );
    const n = Number(before?.n ?? 0);
    if (n < 1024) return n;
    const after = this.one(
      "SELECT COUNT(*) AS n FROM queue WHERE sector = ? AND meia = ? AND key > ?",
      e.sector,
      m(e),
      e.key,
    );
    return this.waiting(e) - 1 - Number(after?.n ?? 0);
  }

  /** Up to `limit` waiting fans of the class after key `after` (from the head when undefined), in order. */
  waitingAfter(c: TicketClass, after: OrderKey | undefined, limit: number): WaitingEntry[] {
    return this.rows(
      "SELECT * FROM queue WHERE sector = ?1 AND meia = ?2 AND (?3 IS NULL OR key > ?3) ORDER BY key LIMIT ?4",
      c.sector,
      m(c),
      after ?? null,
      limit,
    ).map(toEntry);
  }

  /** Waiting fans of the class with keys up to `key`. */
  waitingUpTo(c: TicketClass, key: OrderKey): number {
    return Number(
      this.one("SELECT COUNT(*) AS n FROM queue WHERE sector = ? AND meia = ? AND key <= ?", c.sector, m(c), key)?.n ??
        0,
    );
  }

  /** The keys at these local ranks of the class (fans of the lane ahead), as sample points. */
  sampleAt(c: TicketClass, ranks: number[]): SamplePoint[] {
    if (ranks.length === 0) return [];
    return this.rows(
      `SELECT key, rank FROM (SELECT key, ROW_NUMBER() OVER (ORDER BY key) - 1 AS rank FROM queue WHERE sector = ? AND meia = ?)
       WHERE rank IN (SELECT value FROM json_each(?)) ORDER BY key`,
      c.sector,
      m(c),
      JSON.stringify(ranks),
    ).map((r) => [String(r.key), Number(r.rank)]);
  }

  /** Waiting fans per class that has any. */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    if (!this.config()) return [];
    return this.rows("SELECT sector, meia, waiting FROM class_waiting WHERE waiting > 0").map((r) => ({
      sector: String(r.sector),
      meia: r.meia === 1,
      waiting: Number(r.waiting),
    }));
  }

  // --- reports ------------------------------------------------------------------------------------

  report(c: TicketClass): ReportState {
    const r = this.one("SELECT * FROM reports WHERE sector = ? AND meia = ?", c.sector, m(c));
    return {
      version: Number(r?.version ?? 0),
      tail: r?.tail === null || r?.tail === undefined ? null : String(r.tail),
      more: r?.more === 1,
      due: Number(r?.due ?? 0) as ReportState["due"],
      sampledAt: Number(r?.sampled_at ?? 0),
    };
  }

  /** The class owes the coordinator a report: soon (1) or now (2); the higher stays. */
  owe(c: TicketClass, due: 1 | 2): void {
    this.sql.exec(
      `INSERT INTO reports (sector, meia, due) VALUES (?1, ?2, ?3)
       ON CONFLICT (sector, meia) DO UPDATE SET due = MAX(due, ?3)`,
      c.sector,
      m(c),
      due,
    );
  }

  /** A report of the class is about to go: its version, counted before it is sent (an answer may be lost). */
  nextReportVersion(c: TicketClass): number {
    const r = this.one(
      `INSERT INTO reports (sector, meia, version) VALUES (?1, ?2, 1)
       ON CONFLICT (sector, meia) DO UPDATE SET version = version + 1 RETURNING version`,
      c.sector,
      m(c),
    );
    return Number(r?.version ?? 1);
  }

  /** The coordinator has this report: what it knows now, and nothing owed (unless owed again since it was built). */
  reported(
    c: TicketClass,
    r: { version: number; tail: OrderKey | null; more: boolean; sampledAt?: number },
    at: number,
  ): void {
    this.sql.exec(
      `UPDATE reports SET tail = ?3, more = ?4, due = CASE WHEN version = ?5 THEN 0 ELSE due END,
         sampled_at = coalesce(?6, sampled_at), reported_at = ?7 WHERE sector = ?1 AND meia = ?2`,
      c.sector,
      m(c),
      r.tail,
      r.more ? 1 : 0,
      r.version,
      r.sampledAt ?? null,
      at,
    );
  }

  /** Classes owing a report, how urgently, and when the last one went. */
  owing(): (TicketClass & { due: 1 | 2; reportedAt: number })[] {
    return this.rows("SELECT sector, meia, due, reported_at FROM reports WHERE due > 0").map((r) => ({
      sector: String(r.sector),
      meia: r.meia === 1,
      due: Number(r.due) as 1 | 2,
      reportedAt: Number(r.reported_at),
    }));
  }

  // --- declines -----------------------------------------------------------------------------------

  decline(d: Decline): void {
    this.sql.exec("INSERT OR IGNORE INTO declines (fan_id, ticket_id) VALUES (?, ?)", d.fanId, d.ticketId);
  }

  declines(): Decline[] {
    return this.rows("SELECT * FROM declines").map((r) => ({ fanId: String(r.fan_id), ticketId: String(r.ticket_id) }));
  }

  declined(ds: Decline[]): void {
    for (const d of ds) this.sql.exec("DELETE FROM declines WHERE fan_id = ? AND ticket_id = ?", d.fanId, d.ticketId);
  }
}
