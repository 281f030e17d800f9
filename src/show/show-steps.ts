/**
 * How the show's object runs its calls: one at a time (the serial executor, consecutive calls of a
 * kind batched into one step), each as one step of the sale (src/show/sale.ts) on the show D1 has
 * on sale, and what a step changed carried out whether it succeeded or failed: the fans told (on
 * the object's sockets, or by the lane hub to the lanes'), the alarm kept for the next deadline.
 * It keeps the one thing a step leaves to the next (`pending`: a fresh instance owes a reconcile
 * with D1, which its first step makes, where a failure is answered and retried like any other).
 */
import { AlarmScheduler } from "../do/alarm";
import type { SerialExecutor } from "../do/serial";
import type { LaneHub } from "./lane-hub";
import { AT_START, type Pending, RETRY_AFTER_MS, type Refusal, type Sale, type SaleStep } from "./sale";
import type { ShowSockets } from "./show-sockets";

/** A failing alarm retries after RETRY_AFTER_MS, doubling with every failure in a row up to this. */
const MAX_ALARM_RETRY_MS = 60_000;

/** The body of a step that only settles what is due (the alarm, the cron's poke), and its answer without a show. */
export const nothing = () => undefined;

export interface ShowStepsParts {
  /** The object's one serial executor (its batches are the shell's: `step` runs inside them). */
  serial: SerialExecutor;
  storage: DurableObjectStorage;
  sale: Sale;
  sockets: ShowSockets;
  hub: LaneHub;
  now(): number;
  showId: string;
}

export class ShowSteps {
  private readonly alarms: AlarmScheduler;
  private pending: Pending = AT_START;

  constructor(private readonly parts: ShowStepsParts) {
    this.alarms = new AlarmScheduler(parts.storage, () => parts.now(), {
      firstMs: RETRY_AFTER_MS,
      maxMs: MAX_ALARM_RETRY_MS,
    });
  }

  /** One call, serialized, as one step of the sale; `refuse` answers without a show on sale. */
  call<T>(body: (s: SaleStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    return this.parts.serial.run(() => this.step(body, refuse));
  }

  /**
   * The alarm: expiries and retries. When the step fails (D1 down), the scheduler re-arms the alarm
   * itself, backing off, rather than throwing: an outage can outlast the runtime's retries, and the
   * cron's sweep cannot see work whose D1 write already committed (a release whose answer was lost).
   */
  async alarm(): Promise<void> {
    await this.parts.serial.run(async () => {
      const failed = await this.alarms.fired(() => this.step(nothing, nothing));
      if (failed)
        console.error("alarm: the sale's step failed; the alarm retries", { show: this.parts.showId, ...failed });
    });
  }

  /** A step, inside a task of the serial executor already (a batch's). */
  async step<T>(body: (s: SaleStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    const { sale, sockets, hub } = this.parts;
    const config = await sale.rules();
    if ("ok" in config) return refuse(config);
    const step = await sale.step(config, this.pending, body);
    this.pending = step.pending;
    // With lanes the fans' sockets are the lanes': the hub delivers, and mails stay owed until confirmed.
    let mailRetry: number | undefined;
    if (config.lanes > 1) mailRetry = hub.stepped(config, step.touched);
    else sockets.changed(step.changed);
    await this.alarms.keep(step.wakeAt, mailRetry, hub.retryAt());
    if (!step.ok) throw step.error;
    return step.value;
  }
}
