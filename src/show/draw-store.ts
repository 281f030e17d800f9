/**
 * The fair opening's storage (#14), synchronous like the rest of an object's storage. `DrawSeed`
 * is the show object's alone: the secret seed, kept from the show's creation, revealed at the draw
 * and never before. `Prequeue` is kept by whichever object takes the fans' calls (the show's object
 * with one lane, each lane with K): the fans waiting for the draw, then, from the draw on, the
 * entrants with their keys (what `GET /api/shows/:showId/draw` lists). The tables are created on the
 * first write: an object that never had a pre-queue keeps none.
 */
import type { DrawnClass } from "./draw";
import type { TicketClass } from "./types";

type Row = Record<string, SqlStorageValue>;

abstract class Tables {
  private ready = false;
  protected readonly sql: SqlStorage;

  constructor(
    storage: DurableObjectStorage,
    private readonly schema: string,
    private readonly probe: string,
  ) {
    this.sql = storage.sql;
  }

  protected rows(query: string, ...params: SqlStorageValue[]): Row[] {
    if (!this.exists()) return [];
    return this.sql.exec<Row>(query, ...params).toArray();
  }

  protected write(query: string, ...params: SqlStorageValue[]): void {
    if (!this.exists()) {
      this.sql.exec(this.schema);
      this.ready = true;
    }
    this.sql.exec(query, ...params);
  }

  private exists(): boolean {
    if (!this.ready) {
      this.ready =
        this.sql.exec("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", this.probe).toArray()
          .length > 0;
    }
    return this.ready;
  }
}

/** The show's secret seed and when it was revealed: one row. */
export class DrawSeed extends Tables {
  constructor(storage: DurableObjectStorage) {
    super(
      storage,
      `CREATE TABLE IF NOT EXISTS draw_seed (id INTEGER PRIMARY KEY CHECK (id = 1), seed TEXT NOT NULL, drawn_at INTEGER);
       -- With lanes: the lanes that reported their own draw.
       CREATE TABLE IF NOT EXISTS draw_lanes (lane INTEGER PRIMARY KEY);`,
      "draw_seed",
    );
  }

  /** The seed, drawn by `make` the first time (a repeated creation keeps the first one). */
  commit(make: () => string): string {
    this.write("INSERT OR IGNORE INTO draw_seed (id, seed) VALUES (1, ?)", make());
    return String(this.rows("SELECT seed FROM draw_seed WHERE id = 1")[0]?.seed);
  }

  has(): boolean {
    return this.rows("SELECT 1 AS x FROM draw_seed").length > 0;
  }

  /** The seed, for the draw itself only: never answered to anyone before `revealed`. */
  secret(): string | undefined {
    const r = this.rows("SELECT seed FROM draw_seed WHERE id = 1")[0];
    return r ? String(r.seed) : undefined;
  }

  reveal(at: number): void {
    this.write("UPDATE draw_seed SET drawn_at = ? WHERE id = 1 AND drawn_at IS NULL", at);
  }

  /** With lanes: this lane reported that it made its draw. */
  laneDrew(lane: number): void {
    this.write("INSERT OR IGNORE INTO draw_lanes (lane) VALUES (?)", lane);
  }

  lanesDrawn(): number {
    return Number(this.rows("SELECT COUNT(*) AS n FROM draw_lanes")[0]?.n ?? 0);
  }

  /** The seed and the draw's time, once it happened; undefined before. */
  revealed(): { seed: string; drawnAt: number } | undefined {
    const r = this.rows("SELECT seed, drawn_at FROM draw_seed WHERE id = 1 AND drawn_at IS NOT NULL")[0];
    return r ? { seed: String(r.seed), drawnAt: Number(r.drawn_at) } : undefined;
  }
}

export interface PrequeueEntry extends TicketClass {
  fanId: string;
  joinedAt: number;
}

/** The fans waiting for the draw, then the draw's entrants. */
export class Prequeue extends Tables {
  constructor(storage: DurableObjectStorage) {
    super(
      storage,
      `CREATE TABLE IF NOT EXISTS prequeue (
         fan_id TEXT PRIMARY KEY,
         sector TEXT NOT NULL,
         meia INTEGER NOT NULL,
         joined_at INTEGER NOT NULL,
         -- Set at the draw: the fan's key (the lowercase hex SHA-256 of seedHex:fanId).
         drawn_key TEXT
       ) WITHOUT ROWID;
       CREATE TABLE IF NOT EXISTS prequeue_drawn (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);`,
      "prequeue",
    );
  }

  join(fanId: string, c: TicketClass, at: number): void {
    this.write(
      "INSERT OR REPLACE INTO prequeue (fan_id, sector, meia, joined_at) VALUES (?, ?, ?, ?)",
      fanId,
      c.sector,
      c.meia ? 1 : 0,
      at,
    );
  }

  /** The fan leaves the pre-queue before the draw (a cancel): not an entrant. */
  leave(fanId: string): void {
    this.write("DELETE FROM prequeue WHERE fan_id = ? AND drawn_key IS NULL", fanId);
  }

  /** Fans waiting for the draw. */
  waiting(): PrequeueEntry[] {
    if (this.isDrawn()) return [];
    return this.rows("SELECT * FROM prequeue WHERE drawn_key IS NULL ORDER BY fan_id").map((r) => ({
      fanId: String(r.fan_id),
      sector: String(r.sector),
      meia: r.meia === 1,
      joinedAt: Number(r.joined_at),
    }));
  }

  /** Record the draw: every entrant's key (call inside the transaction that places them). */
  record(keys: { fanId: string; key: string }[], at: number): void {
    for (const { fanId, key } of keys) this.write("UPDATE prequeue SET drawn_key = ? WHERE fan_id = ?", key, fanId);
    this.write("INSERT OR IGNORE INTO prequeue_drawn (id, at) VALUES (1, ?)", at);
  }

  isDrawn(): boolean {
    return this.rows("SELECT 1 AS x FROM prequeue_drawn").length > 0;
  }

  /** Every fan of each class in the pre-queue at the draw, with its key, in key order; none before it. */
  entrants(): DrawnClass[] {
    const byClass = new Map<string, DrawnClass>();
    for (const r of this.rows(
      "SELECT fan_id, sector, meia, drawn_key FROM prequeue WHERE drawn_key IS NOT NULL ORDER BY drawn_key, fan_id",
    )) {
      const c = { sector: String(r.sector), meia: r.meia === 1 };
      const k = `${c.sector}\u0000${c.meia}`;
      const entry = byClass.get(k) ?? { ...c, drawn: [] };
      entry.drawn.push({ fanId: String(r.fan_id), key: String(r.drawn_key) });
      byClass.set(k, entry);
    }
    return [...byClass.values()];
  }
}
