import { DurableObject } from "cloudflare:workers";
import { AlarmScheduler } from "../do/alarm";
import { FanSockets, refusedUpgrade, upgradeOf } from "../do/fan-sockets";
import { type ObjectIo, objectIo } from "../do/io";
import { Counters } from "../do/metrics";
import { SerialExecutor } from "../do/serial";
import { PING, PONG, STATE_REQUEST } from "../messages";
import { AvailabilityBroadcast } from "../show/availability-broadcast";
import type { DrawnClass } from "../show/draw";
import { Prequeue } from "../show/draw-store";
import { ShowLedger } from "../show/ledger";
import { POSITION_SLICE_PAUSE_MS } from "../show/notifier";
import { NO_SHOW, type Refusal } from "../show/sale";
import type { Outcome, ShowConfig, TicketClass } from "../show/types";
import { parseLaneName } from "./key";
import { type Join, Lane, type LaneStep, SYNC_RETRY_MAX_MS, SYNC_RETRY_MS } from "./lane";
import { LaneNotifier } from "./lane-notifier";
import { LaneOpening } from "./lane-opening";
import { lanePositions } from "./lane-positions";
import { LaneStore } from "./lane-store";
import type { DeliveryReceipt, LaneMail, LaneView, SyncReply } from "./protocol";
import { viewAvailability } from "./rules";

const nothing = () => undefined;

/**
 * One of a show's lanes (#13), named `<showId>/lane/<n>` (src/lanes/key.ts): it takes the joins,
 * the waiting fans' cancels, their state, their sockets and their positions for the fans whose
 * lane it is, and reports to the show's coordinating object (`ShowQueue`), which admits them. A
 * thin shell like the show's object: the runtime's entry points wired to parts with one job each
 * (src/do/ for the serial executor, the alarm and the sockets; src/lanes/lane.ts for the work;
 * src/lanes/lane-notifier.ts for positions). Nothing here does I/O at start.
 */
export class ShowLane extends DurableObject<Env> {
  private readonly name: string;
  private readonly showId: string;
  private readonly laneNumber: number;
  private readonly io: ObjectIo;
  private readonly store: LaneStore;
  private readonly ledger: ShowLedger;
  private readonly lane: Lane;
  private readonly serial = new SerialExecutor();
  private readonly alarms: AlarmScheduler;
  private readonly sockets: FanSockets;
  private readonly notifier: LaneNotifier;
  private readonly availabilityFeed: AvailabilityBroadcast;
  private readonly metrics = new Counters();
  private readonly opening: LaneOpening;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.name = ctx.id.name ?? "";
    const named = parseLaneName(this.name);
    this.showId = named?.showId ?? "";
    this.laneNumber = named?.lane ?? -1;
    this.io = objectIo(this.name, env.DB);
    this.store = new LaneStore(ctx.storage);
    this.ledger = new ShowLedger(() => this.io.db(), this.showId);
    this.opening = new LaneOpening(ctx.storage, this.store, new Prequeue(ctx.storage));
    this.lane = new Lane({
      storage: ctx.storage,
      store: this.store,
      lane: this.laneNumber,
      now: () => this.io.now(),
      sync: (report, knownView) =>
        this.io.call(
          this.showId,
          // The RPC's generated types widen tuples to arrays; the value is the coordinator's SyncReply.
          async () =>
            (await this.env.SHOWS.getByName(this.showId).laneSync(this.showId, report, knownView)) as SyncReply,
        ),
      metrics: this.metrics,
      opening: this.opening,
    });
    this.alarms = new AlarmScheduler(ctx.storage, () => this.io.now(), {
      firstMs: SYNC_RETRY_MS,
      maxMs: SYNC_RETRY_MAX_MS,
    });
    this.sockets = new FanSockets(ctx, () => this.io.now());
    this.notifier = new LaneNotifier(
      this.sockets,
      lanePositions(ctx.storage, this.store, this.lane),
      this.io,
      this.metrics,
    );
    // The coordinator's counts reach the fans' sockets here, where they are, throttled as on one object.
    this.availabilityFeed = new AvailabilityBroadcast(
      () => viewAvailability(this.store.view()),
      (text) => this.sockets.broadcast(text, () => this.io.sleep(POSITION_SLICE_PAUSE_MS)),
      this.io,
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // --- RPC: the fan's calls, from the Worker ------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request`: join the class's line at the key of `stamp` (the Worker's
   * clock when it got the request). Joins that queue up one right after another run as one step.
   */
  request(showId: string, fanId: string, wanted: TicketClass, stamp: number): Promise<Outcome> {
    this.mine(showId);
    this.metrics.add("requests");
    return this.joins({ fanId, wanted, stamp });
  }

  private readonly joins = this.serial.batch((items: Join[]) =>
    this.onLane(
      (s) => s.join(items),
      (refusal) => items.map(() => refusal),
    ),
  );

  /** `PATCH /:showId/ingresso/cancel`: leave the line, or (a holder) give the ticket back through the coordinator. */
  cancel(showId: string, fanId: string): Promise<Outcome> {
    this.mine(showId);
    this.metrics.add("cancels");
    return this.cancels(fanId);
  }

  private readonly cancels = this.serial.batch((fanIds: string[]) =>
    this.onLane(
      (s) => s.cancel(fanIds),
      (refusal) => fanIds.map(() => refusal),
    ),
  );

  /** `GET /:showId/ingresso`. */
  state(showId: string, fanId: string): Promise<Outcome> {
    this.mine(showId);
    this.metrics.add("states");
    return this.call<Outcome>(
      (s) => s.state(fanId),
      (refusal) => refusal,
    );
  }

  /** Fans waiting in this lane per class that has any (the show's stats sum the lanes). */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    return this.store.waitingByClass();
  }

  /** The draw endpoint's (#14): this lane's entrants, drawing with the revealed `seed` first if it has not yet. */
  drawEntrants(showId: string, seed: string): Promise<DrawnClass[]> {
    this.mine(showId);
    return this.call(
      async (s) => {
        await s.draw(seed);
        return this.opening.prequeue.entrants();
      },
      () => [],
    );
  }

  // --- RPC: the coordinator -------------------------------------------------------------------------

  /** The coordinator's delivery (src/show/courier.ts): mails and the view. */
  deliver(showId: string, lane: number, mails: LaneMail[], view: LaneView | undefined): Promise<DeliveryReceipt> {
    this.mine(showId);
    if (lane !== this.laneNumber) throw new Error(`this is lane ${this.laneNumber} of ${showId}, not lane ${lane}`);
    this.metrics.add("deliveries");
    return this.call<DeliveryReceipt>(
      (s) => s.deliver(mails, view),
      () => ({ acks: {}, declines: [] }),
    );
  }

  /** What this lane counted, and its sockets (the benchmark's, through its routes). */
  laneMetrics(): ReturnType<Counters["snapshot"]> & { sockets: number } {
    return { ...this.metrics.snapshot(), sockets: this.ctx.getWebSockets().length };
  }

  // --- live notifications ---------------------------------------------------------------------------

  /** `GET /:showId/ingresso/ws`, forwarded by the Worker once it authenticated the fan: accepted, and greeted in the same step. */
  override async fetch(request: Request): Promise<Response> {
    const upgrade = upgradeOf(request);
    if (upgrade instanceof Response) return upgrade;
    const { fanId, showId } = upgrade;
    this.mine(showId);
    this.metrics.add("connects");
    return this.call(async (s) => {
      const { state } = await s.state(fanId);
      await s.viewed();
      const { 0: client, 1: server } = new WebSocketPair();
      this.sockets.accept(server, fanId);
      this.notifier.sendTo(server, state);
      const availability = this.availabilityFeed.greeting();
      if (availability) this.sockets.send([server], availability);
      return new Response(null, { status: 101, webSocket: client });
    }, refusedUpgrade);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = this.sockets.receive(ws, message);
    const fanId = this.sockets.fanOf(ws);
    if (text !== STATE_REQUEST || fanId === undefined) return;
    await this.call(async (s) => this.notifier.sendTo(ws, (await s.state(fanId)).state), nothing);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.sockets.closed(ws, code);
  }

  /** Reports owed: the alarm sends them; a failure re-arms it, backing off. */
  override async alarm(): Promise<void> {
    await this.serial.run(async () => {
      const failed = await this.alarms.fired(() => this.onLane((s) => s.report(), nothing));
      if (failed) console.warn("lane alarm: the report failed; the alarm retries", { lane: this.name, ...failed });
    });
  }

  // --- the shell ------------------------------------------------------------------------------------

  private mine(showId: string): void {
    if (showId !== this.showId || showId === "") {
      throw new Error(`this object is lane "${this.name}", not a lane of show "${showId}": reach a lane by laneName()`);
    }
  }

  private call<T>(body: (s: LaneStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    return this.serial.run(() => this.onLane(body, refuse));
  }

  /** The show's rules, as D1 has them once it is on sale (cached); a lane beyond the show's lanes serves nothing. */
  private async rules(): Promise<ShowConfig | Refusal> {
    const cached = this.store.config();
    if (cached) return cached;
    const loaded = await this.ledger.config();
    if (!loaded) return NO_SHOW;
    if (!("classes" in loaded)) return loaded;
    if (this.laneNumber < 0 || this.laneNumber >= loaded.lanes) return NO_SHOW;
    this.store.saveConfig(loaded);
    return loaded;
  }

  /** A step of the lane, and what it changed carried out: the fans told, positions, a refill, the alarm. */
  private async onLane<T>(body: (s: LaneStep) => T | Promise<T>, refuse: (refusal: Refusal) => T): Promise<T> {
    const config = await this.rules();
    if ("ok" in config) return refuse(config);
    const viewBefore = this.store.view()?.version;
    const step = await this.lane.step(config, body);
    try {
      this.notifier.changed(step.changed, (fanId) => this.lane.stateOf(config, fanId));
      if (step.moved) this.notifier.moved();
      if (this.store.view()?.version !== viewBefore) this.availabilityFeed.changed();
    } catch (err) {
      // Notification is never the only path: the state is in storage and GET answers it.
      console.error("lane notify failed", { lane: this.name, error: String(err) });
    }
    if (step.result.ok && this.opening.pendingSeed() !== undefined) {
      // The coordinator revealed the draw's seed: the lane draws in a step of its own, right after this one.
      this.serial.run(() => this.onLane((s) => s.draw(), nothing)).catch(() => {});
    } else if (this.lane.owesNow() && this.lane.mayReport(this.io.now())) {
      // A refill or a reported fan's leaving: reported in a step of its own, right after this one.
      this.serial.run(() => this.onLane((s) => s.report(), nothing)).catch(() => {});
    }
    await this.alarms.keep(this.lane.wakeAt(config));
    if (!step.result.ok) throw step.result.error;
    return step.result.value;
  }
}
