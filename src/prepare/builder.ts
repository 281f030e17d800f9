import { DurableObject } from "cloudflare:workers";
import { writeNextChunk } from "../db/seats";
import { AlarmScheduler } from "../do/alarm";
import { type ObjectIo, objectIo } from "../do/io";
import { sharedAnswers } from "../edge/shared-cache";

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
  private readonly io: ObjectIo;
  private readonly alarms: AlarmScheduler;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.io = objectIo(builderIoName(ctx.id.name ?? ""), env.DB);
    this.alarms = new AlarmScheduler(ctx.storage, () => this.io.now(), {
      firstMs: RETRY_AFTER_MS,
      maxMs: MAX_RETRY_MS,
    });
  }

  /** Build this show's seats from where D1 says they stand. Harmless to repeat (the cron does). */
  async start(showId: string): Promise<void> {
    await this.ctx.storage.put(SHOW_KEY, showId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(this.io.now());
  }

  /** One chunk; a failing one re-arms the alarm, backing off, for as long as D1 fails. */
  override async alarm(): Promise<void> {
    const showId = await this.ctx.storage.get<string>(SHOW_KEY);
    if (!showId) return;
    const failed = await this.alarms.fired(async () => {
      const started = this.io.now();
      const progress = await writeNextChunk(this.io.db().$client, showId);
      if (progress?.status !== "preparing") {
        // Ready (or archived, or gone): nothing left to build, nothing to keep. On sale at last:
        // the answers that said "being prepared" go, where this object's purge reaches (its
        // isolate, its data center); elsewhere their TTL ends them within seconds.
        await this.ctx.storage.deleteAll();
        if (progress?.status === "ready") await sharedAnswers.purgeShow(showId);
        return;
      }
      const took = this.io.now() - started;
      await this.alarms.keep(this.io.now() + Math.max(MIN_PAUSE_MS, took));
    });
    if (failed) {
      console.error("show builder: chunk failed; retrying", {
        show: showId,
        inMs: failed.retryInMs,
        error: String(failed.error),
      });
    }
  }
}

/** The name under which a show's builder takes its D1 and clock (`src/do/io.ts`), apart from the show's object. */
export function builderIoName(showId: string): string {
  return `builder:${showId}`;
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
