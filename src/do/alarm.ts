/**
 * A Durable Object's one alarm, kept at the earliest deadline its work has (a hold's expiry, a
 * retry), and re-armed with backoff when the work it fires fails. Alarms are at-least-once and may
 * fire late, early or twice, so the work must be idempotent: the scheduler only decides when.
 */
export interface Backoff {
  /** The first retry after a failure, doubling with every failure in a row... */
  firstMs: number;
  /** ...up to this, for as long as the failures last. */
  maxMs: number;
}

export class AlarmScheduler {
  /** The alarm as last set or read; undefined until read (after a start, or once it fired). */
  private at: number | null | undefined;
  private failures = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly now: () => number,
    readonly backoff: Backoff,
  ) {}

  /**
   * Keep the alarm at the earliest of `deadlines` (none: no alarm). Called after every change, so
   * the alarm is read from storage once and then only written when it moves.
   */
  async keep(...deadlines: (number | undefined)[]): Promise<void> {
    const due = deadlines.filter((t): t is number => t !== undefined);
    const next = due.length > 0 ? Math.min(...due) : null;
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    if (next === this.at) return;
    if (next === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(next);
    this.at = next;
  }

  /**
   * The alarm fired: run its work. When the work fails, the alarm is re-armed here, backing off,
   * rather than thrown to the runtime, which retries a throwing alarm only a few times while an
   * outage can last longer. Answers the failure and the delay of its retry, if the work failed.
   */
  async fired(work: () => Promise<void>): Promise<{ error: unknown; retryInMs: number } | undefined> {
    // The alarm that fired is gone; whatever it stood for, the work sets again (`keep`).
    this.at = undefined;
    try {
      await work();
      this.failures = 0;
      return undefined;
    } catch (error) {
      this.failures += 1;
      const retryInMs = Math.min(this.backoff.firstMs * 2 ** (this.failures - 1), this.backoff.maxMs);
      // Directly, not through `keep`: a deadline already past would set it in the past and spin.
      this.at = this.now() + retryInMs;
      await this.storage.setAlarm(this.at);
      return { error, retryInMs };
    }
  }
}
