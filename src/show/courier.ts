/**
 * The coordinator's deliveries to its lanes (#13): each fan's changed state to the lane that holds
 * the fan (the mails the store keeps in `lane_mail` until the lane confirms them), and the view
 * to every lane. It runs beside the object's serial executor, never inside it: a lane may be
 * waiting on the coordinator while it is delivered to, and the coordinator must not wait on it in
 * turn. A mail stays owed until the lane's receipt is recorded, so a delivery that fails (or whose
 * receipt is lost) is simply made again: by the next change, or by the alarm after
 * `MAIL_RETRY_MS`. Views go out at most once per `VIEW_INTERVAL_MS` per lane unless forced.
 */
import type { Counters } from "../do/metrics";
import type { DeliveryReceipt, LaneMail, LaneView } from "../lanes/protocol";
import type { PendingMail } from "./store";

/** A mail not confirmed is sent again after this long. */
export const MAIL_RETRY_MS = 2_000;
/** A lane gets the view at most this often (its mails go out at once). */
export const VIEW_INTERVAL_MS = 750;

export interface CourierDeps {
  lanes(): number;
  /** What the lanes are owed now (cheap: the fans and versions only). */
  owed(): PendingMail[];
  /** A fan's mail as of now. */
  mail(fanId: string): LaneMail | undefined;
  viewVersion(): number;
  view(): LaneView;
  /** When the view must be made again though nothing changed (a merge held back is due), and making it so. */
  viewRefreshAt(): number | undefined;
  refreshView(): void;
  send(lane: number, mails: LaneMail[], view: LaneView | undefined): Promise<DeliveryReceipt>;
  /** A lane's receipt, recorded as a step of the sale. */
  received(lane: number, receipt: DeliveryReceipt): Promise<void>;
  /** A delivery failed: the object keeps its alarm for the retry (`retryAt`). */
  failed(lane: number, error: unknown): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  metrics?: Counters;
}

export class Courier {
  /** Each fan's last mail sent: its version and when (a mail is sent again only once it is due). */
  private readonly sent = new Map<string, { version: number; at: number }>();
  private readonly viewSent = new Map<number, { version: number; at: number }>();
  private readonly failures = new Map<number, number>();
  private running: Promise<void> | undefined;
  private again = false;
  private forced = false;
  private waking: number | undefined;
  private flushing = 0;
  /** The interval a view was held back for has passed (by the timer: the object's clock may stand still). */
  private viewsDue = false;

  constructor(private readonly deps: CourierDeps) {}

  /** Something changed: deliver what is owed (with `force`, the view too, whenever it was last sent). */
  kick(force = false): void {
    this.forced ||= force;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = undefined;
    });
  }

  /**
   * Deliver what is owed now (with `views`: every mail not confirmed yet, however recently sent,
   * the view whenever it was last sent, and to lanes that failed a moment ago) and resolve once
   * tried: a failure is left to the alarm.
   */
  async flush(views = true): Promise<void> {
    // Every round until then is forced: what a receipt changes on the way goes out too.
    if (views) this.flushing += 1;
    try {
      this.kick(views);
      while (this.running) await this.running;
    } finally {
      if (views) this.flushing -= 1;
    }
  }

  /** The reply to a lane's own call carried these mails and this view: they count as delivered once sent. */
  carried(lane: number, mails: LaneMail[], viewVersion: number | undefined): void {
    const at = this.deps.now();
    for (const m of mails) this.sent.set(m.fanId, { version: m.version, at });
    if (viewVersion !== undefined) this.viewSent.set(lane, { version: viewVersion, at });
  }

  /** The version of the view a lane last got (0: none known), for the reply to its own call. */
  viewOf(lane: number): number {
    return this.viewSent.get(lane)?.version ?? 0;
  }

  /** When a failed delivery is due again. */
  retryAt(): number | undefined {
    if (this.failures.size === 0) return undefined;
    return Math.min(...this.failures.values()) + MAIL_RETRY_MS;
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      const force = this.forced || this.flushing > 0;
      this.forced = false;
      await this.round(force);
    } while (this.again);
  }

  private async round(force: boolean): Promise<void> {
    const now = this.deps.now();
    const viewsDue = force || this.viewsDue;
    this.viewsDue = false;
    const refresh = this.deps.viewRefreshAt();
    if (refresh !== undefined && (refresh <= now || viewsDue)) this.deps.refreshView();
    const version = this.deps.viewVersion();
    const targets = new Map<number, { mails: LaneMail[]; view: boolean }>();
    // A lane that just failed is tried again by the alarm (or a forced round), not by every change.
    const resting = (lane: number) =>
      !force && now - (this.failures.get(lane) ?? Number.NEGATIVE_INFINITY) < MAIL_RETRY_MS;
    for (const p of this.deps.owed()) {
      if (resting(p.lane)) continue;
      const s = this.sent.get(p.fanId);
      if (!force && s && s.version >= p.version && now - s.at < MAIL_RETRY_MS) continue;
      const mail = this.deps.mail(p.fanId);
      if (!mail) continue;
      const target = targets.get(p.lane) ?? { mails: [], view: false };
      target.mails.push(mail);
      targets.set(p.lane, target);
    }
    let later: number | undefined;
    for (let lane = 0; lane < this.deps.lanes(); lane++) {
      const last = this.viewSent.get(lane);
      if ((last && last.version >= version) || resting(lane)) continue;
      const dueAt = last ? last.at + VIEW_INTERVAL_MS : now;
      const target = targets.get(lane);
      if (viewsDue || now >= dueAt || target) {
        if (target) target.view = true;
        else targets.set(lane, { mails: [], view: true });
      } else later = Math.min(later ?? dueAt, dueAt);
    }
    if (targets.size > 0) {
      const view = [...targets.values()].some((t) => t.view) ? this.deps.view() : undefined;
      await Promise.all([...targets].map(([lane, t]) => this.deliver(lane, t.mails, t.view ? view : undefined, now)));
    }
    const again = this.deps.viewRefreshAt();
    if (again !== undefined) later = Math.min(later ?? again, again);
    if (later !== undefined) this.wakeAt(later);
  }

  private async deliver(lane: number, mails: LaneMail[], view: LaneView | undefined, now: number): Promise<void> {
    for (const m of mails) this.sent.set(m.fanId, { version: m.version, at: now });
    if (view) this.viewSent.set(lane, { version: view.version, at: now });
    this.deps.metrics?.add("deliveries");
    this.deps.metrics?.add("mailsSent", mails.length);
    if (view) this.deps.metrics?.add("viewsSent");
    try {
      const receipt = await this.deps.send(lane, mails, view);
      this.failures.delete(lane);
      if (Object.keys(receipt.acks).length > 0 || receipt.declines.length > 0) await this.deps.received(lane, receipt);
    } catch (err) {
      this.deps.metrics?.add("deliveryFailures");
      this.failures.set(lane, now);
      // The view goes again with the next round; mails once due (the alarm comes for them).
      this.viewSent.delete(lane);
      this.deps.failed(lane, err);
    }
  }

  /** Run a round at `at` (a view held back by its interval). */
  private wakeAt(at: number): void {
    if (this.waking !== undefined && this.waking <= at) return;
    this.waking = at;
    this.deps
      .sleep(Math.max(0, at - this.deps.now()))
      .then(() => {
        this.waking = undefined;
        this.viewsDue = true;
        this.kick();
      })
      .catch(() => {
        this.waking = undefined;
      });
  }
}
