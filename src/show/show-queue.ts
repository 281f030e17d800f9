import { DurableObject } from "cloudflare:workers";
import { AlarmScheduler } from "../do/alarm";
import { FanSockets } from "../do/fan-sockets";
import { type ObjectIo, objectIo } from "../do/io";
import { Counters } from "../do/metrics";
import { SerialExecutor } from "../do/serial";
import { ERROR_STATUS, errorBody, MESSAGES } from "../errors";
import { laneName } from "../lanes/key";
import type { LaneMail, LaneReport, SyncReply } from "../lanes/protocol";
import { FAN_HEADER, PING, PONG, SHOW_HEADER, STATE_REQUEST } from "../messages";
import { AvailabilityBroadcast } from "./availability-broadcast";
import { Courier, MAIL_RETRY_MS } from "./courier";
import { fanState } from "./fan-state";
import { LaneBuffers } from "./lane-buffers";
import { ViewBuilder } from "./lane-view";
import { ShowLedger } from "./ledger";
import { FanNotifier, POSITION_SLICE_PAUSE_MS } from "./notifier";
import { PositionFeed } from "./position-feed";
import { isSoldOut } from "./rules";
import { AT_START, type Pending, RETRY_AFTER_MS, type Refusal, Sale, type SaleStep } from "./sale";
import { ShowStore } from "./store";
import type { ClassAvailability, FanState, HoldCheck, Outcome, TicketClass } from "./types";
import { LocalLine } from "./waiting-line";

/** A failing alarm retries after RETRY_AFTER_MS, doubling with every failure in a row up to this. */
const MAX_ALARM_RETRY_MS = 60_000;

/** The body of a step that only settles what is due (the alarm, the cron's poke), and its answer without a show. */
const nothing = () => undefined;

const NO_COUNTS = { total: 1, held: 0, booked: 0, waiting: 0 };

const NO_REPLY: SyncReply = { mails: [], view: undefined };

/**
 * One object per show, named by the show's id. This class only wires the runtime's entry points
 * (the RPC methods, `fetch` for the WebSocket upgrade, `webSocket*`, `alarm`) to parts with one job
 * each: every call runs through the serial executor, as one step of the sale (src/show/sale.ts);
 * the shell carries out what the step changed (the fans to notify, the alarm to keep) and keeps the
 * one thing a step leaves to the next (`pending`). Nothing here does I/O at start: a fresh instance
 * owes a reconcile with D1, which its first step (a fan's call, or the alarm) makes, where a
 * failure is answered and retried like any other.
 *
 * With lanes (a show created with `lanes` > 1, src/lanes/) the waiting fans, their sockets and
 * their positions live in the lane objects; this object coordinates them: it keeps the tickets,
 * holds, expiry, D1 and bookings as before, admits from the buffers the lanes report
 * (`laneSync`), and the courier delivers each changed fan's state to its lane and the view to
 * every lane. It never waits on a lane inside its serial executor (a lane may be waiting on it).
 */
export class ShowQueue extends DurableObject<Env> {
  /** The show this object serves: its name. */
  private readonly showId: string;
  private readonly io: ObjectIo;
  private readonly store: ShowStore;
  private readonly ledger: ShowLedger;
  private readonly sale: Sale;
  private readonly serial = new SerialExecutor();
  private readonly alarms: AlarmScheduler;
  private readonly sockets: FanSockets;
  private readonly notifier: FanNotifier;
  private readonly buffers: LaneBuffers;
  private readonly views: ViewBuilder;
  private readonly courier: Courier;
  private readonly metrics = new Counters();
  private readonly availabilityFeed: AvailabilityBroadcast;
  /** What the next step owes first (a fresh instance: a reconcile). */
  private pending: Pending = AT_START;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ShowStore(ctx.storage);
    // Its name, in every entry point (the alarm included); an object never reached by a show's id
    // (getByName) has none, and serves nothing (`mine`).
    this.showId = ctx.id.name ?? this.store.config()?.id ?? "";
    this.io = objectIo(this.showId, env.DB);
    this.ledger = new ShowLedger(() => this.io.db(), this.showId);
    this.buffers = new LaneBuffers(ctx.storage);
    const local = new LocalLine(this.store);
    this.sale = new Sale({
      storage: ctx.storage,
      store: this.store,
      ledger: this.ledger,
      line: () => (this.lanes() > 1 ? this.buffers : local),
      lanes: this.buffers,
      metrics: this.metrics,
      now: () => this.io.now(),
    });
    this.alarms = new AlarmScheduler(ctx.storage, () => this.io.now(), {
      firstMs: RETRY_AFTER_MS,
      maxMs: MAX_ALARM_RETRY_MS,
    });
    this.sockets = new FanSockets(ctx, () => this.io.now());
    this.notifier = new FanNotifier(this.sockets, new PositionFeed(this.store), this.io);
    this.views = new ViewBuilder(this.store, this.buffers, () => this.io.now());
    this.courier = new Courier({
      lanes: () => this.lanes(),
      owed: () => this.store.pendingMail(),
      mail: (fanId) => this.mailOf(fanId),
      viewVersion: () => this.store.viewVersion(),
      view: () => this.views.build(this.onSaleConfig(), this.store.viewVersion()),
      viewRefreshAt: () => this.views.refreshAt(),
      refreshView: () => {
        this.views.release();
        this.store.nextViewVersion();
      },
      send: (lane, mails, view) => {
        const name = laneName(this.showId, lane);
        return this.io.call(name, () => this.env.LANES.getByName(name).deliver(this.showId, lane, mails, view));
      },
      // A receipt is a report with nothing but what the lane applied and declined; its answer is not needed.
      received: async (lane, receipt) => {
        const report = { lane, classes: [], acks: receipt.acks, declines: receipt.declines, cancels: [], refresh: [] };
        await this.reports({ report });
      },
      failed: (lane, error) => {
        console.warn("a delivery to a lane failed; it is made again", {
          show: this.showId,
          lane,
          error: String(error),
        });
        // A step keeps the alarm for the retry.
        this.call(nothing, nothing).catch(() => {});
      },
      now: () => this.io.now(),
      sleep: (ms) => this.io.sleep(ms),
      metrics: this.metrics,
    });
    this.availabilityFeed = new AvailabilityBroadcast(
      () => {
        const config = this.store.config();
        return config && this.store.availability(config);
      },
      (text) => this.sockets.broadcast(text, () => this.io.sleep(POSITION_SLICE_PAUSE_MS)),
      this.io,
    );
    // Keep-alive answered by the runtime itself, so idle fans never wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // --- RPC: the fan's purchase flow -------------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request`: join the class's queue, or hold a ticket at once. Requests
   * that queue up one right after another (a rush) run as one step, in their order: one storage
   * commit for all the joins, and one D1 transaction for all the admissions they allow.
   */
  request(showId: string, fanId: string, wanted: TicketClass): Promise<Outcome> {
    this.mine(showId);
    this.metrics.add("requests");
    return this.requests({ fanId, wanted });
  }

  private readonly requests = this.serial.batch((items: { fanId: string; wanted: TicketClass }[]) =>
    this.onShow(
      (s) => s.request(items),
      (refusal) => items.map(() => refusal),
    ),
  );

  /**
   * `PATCH /:showId/ingresso/cancel`: leave the queue or give the held ticket back. Cancels that
   * queue up one right after another (a burst of fans giving up) run as one step: one D1
   * transaction releases all their holds and admits as many next fans.
   */
  cancel(showId: string, fanId: string): Promise<Outcome> {
    this.mine(showId);
    return this.cancels(fanId);
  }

  private readonly cancels = this.serial.batch((fanIds: string[]) =>
    this.onShow(
      (s) => s.cancel(fanIds),
      (refusal) => fanIds.map(() => refusal),
    ),
  );

  /**
   * `PATCH /:showId/ingresso/book`: turn the fan's hold into a booking with an approved payment.
   * With lanes, answered once the fan's lane has it too (so the fan's next call there sees it),
   * and every lane the sold-out of a class.
   */
  async book(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const outcome = await this.outcome(showId, (s) => s.book(fanId, ticketId, paymentId));
    await this.delivered();
    return outcome;
  }

  /**
   * The provider reports this fan's payment in flight (a Pix code issued, a card in 3-D Secure):
   * the hold is extended once by the grace, D1 first.
   */
  async extendHold(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const outcome = await this.outcome(showId, (s) => s.extendHold(fanId, ticketId, paymentId));
    await this.delivered();
    return outcome;
  }

  /** `GET /:showId/ingresso`: the fan's state, with any hold past its time already ended. */
  state(showId: string, fanId: string): Promise<Outcome> {
    return this.outcome(showId, (s) => s.answer(fanId));
  }

  /** For `POST /api/payments`: does this fan hold this ticket now, or did they once? */
  checkHold(showId: string, fanId: string, ticketId: string): Promise<HoldCheck> {
    this.mine(showId);
    return this.call<HoldCheck>(
      (s) => s.checkHold(fanId, ticketId),
      (refusal) => ({ kind: "refused", refusal }),
    );
  }

  /**
   * The cron's safety net: end overdue holds and admit the next fans, even if the alarm was lost;
   * with lanes, deliver to every lane what it is owed, the view included.
   */
  async poke(showId: string): Promise<void> {
    this.mine(showId);
    await this.call(nothing, nothing);
    if (this.lanes() > 1) await this.courier.flush();
  }

  /** The organizer archived the show (D1 already says so): from now on it takes no new requests. */
  async archived(showId: string): Promise<void> {
    this.mine(showId);
    await this.serial.run(async () => {
      this.sale.archived();
      if (this.lanes() > 1) this.store.nextViewVersion();
    });
    if (this.lanes() > 1) await this.courier.flush();
  }

  /**
   * Free and held tickets per class (the catalogue's and the show page's availability): the
   * object's own counts, holds past their time ended first; no D1 once the object is warm.
   */
  availability(showId: string): Promise<{ ok: true; classes: ClassAvailability[] } | Refusal> {
    this.mine(showId);
    return this.call<{ ok: true; classes: ClassAvailability[] } | Refusal>(
      (s) => ({ ok: true, classes: this.store.availability(s.config) }),
      (refusal) => refusal,
    );
  }

  /** Fans waiting per class that has any (admin stats, the organizers' dashboard); with lanes, the lanes have them. */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    return this.store.waitingByClass();
  }

  // --- RPC: the show's lanes ---------------------------------------------------------------------

  /**
   * A lane's report (src/lanes/protocol.ts): what it owes, its buffers, and the admissions they
   * allow. Reports that queue up one right after another (many lanes at once, a lane's deliveries'
   * receipts) run as one step. Answered with what the lane is owed: its fans' changed states (and
   * those it asked for), and the view when the lane's is older than `knownView`.
   */
  laneSync(showId: string, report: LaneReport, knownView: number): Promise<SyncReply> {
    this.mine(showId);
    this.metrics.add("laneSyncs");
    return this.reports({ report, knownView });
  }

  /** `knownView` undefined: a delivery's receipt, which needs no answer. */
  private readonly reports = this.serial.batch((items: { report: LaneReport; knownView?: number }[]) =>
    this.onShow(
      async (s) => {
        await s.laneReports(items.map((i) => i.report));
        this.views.changed([...s.touched.values()]);
        return items.map((i) =>
          i.knownView === undefined ? NO_REPLY : this.replyTo(i.report.lane, i.knownView, i.report.refresh),
        );
      },
      (refusal) => {
        throw new Error(`a lane reported to a show that is not on sale: ${refusal.code}`);
      },
    ),
  );

  /** What this object counted (the benchmark's, through its routes). */
  laneMetrics(): ReturnType<Counters["snapshot"]> {
    return this.metrics.snapshot();
  }

  /** An empty call: the floor against which the benchmarks measure the request path. */
  ping(): number {
    return 1;
  }

  // --- live notifications ----------------------------------------------------------------------

  /**
   * `GET /:showId/ingresso/ws`, forwarded by the Worker once it has authenticated the fan. The
   * socket is accepted through the hibernation API and greeted with the fan's state, in the same
   * step, so that no change can slip between the greeting and the notifications that follow.
   */
  override async fetch(request: Request): Promise<Response> {
    const fanId = request.headers.get(FAN_HEADER);
    const showId = request.headers.get(SHOW_HEADER);
    if (!fanId || !showId || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(errorBody("UPGRADE_REQUIRED", MESSAGES.UPGRADE_REQUIRED), { status: 426 });
    }
    this.mine(showId);
    return this.call(
      (s) => {
        const { 0: client, 1: server } = new WebSocketPair();
        this.sockets.accept(server, fanId);
        this.notifier.sendTo(server, s.answer(fanId).state);
        const availability = this.availabilityFeed.greeting();
        if (availability) this.sockets.send([server], availability);
        return new Response(null, { status: 101, webSocket: client });
      },
      (r) => Response.json(errorBody(r.code, r.message), { status: ERROR_STATUS[r.code] }),
    );
  }

  /** A `state` message is answered exactly as `GET /:showId/ingresso`; anything else is ignored. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = this.sockets.receive(ws, message);
    const fanId = this.sockets.fanOf(ws);
    if (text !== STATE_REQUEST || fanId === undefined) return;
    await this.call((s) => this.notifier.sendTo(ws, s.answer(fanId).state), nothing);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.notifier.forget(ws, this.sockets.fanOf(ws));
    this.sockets.closed(ws, code);
  }

  override webSocketError(ws: WebSocket): void {
    this.notifier.forget(ws, this.sockets.fanOf(ws));
  }

  /**
   * Expiries and retries. When the step fails (D1 down), the scheduler re-arms the alarm itself,
   * backing off, rather than throwing: an outage can outlast the runtime's retries, and the cron's
   * sweep cannot see work whose D1 write already committed (a release whose answer was lost).
   */
  override async alarm(): Promise<void> {
    await this.serial.run(async () => {
      const failed = await this.alarms.fired(() => this.onShow(nothing, nothing));
      if (failed) console.error("alarm: the sale's step failed; the alarm retries", { show: this.showId, ...failed });
    });
    if (this.lanes() > 1) await this.courier.flush();
  }

  // --- the shell --------------------------------------------------------------------------------

  /** Refuse a call about another show: each object caches and sells one show's tickets only. */
  private mine(showId: string): void {
    if (showId !== this.showId || showId === "") {
      throw new Error(`this object serves show "${this.showId}", not "${showId}": reach a show's object by its id`);
    }
  }

  /** A fan's call on this show, answered with the fan's state or the contract's error. */
  private outcome(showId: string, body: (s: SaleStep) => Outcome | Promise<Outcome>): Promise<Outcome> {
    this.mine(showId);
    return this.call<Outcome>(body, (refusal) => refusal);
  }

  /** One call, serialized, as one step of the sale. */
  private call<T>(body: (s: SaleStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    return this.serial.run(() => this.onShow(body, refuse));
  }

  /**
   * Run a step on the show, if D1 has it on sale, and carry out what it changed, whether it
   * succeeded or failed. Otherwise `refuse` answers: no such show, or one still being prepared.
   */
  private async onShow<T>(body: (s: SaleStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    const config = await this.sale.rules();
    if ("ok" in config) return refuse(config);
    const step = await this.sale.step(config, this.pending, body);
    this.pending = step.pending;
    let mailRetry: number | undefined;
    if (config.lanes > 1) {
      this.views.changed(step.touched);
      // A class sold out: every lane hears it now, not at its next view.
      this.courier.kick(step.touched.some((c) => isSoldOut(this.store.classCounts(config, c) ?? NO_COUNTS)));
      // Mails stay owed until their lane confirms them: the alarm comes back for them.
      if (this.store.hasPendingMail()) mailRetry = this.io.now() + MAIL_RETRY_MS;
    } else {
      this.notify(step.changed);
    }
    await this.alarms.keep(step.wakeAt, mailRetry, this.courier.retryAt());
    if (!step.ok) throw step.error;
    return step.value;
  }

  // --- the lanes ---------------------------------------------------------------------------------

  private lanes(): number {
    return this.store.config()?.lanes ?? 1;
  }

  private onSaleConfig() {
    const config = this.store.config();
    if (!config) throw new Error("the show's lanes are served once the show is on sale");
    return config;
  }

  private mailOf(fanId: string): LaneMail | undefined {
    const config = this.store.config();
    const fan = this.store.fan(fanId);
    if (!config || !fan) return undefined;
    return { fanId, version: fan.version, entry: fan.entry, state: fanState(this.store, config, fanId) };
  }

  /** The answer to a lane's call: what it is owed, the fans it asked about, and the view if its is older. */
  private replyTo(lane: number, knownView: number, refresh: string[]): SyncReply {
    const owed = new Set(this.store.pendingMail(lane).map((p) => p.fanId));
    for (const fanId of refresh) owed.add(fanId);
    const mails = [...owed].flatMap((fanId) => this.mailOf(fanId) ?? []);
    // A lane that never had a view gets one, the show's first if need be (its sockets' greeting).
    const version =
      knownView === 0 && this.store.viewVersion() === 0 ? this.store.nextViewVersion() : this.store.viewVersion();
    const view = knownView < version ? this.views.build(this.onSaleConfig(), version) : undefined;
    this.courier.carried(lane, mails, view?.version);
    return { mails, view };
  }

  /** With lanes: resolve once the lanes have what the last call changed (a failed delivery is left to the alarm). */
  private async delivered(): Promise<void> {
    if (this.lanes() > 1) await this.courier.flush(false);
  }

  private notify(changed: Map<string, FanState | undefined>): void {
    try {
      if (changed.size === 0) return;
      this.notifier.changed(changed);
      this.availabilityFeed.changed();
    } catch (err) {
      // Notification is never the only path: the state is in storage and GET answers it.
      console.error("notify failed", { show: this.showId, error: String(err) });
    }
  }
}
