/**
 * The coordinator's record of its lanes (#13), in the show object's own SQLite: per lane and class,
 * the first waiting fans the lane reported (its buffer), whether it has more, how many wait, and a
 * sample of its queue further back. Synchronous, like the store.
 *
 * The order rule: a lane's reported fans are its lowest keys of the class, so a fan it did not
 * report has a key above the last one it did (its `tail`). A fan may therefore be admitted only if
 * its key is at most the lowest tail of the lanes that have more (the frontier): beyond it, an
 * earlier fan may wait unreported. A lane whose reported fans were all admitted while it has more
 * holds its class up at that tail until it refills (`blocked`); it refills long before that, once
 * fewer than LOW_WATER of its reported fans wait.
 */
import type { ClassReport, SamplePoint } from "../lanes/protocol";
import { HEAD_SIZE } from "../lanes/protocol";
import type { LaneQueue } from "../lanes/sketch";
import type { QueueEntry } from "./store";
import type { TicketClass } from "./types";
import type { WaitingLine } from "./waiting-line";

export const LANE_SCHEMA = `
CREATE TABLE IF NOT EXISTS lane_buffer (
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  key TEXT NOT NULL,
  lane INTEGER NOT NULL,
  fan_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (sector, meia, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lane_buffer_lane ON lane_buffer (lane, sector, meia, key);
CREATE INDEX IF NOT EXISTS lane_buffer_fan ON lane_buffer (fan_id);
CREATE TABLE IF NOT EXISTS lane_class (
  lane INTEGER NOT NULL,
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  version INTEGER NOT NULL,
  tail TEXT,
  more INTEGER NOT NULL,
  waiting INTEGER NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  sample TEXT NOT NULL DEFAULT '[]',
  sample_consumed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (lane, sector, meia)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lane_admitted (
  sector TEXT NOT NULL,
  meia INTEGER NOT NULL,
  admitted INTEGER NOT NULL,
  PRIMARY KEY (sector, meia)
) WITHOUT ROWID;
`;

type Row = Record<string, SqlStorageValue>;

const toEntry = (r: Row): QueueEntry => ({
  seq: Number(r.seq),
  fanId: String(r.fan_id),
  sector: String(r.sector),
  meia: r.meia === 1,
  lane: Number(r.lane),
  key: String(r.key),
});

export class LaneBuffers implements WaitingLine {
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  private rows(query: string, ...params: SqlStorageValue[]): Row[] {
    return this.sql.exec<Row>(query, ...params).toArray();
  }

  private one(query: string, ...params: SqlStorageValue[]): Row | undefined {
    return this.rows(query, ...params)[0];
  }

  /** The highest key that may be admitted in the class (undefined: any), and whether a lane holds it there. */
  private frontier(c: TicketClass): { frontier: string | undefined; blocking: boolean } {
    const r = this.one(
      "SELECT MIN(tail) AS frontier, COUNT(*) AS n FROM lane_class WHERE sector = ? AND meia = ? AND more = 1",
      c.sector,
      c.meia ? 1 : 0,
    );
    const blocking = Number(r?.n ?? 0) > 0;
    return { frontier: blocking && r?.frontier !== null ? String(r?.frontier) : undefined, blocking };
  }

  // --- the waiting line ---------------------------------------------------------------------------

  heads(c: TicketClass, limit: number): QueueEntry[] {
    const { frontier } = this.frontier(c);
    return this.rows(
      `SELECT * FROM lane_buffer WHERE sector = ?1 AND meia = ?2 AND (?3 IS NULL OR key <= ?3) ORDER BY key LIMIT ?4`,
      c.sector,
      c.meia ? 1 : 0,
      frontier ?? null,
      limit,
    ).map(toEntry);
  }

  taken(entry: QueueEntry): void {
    this.sql.exec(
      "DELETE FROM lane_buffer WHERE sector = ? AND meia = ? AND key = ?",
      entry.sector,
      entry.meia ? 1 : 0,
      entry.key ?? "",
    );
    this.sql.exec(
      "UPDATE lane_class SET consumed = consumed + 1, sample_consumed = sample_consumed + 1 WHERE lane = ? AND sector = ? AND meia = ?",
      entry.lane ?? 0,
      entry.sector,
      entry.meia ? 1 : 0,
    );
    this.sql.exec(
      `INSERT INTO lane_admitted (sector, meia, admitted) VALUES (?, ?, 1)
       ON CONFLICT (sector, meia) DO UPDATE SET admitted = admitted + 1`,
      entry.sector,
      entry.meia ? 1 : 0,
    );
  }

  entryOf(fanId: string): QueueEntry | undefined {
    const r = this.one("SELECT * FROM lane_buffer WHERE fan_id = ?", fanId);
    return r ? toEntry(r) : undefined;
  }

  /** The lanes tell their own fans (the view says the class sold out): only the buffers go. */
  closeClass(c: TicketClass): QueueEntry[] {
    this.sql.exec("DELETE FROM lane_buffer WHERE sector = ? AND meia = ?", c.sector, c.meia ? 1 : 0);
    return [];
  }

  blocked(c: TicketClass): boolean {
    return this.frontier(c).blocking;
  }

  // --- the lanes' reports -------------------------------------------------------------------------

  /**
   * A lane's report of one class, when newer than the last: its buffer replaces the one kept.
   * Reported fans the coordinator has already acted on (`acted`: admitted or refused from that very
   * place, the lane not knowing it yet) are left out and answered: the fans to mail again; and the
   * keys it had not known (how long after its stamp a fan reached the coordinator, for the bench).
   */
  apply(
    lane: number,
    report: ClassReport,
    acted: (fanId: string, seq: number) => boolean,
  ): { remail: string[]; learned: string[] } | undefined {
    const m = report.meia ? 1 : 0;
    const stored = this.one(
      "SELECT version FROM lane_class WHERE lane = ? AND sector = ? AND meia = ?",
      lane,
      report.sector,
      m,
    );
    if (stored && Number(stored.version) >= report.version) return undefined;
    const known = new Set(
      this.rows("SELECT key FROM lane_buffer WHERE lane = ? AND sector = ? AND meia = ?", lane, report.sector, m).map(
        (r) => String(r.key),
      ),
    );
    this.sql.exec("DELETE FROM lane_buffer WHERE lane = ? AND sector = ? AND meia = ?", lane, report.sector, m);
    const remail: string[] = [];
    const learned: string[] = [];
    for (const e of report.entries) {
      if (acted(e.fanId, e.seq)) {
        remail.push(e.fanId);
        continue;
      }
      if (!known.has(e.key)) learned.push(e.key);
      this.sql.exec(
        "INSERT OR REPLACE INTO lane_buffer (sector, meia, key, lane, fan_id, seq) VALUES (?, ?, ?, ?, ?, ?)",
        report.sector,
        m,
        e.key,
        lane,
        e.fanId,
        e.seq,
      );
    }
    const tail = report.entries.at(-1)?.key ?? null;
    this.sql.exec(
      `INSERT INTO lane_class (lane, sector, meia, version, tail, more, waiting, consumed, sample, sample_consumed)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, '[]'), ?8)
       ON CONFLICT (lane, sector, meia) DO UPDATE SET version = ?4, tail = ?5, more = ?6, waiting = ?7, consumed = ?8,
         sample = coalesce(?9, sample), sample_consumed = CASE WHEN ?9 IS NULL THEN sample_consumed ELSE ?8 END`,
      lane,
      report.sector,
      m,
      report.version,
      tail,
      report.more ? 1 : 0,
      report.waiting,
      remail.length,
      report.sample === undefined ? null : JSON.stringify(report.sample),
    );
    return { remail, learned };
  }

  // --- what the lanes learn -----------------------------------------------------------------------

  /** Admissions so far in the class (only grows). */
  admitted(c: TicketClass): number {
    const r = this.one("SELECT admitted FROM lane_admitted WHERE sector = ? AND meia = ?", c.sector, c.meia ? 1 : 0);
    return Number(r?.admitted ?? 0);
  }

  /** The first fans of the class across lanes that may be admitted now: their order is exact. */
  head(c: TicketClass): [string, number][] {
    return this.heads(c, HEAD_SIZE).map((e) => [e.key ?? "", e.lane ?? 0]);
  }

  /** Fans waiting in every lane, as last reported, less those admitted since. */
  waiting(c: TicketClass): number {
    const r = this.one(
      "SELECT SUM(waiting - consumed) AS n FROM lane_class WHERE sector = ? AND meia = ?",
      c.sector,
      c.meia ? 1 : 0,
    );
    return Math.max(0, Number(r?.n ?? 0));
  }

  /** Fans waiting in each of `lanes` lanes, as last reported, less those admitted since. */
  laneWaiting(c: TicketClass, lanes: number): number[] {
    const out = Array.from({ length: lanes }, () => 0);
    for (const r of this.rows(
      "SELECT lane, waiting - consumed AS n FROM lane_class WHERE sector = ? AND meia = ?",
      c.sector,
      c.meia ? 1 : 0,
    )) {
      const lane = Number(r.lane);
      if (lane < lanes) out[lane] = Math.max(0, Number(r.n));
    }
    return out;
  }

  /** Each lane's queue of the class, as the merged sample reads it (src/lanes/sketch.ts). */
  queues(c: TicketClass): LaneQueue[] {
    const m = c.meia ? 1 : 0;
    const lanes = this.rows("SELECT * FROM lane_class WHERE sector = ? AND meia = ? ORDER BY lane", c.sector, m);
    return lanes.map((l) => {
      const lane = Number(l.lane);
      const head = this.rows(
        "SELECT key FROM lane_buffer WHERE lane = ? AND sector = ? AND meia = ? ORDER BY key",
        lane,
        c.sector,
        m,
      ).map((r) => String(r.key));
      const since = Number(l.sample_consumed);
      const sample = (JSON.parse(String(l.sample)) as SamplePoint[]).map(
        ([key, ahead]): SamplePoint => [key, ahead - since],
      );
      return { head, sample, waiting: Number(l.waiting) - Number(l.consumed) };
    });
  }

  /** Whether anything about the class's lanes is known (a class nobody waited for has no record). */
  known(c: TicketClass): boolean {
    return (
      this.one("SELECT 1 AS x FROM lane_class WHERE sector = ? AND meia = ? LIMIT 1", c.sector, c.meia ? 1 : 0) !==
      undefined
    );
  }
}
