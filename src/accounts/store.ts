/**
 * An account object's own SQLite storage: who the account is (after its first verified sign-in),
 * its session version, its passkeys, and the short-lived sign-in state (open codes, when codes were
 * sent, passkey sign-ins already used). Every function is synchronous.
 */
import { CODE_WINDOW_MS, type OpenCode } from "./rules";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, wrong_tries INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sends (sent_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS used_ceremonies (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS passkeys (
  id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
`;

/** The account's fan as D1 knows them: learned at the first verified sign-in. */
export interface Profile {
  userId: string;
  name: string;
  email: string;
}

export interface StoredPasskey {
  id: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

type Row = Record<string, SqlStorageValue>;

const toPasskey = (r: Row): StoredPasskey => ({
  id: String(r.id),
  publicKey: String(r.public_key),
  counter: Number(r.counter),
  transports: JSON.parse(String(r.transports)) as string[],
  label: String(r.label),
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export class AccountStore {
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec(SCHEMA);
  }

  private meta(key: string): string | undefined {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row === undefined ? undefined : String(row.value);
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  profile(): Profile | undefined {
    const json = this.meta("profile");
    return json === undefined ? undefined : (JSON.parse(json) as Profile);
  }

  setProfile(profile: Profile): void {
    this.setMeta("profile", JSON.stringify(profile));
  }

  sessionVersion(): number {
    return Number(this.meta("session_version") ?? 0);
  }

  setSessionVersion(version: number): void {
    this.setMeta("session_version", String(version));
  }

  // --- sign-in codes ----------------------------------------------------------------------------

  sentAt(): number[] {
    return this.sql
      .exec("SELECT sent_at FROM sends")
      .toArray()
      .map((r) => Number(r.sent_at));
  }

  recordSend(at: number): void {
    this.sql.exec("INSERT INTO sends (sent_at) VALUES (?)", at);
  }

  openCode(nonce: string): OpenCode | undefined {
    const row = this.sql.exec("SELECT expires_at, wrong_tries FROM codes WHERE nonce = ?", nonce).toArray()[0];
    return row && { nonce, expiresAt: Number(row.expires_at), wrongTries: Number(row.wrong_tries) };
  }

  putCode(code: OpenCode): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO codes (nonce, expires_at, wrong_tries) VALUES (?, ?, ?)",
      code.nonce,
      code.expiresAt,
      code.wrongTries,
    );
  }

  endCode(nonce: string): void {
    this.sql.exec("DELETE FROM codes WHERE nonce = ?", nonce);
  }

  // --- passkeys ---------------------------------------------------------------------------------

  passkeys(): StoredPasskey[] {
    return this.sql.exec("SELECT * FROM passkeys ORDER BY created_at, id").toArray().map(toPasskey);
  }

  passkey(id: string): StoredPasskey | undefined {
    const row = this.sql.exec("SELECT * FROM passkeys WHERE id = ?", id).toArray()[0];
    return row && toPasskey(row);
  }

  /** False when this credential is already registered. */
  addPasskey(p: StoredPasskey): boolean {
    const before = this.sql.exec("SELECT 1 FROM passkeys WHERE id = ?", p.id).toArray().length;
    if (before > 0) return false;
    this.sql.exec(
      "INSERT INTO passkeys (id, public_key, counter, transports, label, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      p.id,
      p.publicKey,
      p.counter,
      JSON.stringify(p.transports),
      p.label,
      p.createdAt,
      p.lastUsedAt,
    );
    return true;
  }

  removePasskey(id: string): boolean {
    return this.sql.exec("DELETE FROM passkeys WHERE id = ?", id).rowsWritten > 0;
  }

  passkeyUsed(id: string, counter: number, at: number): void {
    this.sql.exec("UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?", counter, at, id);
  }

  /** Marks a passkey sign-in's challenge used; false when it already was. */
  useCeremony(nonce: string, expiresAt: number): boolean {
    return (
      this.sql.exec("INSERT OR IGNORE INTO used_ceremonies (nonce, expires_at) VALUES (?, ?)", nonce, expiresAt)
        .rowsWritten > 0
    );
  }

  // --- cleaning ---------------------------------------------------------------------------------

  /** Forget what has run out: expired codes, sends outside the window, used ceremonies past their expiry. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM codes WHERE expires_at <= ?", now);
    this.sql.exec("DELETE FROM sends WHERE sent_at <= ?", now - CODE_WINDOW_MS);
    this.sql.exec("DELETE FROM used_ceremonies WHERE expires_at <= ?", now);
  }

  /** When the next short-lived record runs out, if any is left. */
  nextExpiry(): number | undefined {
    const row = this.sql
      .exec(
        `SELECT MIN(t) AS t FROM (
           SELECT MIN(expires_at) AS t FROM codes
           UNION ALL SELECT MIN(sent_at) + ? FROM sends
           UNION ALL SELECT MIN(expires_at) FROM used_ceremonies)`,
        CODE_WINDOW_MS,
      )
      .one();
    return row.t === null ? undefined : Number(row.t);
  }

  /** Nothing worth keeping: an email that never finished a sign-in, once its codes ran out. */
  forgettable(): boolean {
    return this.profile() === undefined && this.nextExpiry() === undefined && this.passkeys().length === 0;
  }
}
