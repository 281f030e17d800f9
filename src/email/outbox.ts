/**
 * The local mailbox of `EMAIL_PROVIDER=log`: one object per address, so that `GET /dev/outbox`
 * reads what any request (any isolate) sent. Nothing reaches it under another provider. It keeps
 * the last 20 messages of an address for a day.
 */
import { DurableObject } from "cloudflare:workers";

export interface OutboxMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

const KEEP = 20;
const KEEP_MS = 24 * 3600_000;

export class DevOutbox extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, sent_at INTEGER NOT NULL)",
    );
  }

  async deliver(message: OutboxMessage): Promise<void> {
    this.sql.exec("INSERT INTO messages (message, sent_at) VALUES (?, ?)", JSON.stringify(message), Date.now());
    this.sql.exec("DELETE FROM messages WHERE seq NOT IN (SELECT seq FROM messages ORDER BY seq DESC LIMIT ?)", KEEP);
    await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
  }

  /** Oldest first, newest last. */
  messages(): OutboxMessage[] {
    return this.sql
      .exec("SELECT message FROM messages ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(String(r.message)) as OutboxMessage);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
