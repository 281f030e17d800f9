import { DurableObject } from "cloudflare:workers";
import { type ErrorCode, errorBody } from "../errors";
import { CLOSE, FAN_HEADER, MAX_CLIENT_MESSAGE_BYTES, PING, PONG, SHOW_HEADER, STATE_REQUEST } from "../messages";
import {
  bookTicket,
  checkPayment,
  claimTickets,
  type Db,
  database,
  loadShowConfig,
  loadTakenTickets,
  type NotReady,
  releaseAndClaim,
} from "./ledger";
import { FanNotifier, type WaitingFan } from "./notifier";
import {
  admissionsFor,
  classKey,
  decideBook,
  decideRequest,
  type HoldRecord,
  isSoldOut,
  reconcilePlan,
  sameClass,
} from "./rules";
import { findClass, type QueueEntry, ShowStore } from "./store";
import type { FanState, Outcome, ShowConfig, TicketClass, TicketView } from "./types";

/** How soon to try admissions again when D1 failed under an admission. */
const RETRY_AFTER_MS = 2_000;
/** A failing alarm retries itself from RETRY_AFTER_MS, doubling up to this. */
const MAX_ALARM_RETRY_MS = 60_000;

export type HoldCheck =
  | { kind: "held"; ticket: TicketView; expiresAt: number }
  | { kind: "ended" }
  | { kind: "never" }
  | { kind: "no-show" }
  // #17: the show's seats are still being written (or never all were).
  | ({ kind: "not-ready" } & NotReady);

/**
 * One object per show. It serializes the show's queue, holds and hold expiry: every change goes
 * through `serial`, so two calls never interleave around a D1 write even though D1 calls open the
 * object's input gate. D1 is written first and is the record of tickets; the object's own SQLite
 * storage holds the queue. On start the object reconciles its holds and bookings with D1, so a
 * crash between the two writes loses nothing.
 */
export class ShowQueue extends DurableObject<Env> {
  private readonly store: ShowStore;
  /** The show's tickets in D1. Tests replace it (through `runInDurableObject`) to inject D1 faults. */
  db: Db;
  private readonly notifier: FanNotifier;
  private tail: Promise<unknown> = Promise.resolve();
  /** Fans whose state changed during the current operation. */
  private readonly changed = new Set<string>();
  /**
   * The state the current operation answered its fan with: nothing changes between the answer and
   * the notification that follows, so the notifier sends it instead of reading it again.
   */
  private readonly answered = new Map<string, FanState>();
  /** When admissions failed for a passing D1 fault (or reconcile freed tickets), the next settle retries them; the alarm makes sure one runs. */
  private retryAt: number | undefined;
  /** A D1 write threw: it may have committed all the same, so reconcile before the next decision. */
  private unsure = false;
  /** Alarms in a row whose settle failed (D1 down): the next retry backs off. */
  private alarmFailures = 0;
  /** The alarm as this object last set or read it; undefined until read after a start or an alarm. */
  private alarmAt: number | null | undefined;
  /** Whether every class has been offered its free tickets since this object started. */
  private settledSinceStart = false;
  /** The calls queued last, not started yet: a call of the same kind arriving now joins them. */
  private batch: Batch<{ fanId: string }> | undefined;
  /** The object's clock. Tests replace it (through `runInDurableObject`) to move time. */
  now: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ShowStore(ctx.storage);
    this.db = database(env.DB);
    this.notifier = new FanNotifier(ctx, {
      now: () => this.now(),
      stateOf: (fanId) => {
        const answered = this.answered.get(fanId);
        if (answered) return answered;
        const config = this.store.config();
        return config ? fanState(this.store, config, fanId) : { status: "NONE", booked: [] };
      },
      classOf: (fanId) => {
        const answered = this.answered.get(fanId);
        if (answered) return classOf({ sector: answered.sector ?? null, meia: answered.meia ?? null });
        const fan = this.store.fan(fanId);
        return fan ? classOf(fan) : null;
      },
      waitingSlice: (c, afterSeq, limit) => this.waitingSlice(c, afterSeq, limit),
    });
    // Keep-alive answered by the runtime itself, so idle fans never wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    void ctx.blockConcurrencyWhile(async () => {
      const config = this.store.config();
      if (config) await this.reconcile(config);
    });
  }

  // --- RPC: the fan's purchase flow -------------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request`: join the class's queue, or hold a ticket at once. Requests
   * that queue up one right after another (a rush) run as one operation, in their order: one
   * storage commit for all the joins, and one D1 transaction for all the admissions they allow.
   */
  request(showId: string, fanId: string, wanted: TicketClass): Promise<Outcome> {
    return this.batched("request", showId, { fanId, wanted }, (config, items) => this.requestAll(config, items));
  }

  private async requestAll(config: ShowConfig, items: { fanId: string; wanted: TicketClass }[]): Promise<Outcome[]> {
    const refused = new Map<number, Outcome>();
    const joined = new Map<string, TicketClass>();
    for (const [i, { fanId, wanted }] of items.entries()) {
      const fan = this.store.fan(fanId);
      const decision = decideRequest({
        now: this.now(),
        showStatus: config.status, // #17
        salesOpenAt: config.salesOpenAt,
        maxTicketsPerUser: config.maxTicketsPerUser,
        classConfig: findClass(config, wanted),
        sector: wanted.sector,
        counts: this.store.classCounts(config, wanted),
        fanStatus: fan?.status ?? "NONE",
        bookedByFan: this.store.bookedBy(fanId).length,
      });
      if (decision.kind === "error") refused.set(i, failure(decision));
      if (decision.kind !== "enqueue") continue;
      this.ctx.storage.transactionSync(() => {
        this.store.enqueue(fanId, wanted, this.now());
        this.store.setFan(fanId, "WAITING", wanted, null);
      });
      this.changed.add(fanId);
      joined.set(classKey(wanted), wanted);
    }
    await this.admit(config, [...joined.values()]);
    // Answered once all of them ran. The contract answers a request that leaves the fan in the
    // queue with 202 Accepted.
    return items.map(({ fanId }, i) => {
      const outcome = refused.get(i) ?? this.answer(config, fanId);
      return outcome.ok ? { ...outcome, httpStatus: outcome.state.status === "WAITING" ? 202 : 200 } : outcome;
    });
  }

  /**
   * `PATCH /:showId/ingresso/cancel`: leave the queue or give the held ticket back. Cancels that
   * queue up one right after another (a burst of fans giving up) run as one operation: one D1
   * transaction releases all their holds and admits as many next fans, instead of one round trip
   * after another.
   */
  cancel(showId: string, fanId: string): Promise<Outcome> {
    return this.batched("cancel", showId, { fanId }, (config, items) =>
      this.cancelAll(
        config,
        items.map((i) => i.fanId),
      ),
    );
  }

  /**
   * Calls of one kind that queue up one right after another join one operation, which answers
   * each of them. Any other call queued in between starts a new batch, so calls keep their order.
   */
  private batched<I extends { fanId: string }>(
    kind: "request" | "cancel",
    showId: string,
    item: I,
    runAll: (config: ShowConfig, items: I[]) => Promise<Outcome[]>,
  ): Promise<Outcome> {
    let batch = this.batch?.kind === kind && this.batch.showId === showId ? (this.batch as Batch<I>) : undefined;
    if (!batch) {
      const items: I[] = [];
      const answers = this.serial(() => {
        if (this.batch?.items === items) this.batch = undefined;
        return this.onShow(
          showId,
          (config) => runAll(config, items),
          (notReady) => items.map(() => (notReady ? failure(notReady) : NO_SHOW)), // #17
        );
      });
      batch = { kind, showId, items, answers };
      this.batch = batch as unknown as Batch<{ fanId: string }>;
    }
    const index = batch.items.push(item) - 1;
    return batch.answers.then((answers) => answers[index] ?? NO_SHOW);
  }

  private async cancelAll(config: ShowConfig, fanIds: string[]): Promise<Outcome[]> {
    const holds = new Map<string, HoldRecord>();
    for (const fanId of fanIds) {
      const fan = this.store.fan(fanId);
      const hold = this.store.holdOf(fanId);
      if (fan?.status === "WAITING") {
        this.ctx.storage.transactionSync(() => {
          this.store.dequeue(fanId);
          this.store.setFan(fanId, "CANCELLED", classOf(fan), null);
        });
        this.changed.add(fanId);
      } else if (fan?.status === "IN_PROGRESS" && hold) {
        holds.set(hold.ticketId, hold);
      }
    }
    if (holds.size > 0) await this.releaseAndAdmit(config, [...holds.values()], "CANCELLED");
    return fanIds.map((fanId) => this.answer(config, fanId));
  }

  /** `PATCH /:showId/ingresso/book`: turn the fan's hold into a booking with an approved payment. */
  book(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    return this.operation(showId, async (config) => {
      const hold = this.store.holdOf(fanId);
      const booked = this.store.bookedTicket(ticketId);
      const decision = decideBook({
        holdsTicket: hold?.ticketId === ticketId,
        everHeld: this.store.everHeld(fanId, ticketId),
        bookedWithThisPayment: booked?.fanId === fanId && booked.paymentId === paymentId,
      });
      if (decision.kind === "error") return failure(decision);
      if (decision.kind === "book" && hold) {
        const payment = await checkPayment(this.db, { paymentId, fanId, ticketId, priceCents: hold.priceCents });
        if (payment !== "ok") {
          return {
            ok: false,
            code: "PAYMENT_NOT_APPROVED",
            message:
              payment === "already-used"
                ? "this payment has already booked a ticket"
                : "the payment is not approved for this fan, ticket and amount",
          };
        }
        const bookedAt = this.now();
        if (!(await this.write((db) => bookTicket(db, { ticketId, fanId, paymentId, bookedAt })))) {
          // D1 disagrees with the object about this hold: D1 is the record.
          console.warn("book: D1 no longer has the hold; reconciling", { showId, fanId, ticketId });
          await this.reconcile(config);
          const now = this.store.bookedTicket(ticketId);
          if (!(now?.fanId === fanId && now.paymentId === paymentId)) {
            return { ok: false, code: "HOLD_EXPIRED", message: "the hold on this ticket has ended" };
          }
        } else {
          this.ctx.storage.transactionSync(() => {
            this.store.putBooked({ ...hold, paymentId, bookedAt });
            this.store.setFan(fanId, "BOOKED", hold, ticketId);
          });
          this.changed.add(fanId);
        }
        this.sweepSoldOut(config, [hold]);
      }
      return this.answer(config, fanId);
    });
  }

  /** `GET /:showId/ingresso`: the fan's state, with any hold past its time already ended. */
  state(showId: string, fanId: string): Promise<Outcome> {
    return this.operation(showId, async (config) => this.answer(config, fanId));
  }

  /** For `POST /api/payments`: does this fan hold this ticket now, or did they once? */
  checkHold(showId: string, fanId: string, ticketId: string): Promise<HoldCheck> {
    return this.serial(() =>
      this.onShow<HoldCheck>(
        showId,
        async (config) => {
          const hold = this.store.holdOf(fanId);
          if (hold?.ticketId === ticketId) {
            return { kind: "held", ticket: ticketView(config, hold, "IN_PROGRESS"), expiresAt: hold.expiresAt };
          }
          return this.store.everHeld(fanId, ticketId) ? { kind: "ended" } : { kind: "never" };
        },
        (notReady) => (notReady ? { kind: "not-ready", ...notReady } : { kind: "no-show" }), // #17
      ),
    );
  }

  /** #17: the organizer archived the show (D1 already says so): from now on it takes no new requests. */
  archived(showId: string): Promise<void> {
    return this.serial(async () => {
      const config = this.store.config();
      if (config?.id === showId) this.store.saveConfig({ ...config, status: "archived" });
    });
  }

  /** Fans waiting in the show's queue (admin stats). */
  waitingCount(): number {
    return this.store.waitingTotal();
  }

  /** The cron's safety net: end overdue holds and admit the next fans, even if the alarm was lost. */
  poke(showId: string): Promise<void> {
    return this.serial(() =>
      this.onShow(
        showId,
        async () => {},
        () => undefined,
      ),
    );
  }

  // --- live notifications ----------------------------------------------------------------------

  /**
   * `GET /:showId/ingresso/ws`, forwarded by the Worker once it has authenticated the fan. The
   * socket is accepted through the hibernation API and greeted with the fan's state; an unknown
   * show gets 404 before any upgrade.
   */
  override async fetch(request: Request): Promise<Response> {
    const fanId = request.headers.get(FAN_HEADER);
    const showId = request.headers.get(SHOW_HEADER);
    if (!fanId || !showId || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(errorBody("UPGRADE_REQUIRED", "expected a WebSocket upgrade"), { status: 426 });
    }
    return this.serial(() =>
      this.onShow(
        showId,
        async (config) => {
          const { 0: client, 1: server } = new WebSocketPair();
          this.notifier.accept(server, fanId, fanState(this.store, config, fanId));
          return new Response(null, { status: 101, webSocket: client });
        },
        (notReady) =>
          notReady // #17
            ? Response.json(errorBody(notReady.code, notReady.message), { status: 409 })
            : Response.json(errorBody("SHOW_NOT_FOUND", "no show with this id"), { status: 404 }),
      ),
    );
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") {
      ws.close(CLOSE.UNSUPPORTED_DATA, "text messages only");
      return;
    }
    if (new TextEncoder().encode(message).byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      ws.close(CLOSE.TOO_BIG, "message too big");
      return;
    }
    // Anything else (pings are answered by the runtime) is ignored: the server speaks, fans listen.
    if (message === STATE_REQUEST) await this.serial(async () => this.notifier.resend(ws));
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.notifier.forget(ws);
    try {
      // 1005/1006 are reserved: they describe a close, they cannot be sent.
      ws.close(code === 1005 || code === 1006 ? CLOSE.NORMAL : code, "bye");
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket): void {
    this.notifier.forget(ws);
  }

  /**
   * A slice of a class's waiting fans, in queue order, each with the state a position update
   * carries: three queries for the whole slice, whatever its length.
   */
  private waitingSlice(c: TicketClass, afterSeq: number, limit: number): WaitingFan[] {
    const config = this.store.config();
    const entries = this.store.waitingAfter(c, afterSeq, limit);
    const first = entries[0];
    const last = entries.at(-1);
    if (!config || !first || !last) return [];
    const booked = new Map<string, TicketView[]>();
    for (const b of this.store.bookedOfWaiting(c, afterSeq, last.seq)) {
      booked.set(b.fanId, [...(booked.get(b.fanId) ?? []), ticketView(config, b, "BOOKED")]);
    }
    const ahead = this.store.position(first) - 1;
    return entries.map((e, i) => ({
      seq: e.seq,
      fanId: e.fanId,
      state: {
        status: "WAITING",
        position: ahead + i + 1,
        sector: e.sector,
        meia: e.meia,
        booked: booked.get(e.fanId) ?? [],
      },
    }));
  }

  /** An empty call: the floor against which the benchmarks measure the request path. */
  ping(): number {
    return 1;
  }

  /**
   * Expiries and retries. When the settle fails (D1 down), the object re-arms the alarm itself,
   * backing off, rather than throwing: the runtime retries a throwing alarm only a few times, an
   * outage can last longer, and the cron's sweep cannot see work whose D1 write already committed
   * (a release whose answer was lost). Waiting fans never depend on somebody's next call.
   */
  override async alarm(): Promise<void> {
    await this.serial(async () => {
      // The alarm that fired is gone; the retry it may stand for is made by the settle below.
      this.alarmAt = undefined;
      const config = this.store.config();
      if (!config) return;
      try {
        await this.settle(config);
        this.alarmFailures = 0;
      } catch (err) {
        this.alarmFailures += 1;
        const delay = Math.min(RETRY_AFTER_MS * 2 ** (this.alarmFailures - 1), MAX_ALARM_RETRY_MS);
        console.error("alarm: settle failed; the alarm retries", { show: config.id, inMs: delay, error: String(err) });
        // Directly, not through scheduleAlarm: an overdue hold would set it in the past and spin.
        this.alarmAt = this.now() + delay;
        await this.ctx.storage.setAlarm(this.alarmAt);
      }
    });
  }

  // --- the rules, carried out -------------------------------------------------------------------

  /** Run one fan-facing call: serialized, on a known show, with due expiries settled first. */
  private operation(showId: string, body: (config: ShowConfig) => Promise<Outcome>): Promise<Outcome> {
    return this.serial(() => this.onShow(showId, body, (notReady) => (notReady ? failure(notReady) : NO_SHOW))); // #17
  }

  /** The body of every call on the show: on a known show, due expiries settled first, the alarm set after. */
  private async onShow<T>(
    showId: string,
    body: (config: ShowConfig) => Promise<T>,
    noShow: (notReady?: NotReady) => T, // #17: unknown show, or one not ready yet
  ): Promise<T> {
    const config = await this.ensureConfig(showId);
    if (!config || "code" in config) return noShow(config); // #17
    await this.settle(config);
    const result = await body(config);
    await this.scheduleAlarm();
    return result;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    // Whatever is queued now comes after the calls batched so far (see `batched`).
    this.batch = undefined;
    const run = this.tail.then(fn, fn);
    this.tail = run.then(
      () => this.flushChanges(),
      () => this.flushChanges(),
    );
    return run;
  }

  /** The show's rules, loaded from D1 the first time this object serves the show once it is ready. */
  private async ensureConfig(showId: string): Promise<ShowConfig | NotReady | undefined> {
    const cached = this.store.config();
    if (cached) return cached;
    const config = await loadShowConfig(this.db, showId);
    // #17: nothing is cached for a show still being prepared (its ticket totals are still growing).
    if (!config || "code" in config) return config;
    this.store.saveConfig(config);
    await this.reconcile(config);
    return config;
  }

  /** End every hold whose time has passed, then admit as many waiting fans as there are free tickets. */
  private async settle(config: ShowConfig): Promise<void> {
    if (this.unsure) {
      // Reconcile sets a retry, so every class is offered its free tickets below.
      await this.reconcile(config);
      this.unsure = false;
    }
    const due = this.store.dueHolds(this.now());
    if (due.length > 0) await this.releaseAndAdmit(config, due, "EXPIRED");
    // A call that frees a ticket admits the next fan itself; only a pending retry (a D1 fault, a
    // reconcile) or a fresh start can leave a free ticket with fans waiting. This settle is that
    // retry: a new failure below asks for another.
    const retry = this.retryAt !== undefined || !this.settledSinceStart;
    this.retryAt = undefined;
    if (retry) {
      await this.admit(config, config.classes);
      this.sweepSoldOut(config, config.classes);
      this.settledSinceStart = true;
    }
    await this.scheduleAlarm();
  }

  /** Record, after D1 released them, that these holds ended. */
  private endHolds(holds: HoldRecord[], outcome: "EXPIRED" | "CANCELLED"): void {
    this.ctx.storage.transactionSync(() => {
      for (const h of holds) {
        this.store.deleteHold(h.ticketId);
        const fan = this.store.fan(h.fanId);
        if (fan?.status === "IN_PROGRESS" && fan.ticketId === h.ticketId) {
          this.store.setFan(h.fanId, outcome, h, h.ticketId);
        }
        this.changed.add(h.fanId);
      }
    });
  }

  /**
   * Admit waiting fans of these classes from the head of each queue, one per free ticket. D1's
   * conditional update decides which fan gets which ticket; a D1 fault leaves everybody waiting in
   * place and retries from the alarm.
   */
  private async admit(config: ShowConfig, classes: TicketClass[]): Promise<void> {
    for (const { c, heads } of this.admissionPlan(config, classes)) {
      const expiresAt = this.now() + config.holdSeconds * 1000;
      let held: Map<string, HoldRecord>;
      try {
        held = await this.write((db) =>
          claimTickets(
            db,
            config.id,
            c,
            heads.map((h) => h.fanId),
            expiresAt,
          ),
        );
      } catch (err) {
        console.error("admit: D1 claim failed; fans keep their place and the alarm retries", {
          show: config.id,
          error: String(err),
        });
        this.retryAt = this.now() + RETRY_AFTER_MS;
        return;
      }
      await this.recordAdmissions(config, heads, held);
    }
  }

  /**
   * End these holds and admit the next waiting fans of their classes in the same D1 transaction, so
   * that a freed ticket reaches the next fan in one round trip. D1 first, then the object; a D1
   * fault changes nothing (the call fails, or the alarm is retried).
   */
  private async releaseAndAdmit(
    config: ShowConfig,
    holds: HoldRecord[],
    outcome: "EXPIRED" | "CANCELLED",
  ): Promise<void> {
    const classes = [...new Map(holds.map((h) => [classKey(h), { sector: h.sector, meia: h.meia }])).values()];
    const plan = this.admissionPlan(config, classes, holds);
    const expiresAt = this.now() + config.holdSeconds * 1000;
    const held = await this.write((db) =>
      releaseAndClaim(
        db,
        holds,
        plan.map(({ c, heads }) => ({ showId: config.id, c, fanIds: heads.map((h) => h.fanId), expiresAt })),
      ),
    );
    this.endHolds(holds, outcome);
    for (const [k, { heads }] of plan.entries()) await this.recordAdmissions(config, heads, held[k] ?? new Map());
  }

  /** Per class, the fans to admit from the head of its queue: one per free ticket once `freeing` ended. */
  private admissionPlan(config: ShowConfig, classes: TicketClass[], freeing: HoldRecord[] = []) {
    const plan: { c: TicketClass; heads: QueueEntry[] }[] = [];
    for (const c of classes) {
      const counts = this.store.classCounts(config, c);
      if (!counts) continue;
      const n = admissionsFor({ ...counts, held: counts.held - freeing.filter((h) => sameClass(h, c)).length });
      if (n > 0) plan.push({ c, heads: this.store.heads(c, n) });
    }
    return plan;
  }

  /** Record the holds D1 granted; when it granted fewer than asked, D1 is the record. */
  private async recordAdmissions(
    config: ShowConfig,
    heads: QueueEntry[],
    held: Map<string, HoldRecord>,
  ): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const h of held.values()) this.store.putHold(h);
    });
    for (const h of heads) this.changed.add(h.fanId);
    if (held.size < heads.length) {
      console.warn("admit: D1 had fewer free tickets than counted; reconciling", { show: config.id });
      await this.reconcile(config);
    }
  }

  /**
   * Waiting fans of a class with every ticket booked will never be admitted: tell them now. Only a
   * booking makes a class sold out (a booking adopted by reconcile is swept by the retry it sets).
   */
  private sweepSoldOut(config: ShowConfig, classes: TicketClass[]): void {
    for (const c of classes) {
      const counts = this.store.classCounts(config, c);
      if (!counts || counts.waiting === 0 || !isSoldOut(counts)) continue;
      this.ctx.storage.transactionSync(() => {
        for (const w of this.store.waitingIn(c)) {
          this.store.dequeue(w.fanId);
          this.store.setFan(w.fanId, "SOLD_OUT", c, null);
          this.changed.add(w.fanId);
        }
      });
    }
  }

  /**
   * A D1 write. When it throws, nobody knows whether it committed (the answer may be what was lost),
   * so the next settle reconciles with D1 before the object trusts its own records again.
   */
  private async write<T>(call: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await call(this.db);
    } catch (err) {
      this.unsure = true;
      throw err;
    }
  }

  /** Make the object's holds and bookings match D1's tickets (after a crash between the two writes). */
  private async reconcile(config: ShowConfig): Promise<void> {
    const remote = await loadTakenTickets(this.db, config.id);
    const plan = reconcilePlan({ holds: this.store.holds(), booked: this.store.allBooked() }, remote, this.now());
    const touched = plan.adoptHolds.length + plan.dropHolds.length + plan.adoptBooked.length + plan.dropBooked.length;
    if (touched === 0) return;
    console.warn("reconcile: the object's records differed from D1", {
      show: config.id,
      adoptHolds: plan.adoptHolds.length,
      dropHolds: plan.dropHolds.length,
      adoptBooked: plan.adoptBooked.length,
      dropBooked: plan.dropBooked.length,
    });
    this.ctx.storage.transactionSync(() => {
      for (const { hold, outcome } of plan.dropHolds) {
        this.store.deleteHold(hold.ticketId);
        const fan = this.store.fan(hold.fanId);
        if (fan?.status === "IN_PROGRESS" && fan.ticketId === hold.ticketId) {
          this.store.setFan(hold.fanId, outcome, hold, hold.ticketId);
        }
        this.changed.add(hold.fanId);
      }
      for (const b of plan.dropBooked) this.store.deleteBooked(b.ticketId);
      for (const h of plan.adoptHolds) {
        this.store.putHold(h);
        this.changed.add(h.fanId);
      }
      for (const b of plan.adoptBooked) {
        this.store.putBooked(b);
        const fan = this.store.fan(b.fanId);
        if (!fan || fan.ticketId === b.ticketId || fan.status === "IN_PROGRESS" || fan.status === "WAITING") {
          this.store.dequeue(b.fanId);
          this.store.setFan(b.fanId, "BOOKED", b, b.ticketId);
        }
        this.changed.add(b.fanId);
      }
    });
    // Whatever was freed or left waiting is admitted by the alarm, promptly.
    this.retryAt = this.now();
    await this.scheduleAlarm();
  }

  /**
   * One alarm, at the earliest hold expiry (or a pending retry). Called after every change, so the
   * alarm is read from storage once and then only written when it moves.
   */
  private async scheduleAlarm(): Promise<void> {
    const candidates = [this.store.earliestExpiry(), this.retryAt].filter((t): t is number => t !== undefined);
    const next = candidates.length > 0 ? Math.min(...candidates) : null;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (next === this.alarmAt) return;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    this.alarmAt = next;
  }

  /** The fan's state as the operation's last word (see `answered`). */
  private answer(config: ShowConfig, fanId: string): { ok: true; httpStatus: 200; state: FanState } {
    const state = fanState(this.store, config, fanId);
    this.answered.set(fanId, state);
    return { ok: true, httpStatus: 200, state };
  }

  /** After every serialized operation: notify the fans whose state changed. */
  private flushChanges(): void {
    const fans = [...this.changed];
    this.changed.clear();
    try {
      if (fans.length > 0) this.notifier.changed(fans);
    } catch (err) {
      // Notification is never the only path: the state is in storage and GET answers it.
      console.error("notify failed", { show: this.store.config()?.id, error: String(err) });
    } finally {
      this.answered.clear();
    }
  }
}

const NO_SHOW: Outcome = { ok: false, code: "SHOW_NOT_FOUND", message: "no show with this id" };

/** Calls of one kind queued one right after another, run as one operation (see `batched`). */
interface Batch<I> {
  kind: "request" | "cancel";
  showId: string;
  items: I[];
  answers: Promise<Outcome[]>;
}

function failure(d: { code: ErrorCode; message: string }): Outcome {
  return { ok: false, code: d.code, message: d.message };
}

function classOf(fan: { sector: string | null; meia: boolean | null }): TicketClass | null {
  return fan.sector === null ? null : { sector: fan.sector, meia: fan.meia ?? false };
}

function ticketView(
  config: ShowConfig,
  t: { ticketId: string; sector: string; meia: boolean; priceCents: number },
  status: TicketView["status"],
): TicketView {
  return { id: t.ticketId, showId: config.id, sector: t.sector, meia: t.meia, priceCents: t.priceCents, status };
}

/** The contract's State for one fan, from the object's records. */
export function fanState(store: ShowStore, config: ShowConfig, fanId: string): FanState {
  const bookedRecords = store.bookedBy(fanId);
  const booked = bookedRecords.map((b) => ticketView(config, b, "BOOKED"));
  const fan = store.fanWithPosition(fanId);
  if (!fan) return { status: "NONE", booked };
  const state: FanState = { status: fan.status, booked };
  if (fan.sector !== null) {
    state.sector = fan.sector;
    state.meia = fan.meia ?? false;
  }
  if (fan.status === "WAITING") {
    if (fan.position !== null) state.position = fan.position;
  } else if (fan.status === "IN_PROGRESS") {
    const hold = store.holdOf(fanId);
    if (hold) {
      state.ticket = ticketView(config, hold, "IN_PROGRESS");
      state.expiresAt = new Date(hold.expiresAt).toISOString();
    }
  } else if (fan.status === "BOOKED") {
    state.ticket = booked.find((t) => t.id === fan.ticketId);
  }
  return state;
}
