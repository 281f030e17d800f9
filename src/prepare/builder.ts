import { DurableObject } from "cloudflare:workers";
import { writeNextChunk } from "../db/seats";

/** The pause after a chunk, at least: D1 serves other shows' calls between two chunks. */
const MIN_PAUSE_MS = 5;
/** A failing chunk (D1 down) retries from this, doubling up to MAX_RETRY_MS. */
const RETRY_AFTER_MS = 2_000;
const MAX_RETRY_MS = 60_000;

const SHOW_KEY = "showId";

/**
 * One object per show being prepared: its alarm writes the show's seats into D1 one bounded chunk
 * at a time, outside any request, until every seat exists and the show goes on sale. Everything
 * that must survive a crash is in D1 (the seats and the progress commit together), so the object
 * keeps nothing but the show's id and its alarm: after a crash the next alarm carries on from
 * D1's progress. D1 is one single-threaded database for every show, so after each chunk the
 * builder pauses as long as the chunk took: building a show never holds D1 more than half the time,
 * and another show's call never waits behind more than one chunk.
 */
export class ShowBuilder extends DurableObject<Env> {
  /** D1. Tests replace it (through `runInDurableObject`) to inject faults. */
  db: D1Database;
  /** Chunks in a row that failed: the next retry backs off. */
  private failures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = env.DB;
  }

  /** Build this show's seats from where D1 says they stand. Harmless to repeat (the cron does). */
  async start(showId: string): Promise<void> {
    await this.ctx.storage.put(SHOW_KEY, showId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * One chunk. A failure re-arms the alarm itself, backing off, rather than throwing: the runtime
   * retries a throwing alarm only a few times and a D1 outage can last longer.
   */
  override async alarm(): Promise<void> {
    const showId = await this.ctx.storage.get<string>(SHOW_KEY);
    if (!showId) return;
    const started = Date.now();
    try {
      const progress = await writeNextChunk(this.db, showId);
      this.failures = 0;
      if (progress?.status !== "preparing") {
        // Ready (or archived, or gone): nothing left to build, nothing to keep.
        await this.ctx.storage.deleteAll();
        return;
      }
      await this.ctx.storage.setAlarm(Date.now() + Math.max(MIN_PAUSE_MS, Date.now() - started));
    } catch (err) {
      this.failures += 1;
      const delay = Math.min(RETRY_AFTER_MS * 2 ** (this.failures - 1), MAX_RETRY_MS);
      console.error("show builder: chunk failed; retrying", { show: showId, inMs: delay, error: String(err) });
      await this.ctx.storage.setAlarm(Date.now() + delay);
    }
  }
}

/**
 * Right after a show is written: its first chunk of seats at once (a show that fits in one chunk is
 * on sale when its creation answers), then the builder for the rest. Should the builder not start,
 * the cron starts it within a minute: the show stays `preparing` until then, never half on sale.
 */
export async function prepareShow(env: Env, showId: string): Promise<void> {
  const progress = await writeNextChunk(env.DB, showId);
  if (progress?.status === "preparing") await env.BUILDERS.getByName(showId).start(showId);
}
