import { DurableObject } from "cloudflare:workers";
import { AlarmScheduler } from "../do/alarm";
import { FanSockets } from "../do/fan-sockets";
import { type ObjectIo, objectIo } from "../do/io";
import { SerialExecutor } from "../do/serial";
import { ERROR_STATUS, errorBody, MESSAGES } from "../errors";
import { FAN_HEADER, PING, PONG, SHOW_HEADER, STATE_REQUEST } from "../messages";
import { AvailabilityBroadcast } from "./availability-broadcast";
import { ShowLedger } from "./ledger";
import { FanNotifier, POSITION_SLICE_PAUSE_MS } from "./notifier";
import { PositionFeed } from "./position-feed";
import { AT_START, type Pending, RETRY_AFTER_MS, type Refusal, Sale, type SaleStep } from "./sale";
import { ShowStore } from "./store";
import type { ClassAvailability, FanState, HoldCheck, Outcome, TicketClass } from "./types";

/** A failing alarm retries after RETRY_AFTER_MS, doubling with every failure in a row up to this. */
const MAX_ALARM_RETRY_MS = 60_000;

/** The body of a step that only settles what is due (the alarm, the cron's poke), and its answer without a show. */
const nothing = () => undefined;

/**
 * One object per show, named by the show's id. This class only wires the runtime's entry points
 * (the RPC methods, `fetch` for the WebSocket upgrade, `webSocket*`, `alarm`) to parts with one job
 * each: every call runs through the serial executor, as one step of the sale (src/show/sale.ts);
 * the shell carries out what the step changed (the fans to notify, the alarm to keep) and keeps the
 * one thing a step leaves to the next (`pending`). Nothing here does I/O at start: a fresh instance
 * owes a reconcile with D1, which its first step (a fan's call, or the alarm) makes, where a
 * failure is answered and retried like any other.
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
    this.sale = new Sale({ storage: ctx.storage, store: this.store, ledger: this.ledger, now: () => this.io.now() });
    this.alarms = new AlarmScheduler(ctx.storage, () => this.io.now(), {
      firstMs: RETRY_AFTER_MS,
      maxMs: MAX_ALARM_RETRY_MS,
    });
    this.sockets = new FanSockets(ctx, () => this.io.now());
    this.notifier = new FanNotifier(this.sockets, new PositionFeed(this.store), this.io);
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

  /** `PATCH /:showId/ingresso/book`: turn the fan's hold into a booking with an approved payment. */
  book(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    return this.outcome(showId, (s) => s.book(fanId, ticketId, paymentId));
  }

  /**
   * The provider reports this fan's payment in flight (a Pix code issued, a card in 3-D Secure):
   * the hold is extended once by the grace, D1 first.
   */
  extendHold(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    return this.outcome(showId, (s) => s.extendHold(fanId, ticketId, paymentId));
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

  /** The cron's safety net: end overdue holds and admit the next fans, even if the alarm was lost. */
  poke(showId: string): Promise<void> {
    this.mine(showId);
    return this.call(nothing, nothing);
  }

  /** The organizer archived the show (D1 already says so): from now on it takes no new requests. */
  archived(showId: string): Promise<void> {
    this.mine(showId);
    return this.serial.run(async () => this.sale.archived());
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

  /** Fans waiting per class that has any (admin stats, the organizers' dashboard). */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    return this.store.waitingByClass();
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
    this.notify(step.changed);
    await this.alarms.keep(step.wakeAt);
    if (!step.ok) throw step.error;
    return step.value;
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
