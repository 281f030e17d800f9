/**
 * "Sign out everywhere" without a lookup per call. A session token carries its account's session
 * version; signing out everywhere raises the version in the account object, which also records
 * `(account, version)` in the one revocation list. Every isolate keeps a copy of that list and
 * brings it up to date at most every 10 s (only the entries added since its last read), so a call
 * checks its token against memory: no D1, no RPC per fan. Revocations are rare and the list small
 * (an entry is dropped once every token it revokes has expired: 30 days). A token signed out
 * everywhere stops working at once in the isolate that did it and within 10 s in every other one.
 */
import { DurableObject } from "cloudflare:workers";

/** How long an isolate trusts its copy of the list. */
export const LIST_TRUST_MS = 10_000;
/** After a failed read, the copy is kept and read again this soon. */
const RETRY_MS = 1_000;
/** How long a call waits for another request's read of the list before reading it itself. */
const READ_WAIT_MS = 200;
const READ_POLL_MS = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Revoked {
  account: string;
  /** Tokens of this account with an older version are over. */
  version: number;
}

export interface ListChanges {
  revoked: Revoked[];
  /** Give it back to get only what changed after this read. */
  cursor: number;
}

/** The list itself: one object, written on each "sign out everywhere", read by every isolate. */
export class RevocationList extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** The object's clock. Tests replace it (through `runInDurableObject`) to move time. */
  now: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS revoked (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL UNIQUE,
      version INTEGER NOT NULL,
      keep_until INTEGER NOT NULL
    )`);
  }

  /** Record that `account`'s sessions older than `version` are over, for as long as a session lasts. */
  async revoke(account: string, version: number, keepMs: number): Promise<void> {
    // Re-inserting gives the row a new seq, so readers with an older cursor see it again.
    this.sql.exec(
      "INSERT OR REPLACE INTO revoked (account, version, keep_until) VALUES (?, MAX(?, COALESCE((SELECT version FROM revoked WHERE account = ?), 0)), ?)",
      account,
      version,
      account,
      this.now() + keepMs,
    );
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null) await this.ctx.storage.setAlarm(this.now() + keepMs);
  }

  /** What was recorded after `cursor` (everything for 0). */
  changesSince(cursor: number): ListChanges {
    const rows = this.sql
      .exec("SELECT seq, account, version FROM revoked WHERE seq > ? ORDER BY seq", cursor)
      .toArray();
    const last = rows.at(-1);
    return {
      revoked: rows.map((r) => ({ account: String(r.account), version: Number(r.version) })),
      cursor: last ? Number(last.seq) : cursor,
    };
  }

  /** Forget entries whose sessions have all expired; an isolate's copy may keep them, harmlessly. */
  override async alarm(): Promise<void> {
    this.sql.exec("DELETE FROM revoked WHERE keep_until <= ?", this.now());
    const next = this.sql.exec("SELECT MIN(keep_until) AS t FROM revoked").one().t;
    if (next !== null) await this.ctx.storage.setAlarm(Number(next));
  }
}

export function revocationList(env: Pick<Env, "REVOCATIONS">) {
  return env.REVOCATIONS.getByName("global");
}

/** An isolate's copy of the list. */
export class RevocationCache {
  private readonly versions = new Map<string, number>();
  private cursor = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  /** When a read under way started (by this isolate's clock), if one is. */
  private readingSince: number | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * The oldest session version of `account` still valid, from a copy at most 10 s old. One read
   * at a time: a call arriving meanwhile waits for its end on its own timer, never on the reading
   * request's promise (in Workers that promise dies with its request: a fan who went away), and
   * reads itself if it has not ended within `READ_WAIT_MS`.
   */
  async minVersion(account: string, read: (cursor: number) => Promise<ListChanges>): Promise<number> {
    if (this.stale()) {
      const since = this.readingSince;
      if (since !== undefined && this.now() - since < READ_WAIT_MS) {
        const deadline = Date.now() + READ_WAIT_MS;
        while (this.stale() && this.readingSince === since && Date.now() < deadline) await sleep(READ_POLL_MS);
      }
      if (this.stale()) {
        const mine = this.now();
        this.readingSince = mine;
        try {
          await this.refresh(read);
        } finally {
          if (this.readingSince === mine) this.readingSince = undefined;
        }
      }
    }
    return this.versions.get(account) ?? 0;
  }

  private stale(): boolean {
    return this.now() - this.readAt >= LIST_TRUST_MS;
  }

  /** A revocation this isolate made itself holds here at once. */
  note(revoked: Revoked): void {
    this.versions.set(revoked.account, Math.max(revoked.version, this.versions.get(revoked.account) ?? 0));
  }

  private async refresh(read: (cursor: number) => Promise<ListChanges>): Promise<void> {
    const startedAt = this.now();
    let changes: ListChanges;
    try {
      changes = await read(this.cursor);
    } catch (err) {
      // Without any copy yet, nothing can be checked: the call fails. With one, the sale goes on
      // with it (revocations are rare) and the next call tries again in a second.
      if (this.readAt === Number.NEGATIVE_INFINITY) throw err;
      console.error("revocation list unreachable: checking sessions against the copy read before", { error: err });
      this.readAt = startedAt - LIST_TRUST_MS + RETRY_MS;
      return;
    }
    for (const r of changes.revoked) this.note(r);
    this.cursor = changes.cursor;
    this.readAt = startedAt;
  }
}
