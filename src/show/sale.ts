/**
 * The sale of one show, carried out over the object's own storage (`ShowStore`) and the show's
 * tickets in D1 (`ShowLedger`). D1 is written first and is the record of tickets; the object's
 * storage holds the queue. The rules themselves are plain functions (src/show/rules.ts).
 *
 * Work comes in steps, one per serialized call of the object: `Sale.step` first settles what is due
 * (a reconcile the last steps left owing, holds past their time, free tickets to offer), then runs
 * the call's body. A step never throws and shares nothing with the next one: it answers what
 * changed (`Step`), which the object's shell carries out: the value or the error for the caller,
 * the fans to notify, when to wake next, and what the next step owes first (`Pending`).
 */
import type { Counters } from "../do/metrics";
import { MESSAGES } from "../errors";
import { stampOf } from "../lanes/key";
import type { LaneReport } from "../lanes/protocol";
import { classOf, fanState, ticketView } from "./fan-state";
import type { LaneBuffers } from "./lane-buffers";
import type { ShowLedger } from "./ledger";
import { LANE_DRAW_WAIT_MS, type Opening } from "./opening";
import {
  admissionsFor,
  classKey,
  decideBook,
  decideGrace,
  decideRequest,
  type HoldRecord,
  isSoldOut,
  queued,
  reconcilePlan,
  sameClass,
} from "./rules";
import type { QueueEntry, ShowStore } from "./store";
import type { FanState, HoldCheck, Outcome, ShowConfig, TicketClass } from "./types";
import type { WaitingLine } from "./waiting-line";

/** How soon to try again when D1 failed under an admission or a reconcile is owed. */
export const RETRY_AFTER_MS = 2_000;

/** What the next step owes before its own work. */
export interface Pending {
  /**
   * D1 may have what the object does not know: a D1 write threw (it may have committed all the
   * same, only the answer was lost), or the object has just started (it may have died between a
   * D1 write and its own). Reconcile before the next decision.
   */
  reconcile: boolean;
  /** Offer every class its free tickets (a D1 fault under an admission, a reconcile): the alarm wakes the object for it then. */
  retryAt: number | undefined;
}

/** A fresh instance owes a reconcile, and with it an offer of every free ticket. */
export const AT_START: Pending = { reconcile: true, retryAt: undefined };

/** What one step did. */
export type Step<T> = {
  /** Fans whose state changed, each with its state when the step answered it (nothing changes after). */
  changed: Map<string, FanState | undefined>;
  pending: Pending;
  /** When the object must wake up: the earliest hold expiry, or a retry. */
  wakeAt: number | undefined;
  /** Classes whose counts or first waiting fans changed (with lanes: what the lanes' view shows). */
  touched: TicketClass[];
} & ({ ok: true; value: T } | { ok: false; error: unknown });

export interface SaleParts {
  storage: DurableObjectStorage;
  store: ShowStore;
  ledger: ShowLedger;
  /** Where the fans to admit next are: the store's own queue, or (with lanes) the lanes' buffers. */
  line(): WaitingLine;
  /** The lanes' buffers (with lanes): what their reports change. */
  lanes?: LaneBuffers;
  metrics?: Counters;
  /** The fair opening (#14): the pre-queue and its draw. */
  opening?: Opening;
  now(): number;
}

export class Sale {
  constructor(private readonly parts: SaleParts) {}

  /**
   * The show's rules: in the object's storage, or from D1 the first time it is on sale (which
   * creates the object's tables). Nothing is kept of a show still being prepared.
   */
  async rules(): Promise<ShowConfig | Refusal> {
    const cached = this.parts.store.config();
    if (cached) return cached;
    const loaded = await this.parts.ledger.config();
    if (!loaded) return NO_SHOW;
    if ("classes" in loaded) this.parts.store.saveConfig(loaded);
    return loaded;
  }

  /** The organizer archived the show (D1 already says so): from now on it takes no new requests. */
  archived(): void {
    const config = this.parts.store.config();
    if (config) this.parts.store.saveConfig({ ...config, status: "archived" });
  }

  /** Settle what is due, then run `body` on the show; the step's outcome, never a throw. */
  async step<T>(config: ShowConfig, pending: Pending, body: (step: SaleStep) => T | Promise<T>): Promise<Step<T>> {
    const step = new SaleStep(this.parts, config, pending);
    try {
      await step.settle();
      const value = await body(step);
      return { ...step.done(), ok: true, value };
    } catch (error) {
      return { ...step.done(), ok: false, error };
    }
  }
}

/** One step: its own record of what changed, discarded when it ends. */
export class SaleStep {
  private readonly changed = new Set<string>();
  private readonly answered = new Map<string, FanState>();
  private readonly pending: Pending;
  private readonly store: ShowStore;
  private readonly ledger: ShowLedger;
  private readonly line: WaitingLine;
  /** Classes whose counts or first waiting fans this step changed (what the lanes' view shows). */
  readonly touched = new Map<string, TicketClass>();

  constructor(
    private readonly parts: SaleParts,
    readonly config: ShowConfig,
    pending: Pending,
  ) {
    this.pending = { ...pending };
    this.store = parts.store;
    this.ledger = parts.ledger;
    this.line = parts.line();
  }

  // --- the calls --------------------------------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request` for fans in arrival order: each joins its class's queue, then
   * one D1 transaction per class admits as many as there are free tickets. The contract answers a
   * request that leaves the fan in the queue with 202 Accepted.
   */
  async request(items: { fanId: string; wanted: TicketClass }[]): Promise<Outcome[]> {
    const refused = new Map<number, Outcome>();
    const joined = new Map<string, TicketClass>();
    for (const [i, { fanId, wanted }] of items.entries()) {
      const decision = decideRequest({
        now: this.parts.now(),
        showStatus: this.config.status,
        salesOpenAt: this.config.salesOpenAt,
        prequeueOpensAt: this.config.prequeueOpensAt,
        maxTicketsPerUser: this.config.maxTicketsPerUser,
        sector: wanted.sector,
        counts: this.store.classCounts(this.config, wanted),
        fanStatus: this.store.fan(fanId)?.status ?? "NONE",
        bookedByFan: this.store.bookedBy(fanId).length,
      });
      if (decision.kind === "error") refused.set(i, { ok: false, code: decision.code, message: decision.message });
      if (decision.kind === "prequeue" && this.parts.opening) {
        const opening = this.parts.opening;
        this.parts.storage.transactionSync(() => opening.join(fanId, wanted, this.parts.now()));
        this.changed.add(fanId);
      }
      if (decision.kind !== "enqueue") continue;
      this.parts.storage.transactionSync(() => {
        this.store.enqueue(fanId, wanted, this.parts.now());
        this.store.setFan(fanId, "WAITING", wanted, null);
      });
      this.changed.add(fanId);
      joined.set(classKey(wanted), wanted);
    }
    await this.admit([...joined.values()]);
    // Answered once all of them ran.
    return items.map(({ fanId }, i) => {
      const outcome = refused.get(i) ?? this.answer(fanId);
      return outcome.ok ? { ...outcome, httpStatus: queued(outcome.state) ? 202 : 200 } : outcome;
    });
  }

  /**
   * `PATCH /:showId/ingresso/cancel` for these fans: waiting fans leave the queue, and one D1
   * transaction releases every hold given back and admits as many next fans.
   */
  async cancel(fanIds: string[]): Promise<Outcome[]> {
    const holds = new Map<string, HoldRecord>();
    for (const fanId of fanIds) {
      const fan = this.store.fan(fanId);
      const hold = this.store.holdOf(fanId);
      const c = fan && classOf(fan);
      if (fan?.status === "PRE_QUEUE" && c && this.parts.opening) {
        const opening = this.parts.opening;
        this.parts.storage.transactionSync(() => opening.leave(fanId, c));
        this.changed.add(fanId);
      } else if (fan?.status === "WAITING") {
        this.parts.storage.transactionSync(() => {
          this.store.dequeue(fanId);
          this.store.setFan(fanId, "CANCELLED", classOf(fan), null);
        });
        this.changed.add(fanId);
      } else if (fan?.status === "IN_PROGRESS" && hold) {
        holds.set(hold.ticketId, hold);
      }
    }
    if (holds.size > 0) await this.releaseAndAdmit([...holds.values()], "CANCELLED");
    return fanIds.map((fanId) => this.answer(fanId));
  }

  /** `PATCH /:showId/ingresso/book`: turn the fan's hold into a booking with an approved payment. */
  async book(fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const hold = this.store.holdOf(fanId);
    const booked = this.store.bookedTicket(ticketId);
    const decision = decideBook({
      holdsTicket: hold?.ticketId === ticketId,
      everHeld: this.store.everHeld(fanId, ticketId),
      bookedWithThisPayment: booked?.fanId === fanId && booked.paymentId === paymentId,
    });
    if (decision.kind === "error") return { ok: false, code: decision.code, message: decision.message };
    if (decision.kind === "book" && hold) {
      const payment = await this.ledger.checkPayment({ paymentId, fanId, ticketId, priceCents: hold.priceCents });
      if (payment !== "ok") {
        const message =
          payment === "already-used" ? "this payment has already booked a ticket" : MESSAGES.PAYMENT_NOT_APPROVED;
        return { ok: false, code: "PAYMENT_NOT_APPROVED", message };
      }
      const bookedAt = this.parts.now();
      if (!(await this.write(() => this.ledger.book({ ticketId, fanId, paymentId, bookedAt })))) {
        // D1 disagrees with the object about this hold: D1 is the record.
        console.warn("book: D1 no longer has the hold; reconciling", { show: this.config.id, fanId, ticketId });
        await this.reconcile();
        const now = this.store.bookedTicket(ticketId);
        if (!(now?.fanId === fanId && now.paymentId === paymentId)) {
          return { ok: false, code: "HOLD_EXPIRED", message: MESSAGES.HOLD_EXPIRED };
        }
      } else {
        this.parts.storage.transactionSync(() => {
          this.store.putBooked({ ...hold, paymentId, bookedAt });
          this.store.setFan(fanId, "BOOKED", hold, ticketId);
        });
        this.changed.add(fanId);
      }
      this.touch(hold);
      this.sweepSoldOut([hold]);
    }
    return this.answer(fanId);
  }

  /**
   * The provider reports this fan's payment in flight (a Pix code issued, a card in 3-D Secure):
   * extend the hold once by the grace (`decideGrace`), D1 first. Anything else answers the state.
   */
  async extendHold(fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const grace = decideGrace({ hold: this.store.holdOf(fanId), ticketId, now: this.parts.now() });
    if (grace.kind === "extend") {
      const { hold, expiresAt } = grace;
      const g = { ticketId, fanId, paymentId, from: hold.expiresAt, to: expiresAt };
      if (await this.write(() => this.ledger.extendHold(g))) {
        this.parts.storage.transactionSync(() => this.store.putHold({ ...hold, expiresAt }));
        this.changed.add(fanId);
      }
    }
    return this.answer(fanId);
  }

  /**
   * Lanes' reports (with lanes), several at once when they queued up one right after another: what
   * they owe first (mails they applied, admissions they could not give, holders' cancels, in one D1
   * transaction for all), then their buffers, then as many admissions as they allow (one D1
   * transaction per class for all of them).
   */
  async laneReports(reports: LaneReport[]): Promise<void> {
    const lanes = this.parts.lanes;
    if (!lanes) throw new Error("a lane reported to a show without lanes");
    this.parts.storage.transactionSync(() => {
      for (const r of reports) for (const [fanId, version] of Object.entries(r.acks)) this.store.acked(fanId, version);
    });
    const ended = new Map<string, HoldRecord>();
    for (const { fanId, ticketId } of reports.flatMap((r) => r.declines)) {
      const hold = this.store.holdOf(fanId);
      if (hold?.ticketId === ticketId) ended.set(ticketId, hold);
    }
    if (ended.size > 0) await this.releaseAndAdmit([...ended.values()], "CANCELLED");
    const opening = this.parts.opening;
    const waitingForDraws = opening && !opening.admitsNow(this.config, this.parts.now());
    const cancels = [...new Set(reports.flatMap((r) => r.cancels))];
    if (cancels.length > 0) await this.cancel(cancels);
    const reported = new Map<string, TicketClass>();
    this.parts.storage.transactionSync(() => {
      opening?.lanesDrew(
        this.config,
        reports.filter((r) => r.drawn).map((r) => r.lane),
      );
      for (const r of reports) {
        for (const c of r.classes) {
          const applied = lanes.apply(r.lane, c, (fanId, seq) => this.store.fan(fanId)?.entry === seq);
          if (!applied) continue;
          this.parts.metrics?.add("reports");
          for (const key of applied.learned) {
            const stamp = stampOf(key);
            if (stamp !== undefined) this.parts.metrics?.sample("learnedMs", this.parts.now() - stamp);
          }
          for (const fanId of applied.remail) this.store.mail(fanId);
          reported.set(classKey(c), { sector: c.sector, meia: c.meia });
          this.touch(c);
        }
      }
    });
    // The last lane's draw reported: every class's first keys across the lanes are known now.
    const drawsIn = waitingForDraws && opening.admitsNow(this.config, this.parts.now());
    await this.admit(drawsIn ? this.config.classes : [...reported.values()]);
  }

  /** The fan's state as this step's last word (the notifier sends it as it is). */
  answer(fanId: string): Extract<Outcome, { ok: true }> {
    const state = fanState(this.store, this.config, fanId);
    this.answered.set(fanId, state);
    return { ok: true, httpStatus: 200, state };
  }

  /** For `POST /api/payments`: does this fan hold this ticket now, or did they once? */
  checkHold(fanId: string, ticketId: string): HoldCheck {
    const hold = this.store.holdOf(fanId);
    if (hold?.ticketId === ticketId) {
      return { kind: "held", ticket: ticketView(this.config, hold, "IN_PROGRESS"), expiresAt: hold.expiresAt };
    }
    return this.store.everHeld(fanId, ticketId) ? { kind: "ended" } : { kind: "never" };
  }

  // --- what every step does first ---------------------------------------------------------------

  /**
   * Reconcile when owed, end every hold whose time has passed, then offer free tickets when a retry
   * is owed. A call that frees a ticket admits the next fan itself; only a retry (a D1 fault, a
   * reconcile, a start) can leave a free ticket with fans waiting, and a new failure here asks for
   * another.
   */
  async settle(): Promise<void> {
    if (this.pending.reconcile) {
      await this.reconcile();
      this.pending.reconcile = false;
    }
    await this.drawIfDue();
    const due = this.store.dueHolds(this.parts.now());
    if (due.length > 0) await this.releaseAndAdmit(due, "EXPIRED");
    if (this.pending.retryAt !== undefined) {
      this.pending.retryAt = undefined;
      await this.admit(this.config.classes);
      this.sweepSoldOut(this.config.classes);
    }
  }

  done(): Omit<Step<never>, "ok" | "value" | "error"> {
    const retry = this.pending.reconcile ? this.parts.now() + RETRY_AFTER_MS : undefined;
    const draw = this.parts.opening?.dueAt(this.config);
    const wake = [this.store.earliestExpiry(), this.pending.retryAt, retry, draw].filter((t) => t !== undefined);
    return {
      changed: new Map([...this.changed].map((fanId) => [fanId, this.answered.get(fanId)])),
      pending: { ...this.pending },
      wakeAt: wake.length > 0 ? Math.min(...wake) : undefined,
      touched: [...this.touched.values()],
    };
  }

  // --- the rules, carried out -------------------------------------------------------------------

  /**
   * The opening's draw (#14), before anything else at or after `salesOpenAt`: the pre-queue
   * enters the queue in key order (with lanes: the seed is revealed to every lane in the view),
   * and every free ticket goes to the first of it.
   */
  private async drawIfDue(): Promise<void> {
    const placed = await this.parts.opening?.drawIfDue(this.config, this.parts.now());
    if (!placed) return;
    for (const e of placed) this.changed.add(e.fanId);
    for (const c of this.config.classes) this.touch(c);
    // With lanes, admissions wait for the lanes' draws: this retry admits if one never reports.
    if (this.config.lanes > 1) this.pending.retryAt = this.parts.now() + LANE_DRAW_WAIT_MS;
    await this.admit(this.config.classes);
  }

  /**
   * Admit waiting fans of these classes from the head of each queue, one per free ticket. D1's
   * conditional update decides which fan gets which ticket; a D1 fault leaves everybody waiting in
   * place and asks for a retry.
   */
  private async admit(classes: TicketClass[]): Promise<void> {
    for (const { c, heads } of this.admissionPlan(classes)) {
      const expiresAt = this.parts.now() + this.config.holdSeconds * 1000;
      let held: Map<string, HoldRecord>;
      try {
        held = await this.write(() => this.ledger.claim({ c, fanIds: heads.map((h) => h.fanId), expiresAt }));
      } catch (err) {
        console.error("admit: D1 claim failed; fans keep their place and the alarm retries", {
          show: this.config.id,
          error: String(err),
        });
        this.pending.retryAt = this.parts.now() + RETRY_AFTER_MS;
        return;
      }
      await this.recordAdmissions(heads, held);
    }
  }

  /**
   * End these holds and admit the next waiting fans of their classes in the same D1 transaction, so
   * that a freed ticket reaches the next fan in one round trip. D1 first, then the object; a D1
   * fault changes nothing here (the step fails, and reconciles next time).
   */
  private async releaseAndAdmit(holds: HoldRecord[], outcome: "EXPIRED" | "CANCELLED"): Promise<void> {
    const classes = [...new Map(holds.map((h) => [classKey(h), { sector: h.sector, meia: h.meia }])).values()];
    const plan = this.admissionPlan(classes, holds);
    const expiresAt = this.parts.now() + this.config.holdSeconds * 1000;
    const held = await this.write(() =>
      this.ledger.releaseAndClaim(
        holds,
        plan.map(({ c, heads }) => ({ c, fanIds: heads.map((h) => h.fanId), expiresAt })),
      ),
    );
    this.parts.storage.transactionSync(() => {
      for (const h of holds) this.endHold(h, outcome);
    });
    for (const [k, { heads }] of plan.entries()) await this.recordAdmissions(heads, held[k] ?? new Map());
  }

  /**
   * Per class, the fans to admit from the head of its line: one per free ticket once `freeing`
   * ended. With lanes, a fan who has since booked as many tickets as the show allows is refused
   * instead (their lane had not heard of the booking when they asked again).
   */
  private admissionPlan(classes: TicketClass[], freeing: HoldRecord[] = []) {
    const plan: { c: TicketClass; heads: QueueEntry[] }[] = [];
    for (const c of classes) {
      const counts = this.store.classCounts(this.config, c);
      if (!counts || this.parts.opening?.admitsNow(this.config, this.parts.now()) === false) continue;
      const n = admissionsFor({ ...counts, held: counts.held - freeing.filter((h) => sameClass(h, c)).length });
      if (n <= 0) continue;
      let heads = this.line.heads(c, n);
      if (this.config.lanes > 1) heads = this.refuseOverLimit(c, n, heads);
      if (heads.length < n && this.line.blocked(c)) this.parts.metrics?.add("dryHolds");
      if (heads.length > 0) plan.push({ c, heads });
    }
    return plan;
  }

  private refuseOverLimit(c: TicketClass, n: number, heads: QueueEntry[]): QueueEntry[] {
    const over = heads.filter((h) => this.store.bookedBy(h.fanId).length + 1 > this.config.maxTicketsPerUser);
    if (over.length === 0) return heads;
    this.parts.storage.transactionSync(() => {
      for (const h of over) {
        this.line.taken(h);
        this.store.settleEntry(h.fanId, h.seq);
      }
    });
    return this.line.heads(c, n);
  }

  /** Record the holds D1 granted; when it granted fewer than asked, D1 is the record. */
  private async recordAdmissions(heads: QueueEntry[], held: Map<string, HoldRecord>): Promise<void> {
    const lanes = this.config.lanes > 1;
    this.parts.storage.transactionSync(() => {
      for (const e of heads) {
        const h = held.get(e.fanId);
        if (!h) continue;
        this.store.putHold(h, lanes ? e.seq : undefined);
        this.line.taken(e);
        this.touch(e);
      }
    });
    for (const h of heads) this.changed.add(h.fanId);
    if (held.size < heads.length) {
      console.warn("admit: D1 had fewer free tickets than counted; reconciling", { show: this.config.id });
      await this.reconcile();
    }
  }

  /** Record, after D1 released it, that this hold ended (call inside a storage transaction). */
  private endHold(h: HoldRecord, outcome: "EXPIRED" | "CANCELLED"): void {
    this.touch(h);
    this.store.deleteHold(h.ticketId);
    const fan = this.store.fan(h.fanId);
    if (fan?.status === "IN_PROGRESS" && fan.ticketId === h.ticketId)
      this.store.setFan(h.fanId, outcome, h, h.ticketId);
    this.changed.add(h.fanId);
  }

  /**
   * Waiting fans of a class with every ticket booked will never be admitted: tell them now. Only a
   * booking makes a class sold out (a booking adopted by reconcile is swept by the retry it asks for).
   */
  private sweepSoldOut(classes: TicketClass[]): void {
    for (const c of classes) {
      const counts = this.store.classCounts(this.config, c);
      if (!counts || counts.waiting === 0 || !isSoldOut(counts)) continue;
      this.touch(c);
      this.parts.storage.transactionSync(() => {
        for (const w of this.line.closeClass(c)) {
          this.store.dequeue(w.fanId);
          this.store.setFan(w.fanId, "SOLD_OUT", c, null);
          this.changed.add(w.fanId);
        }
      });
    }
  }

  /** The class moved; with lanes, the view the lanes get is a new version from now on. */
  private touch(c: TicketClass): void {
    if (this.config.lanes > 1 && this.touched.size === 0) this.store.nextViewVersion();
    this.touched.set(classKey(c), { sector: c.sector, meia: c.meia });
  }

  /**
   * A D1 write. When it throws, nobody knows whether it committed (the answer may be what was lost),
   * so the next step reconciles with D1 before the object trusts its own records again.
   */
  private async write<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      this.pending.reconcile = true;
      throw err;
    }
  }

  /**
   * Make the object's holds and bookings match D1's tickets (after a crash between the two writes,
   * or a write whose answer was lost), then offer whatever that freed or left waiting.
   */
  private async reconcile(): Promise<void> {
    const remote = await this.ledger.takenTickets();
    const now = this.parts.now();
    const plan = reconcilePlan({ holds: this.store.holds(), booked: this.store.allBooked() }, remote, now);
    this.pending.retryAt = now;
    const touched = plan.adoptHolds.length + plan.dropHolds.length + plan.adoptBooked.length + plan.dropBooked.length;
    if (touched === 0) return;
    console.warn("reconcile: the object's records differed from D1", {
      show: this.config.id,
      adoptHolds: plan.adoptHolds.length,
      dropHolds: plan.dropHolds.length,
      adoptBooked: plan.adoptBooked.length,
      dropBooked: plan.dropBooked.length,
    });
    this.parts.storage.transactionSync(() => {
      for (const { hold, outcome } of plan.dropHolds) this.endHold(hold, outcome);
      for (const b of plan.dropBooked) this.store.deleteBooked(b.ticketId);
      for (const h of plan.adoptHolds) {
        const from = this.config.lanes > 1 ? this.line.entryOf(h.fanId) : undefined;
        this.store.putHold(h, this.config.lanes > 1 ? (from?.seq ?? null) : undefined);
        if (from) this.line.taken(from);
        this.touch(h);
        this.changed.add(h.fanId);
      }
      for (const b of plan.adoptBooked) {
        this.touch(b);
        this.store.putBooked(b);
        const fan = this.store.fan(b.fanId);
        if (!fan || fan.ticketId === b.ticketId || fan.status === "IN_PROGRESS" || fan.status === "WAITING") {
          this.store.dequeue(b.fanId);
          this.store.setFan(b.fanId, "BOOKED", b, b.ticketId);
        }
        this.changed.add(b.fanId);
      }
    });
  }
}

/** Why a call on the show was not run: no such show, or one not on sale yet (`NotReady`). */
export type Refusal = Extract<Outcome, { ok: false }>;

/** The answer to a call on a show this object has no record of. */
export const NO_SHOW: Refusal = { ok: false, code: "SHOW_NOT_FOUND", message: MESSAGES.SHOW_NOT_FOUND };
