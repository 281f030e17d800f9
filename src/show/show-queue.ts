import { DurableObject } from "cloudflare:workers";
import { refusedUpgrade, upgradeOf } from "../do/fan-sockets";
import type { Counters } from "../do/metrics";
import { SerialExecutor } from "../do/serial";
import type { LaneReport, SyncReply } from "../lanes/protocol";
import type { ReportItem } from "./lane-hub";
import type { DrawResult } from "./opening";
import type { Refusal, SaleStep } from "./sale";
import { type ShowParts, showParts } from "./show-parts";
import { nothing } from "./show-steps";
import type { ClassAvailability, HoldCheck, Outcome, TicketClass } from "./types";

type Availability = { ok: true; classes: ClassAvailability[] } | Refusal;

/**
 * One object per show, named by the show's id. This class only wires the runtime's entry points
 * (the RPC methods, `fetch` for the WebSocket upgrade, `webSocket*`, `alarm`) to parts with one job
 * each: every call runs as one step of the sale (src/show/sale.ts) through `ShowSteps`, which
 * carries out what the step changed; the fans' sockets are `ShowSockets`'. Nothing here does I/O
 * at start: a fresh instance owes a reconcile with D1, which its first step makes.
 *
 * With lanes (`lanes` > 1, src/lanes/) the waiting fans, their sockets and positions live in the
 * lane objects; this object keeps the tickets, holds, expiry, D1 and bookings, admits from the
 * buffers the lanes report (`laneSync`), and its lane hub (src/show/lane-hub.ts) delivers to them.
 */
export class ShowQueue extends DurableObject<Env> {
  private readonly serial = new SerialExecutor();
  private readonly parts: ShowParts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.parts = showParts(ctx, env, this.serial, (report) => this.reports({ report }));
  }

  // --- RPC: the fan's purchase flow -------------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request`: join the class's queue, or hold a ticket at once. A rush's
   * requests run as one step: one storage commit for the joins, one D1 transaction for the admissions.
   */
  request(showId: string, fanId: string, wanted: TicketClass): Promise<Outcome> {
    this.mine(showId);
    this.parts.metrics.add("requests");
    return this.requests({ fanId, wanted });
  }

  private readonly requests = this.fanBatch((s, items: { fanId: string; wanted: TicketClass }[]) => s.request(items));

  /** `PATCH /:showId/ingresso/cancel`: leave the queue or give the ticket back; a burst of them is one step. */
  cancel(showId: string, fanId: string): Promise<Outcome> {
    this.mine(showId);
    return this.cancels(fanId);
  }

  private readonly cancels = this.fanBatch((s, fanIds: string[]) => s.cancel(fanIds));

  /**
   * `PATCH /:showId/ingresso/book`: the fan's hold becomes a booking (an approved payment). With lanes,
   * answered once the fan's lane has it too (the fan's next call there sees it), a sold-out every lane.
   */
  async book(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const outcome = await this.outcome(showId, (s) => s.book(fanId, ticketId, paymentId));
    await this.parts.hub.delivered();
    return outcome;
  }

  /** The fan's payment is in flight (a Pix code issued, a card in 3-D Secure): the hold is extended once. */
  async extendHold(showId: string, fanId: string, ticketId: string, paymentId: string): Promise<Outcome> {
    const outcome = await this.outcome(showId, (s) => s.extendHold(fanId, ticketId, paymentId));
    await this.parts.hub.delivered();
    return outcome;
  }

  /** `GET /:showId/ingresso`: the fan's state, with any hold past its time already ended. */
  state(showId: string, fanId: string): Promise<Outcome> {
    return this.outcome(showId, (s) => s.answer(fanId));
  }

  /** For `POST /api/payments`: does this fan hold this ticket now, or did they once? */
  checkHold(showId: string, fanId: string, ticketId: string): Promise<HoldCheck> {
    this.mine(showId);
    return this.parts.steps.call<HoldCheck>(
      (s) => s.checkHold(fanId, ticketId),
      (refusal) => ({ kind: "refused", refusal }),
    );
  }

  /** The cron's safety net: overdue holds end even if the alarm was lost; every lane gets what it is owed. */
  async poke(showId: string): Promise<void> {
    this.mine(showId);
    await this.parts.steps.call(nothing, nothing);
    await this.parts.hub.flush();
  }

  /** The organizer archived the show (D1 already says so): from now on it takes no new requests. */
  async archived(showId: string): Promise<void> {
    this.mine(showId);
    await this.serial.run(async () => {
      this.parts.sale.archived();
      if (this.parts.hub.lanes() > 1) this.parts.store.nextViewVersion();
    });
    await this.parts.hub.flush();
  }

  /** Free and held tickets per class (catalogue, show page): the object's own counts, no D1 once warm. */
  availability(showId: string): Promise<Availability> {
    this.mine(showId);
    return this.parts.steps.call<Availability>(
      (s) => ({ ok: true, classes: this.parts.store.availability(s.config) }),
      (refusal) => refusal,
    );
  }

  /** Fans waiting per class that has any (admin stats, the organizers' dashboard); with lanes, the lanes have them. */
  waitingByClass(): (TicketClass & { waiting: number })[] {
    return this.parts.store.waitingByClass();
  }

  /** The fair opening (#14), at the show's creation: the secret seed drawn once, its commitment answered. */
  commitDraw(showId: string): Promise<string> {
    this.mine(showId);
    return this.parts.opening.commit();
  }

  /** The draw once it happened (a step: a draw due now happens first); undefined before. */
  drawResult(showId: string): Promise<DrawResult | undefined> {
    this.mine(showId);
    return this.parts.steps.call(() => this.parts.opening.result(), nothing);
  }

  // --- RPC: the show's lanes ---------------------------------------------------------------------

  /**
   * A lane's report (src/lanes/protocol.ts): its buffers, what it owes; many at once run as one step.
   * Answered with what the lane is owed: its fans' states, and the view if its is older than `knownView`.
   */
  laneSync(showId: string, report: LaneReport, knownView: number): Promise<SyncReply> {
    this.mine(showId);
    this.parts.metrics.add("laneSyncs");
    return this.reports({ report, knownView });
  }

  private readonly reports = this.serial.batch((items: ReportItem[]) =>
    this.parts.steps.step(
      (s) => this.parts.hub.answer(s, items),
      (refusal) => {
        throw new Error(`a lane reported to a show that is not on sale: ${refusal.code}`);
      },
    ),
  );

  /** What this object counted (the benchmark's, through its routes). */
  laneMetrics(): ReturnType<Counters["snapshot"]> {
    return this.parts.metrics.snapshot();
  }

  /** An empty call: the floor against which the benchmarks measure the request path. */
  ping(): number {
    return 1;
  }

  // --- live notifications (a show without lanes) ---------------------------------------------------
  /**
   * `GET /:showId/ingresso/ws` (the Worker authenticated the fan): accepted and greeted in one step,
   * so that no change can slip between the greeting and the notifications that follow.
   */
  override async fetch(request: Request): Promise<Response> {
    const upgrade = upgradeOf(request);
    if (upgrade instanceof Response) return upgrade;
    this.mine(upgrade.showId);
    return this.parts.steps.call(
      (s) => this.parts.sockets.accept(upgrade.fanId, s.answer(upgrade.fanId).state),
      refusedUpgrade,
    );
  }

  /** A `state` message is answered exactly as `GET /:showId/ingresso`; anything else is ignored. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const fanId = this.parts.sockets.stateRequest(ws, message);
    if (fanId !== undefined)
      await this.parts.steps.call((s) => this.parts.sockets.sendTo(ws, s.answer(fanId).state), nothing);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.parts.sockets.closed(ws, code);
  }

  override webSocketError(ws: WebSocket): void {
    this.parts.sockets.error(ws);
  }

  /** Expiries and retries (`ShowSteps.alarm`); with lanes, then every lane what it is owed. */
  override async alarm(): Promise<void> {
    await this.parts.steps.alarm();
    await this.parts.hub.flush();
  }

  /** A fan's calls of one kind that queue up one right after another, as one step; a refusal answers each. */
  private fanBatch<I>(run: (s: SaleStep, items: I[]) => Promise<Outcome[]>): (item: I) => Promise<Outcome> {
    return this.serial.batch((items: I[]) =>
      this.parts.steps.step(
        (s) => run(s, items),
        (refusal) => items.map(() => refusal),
      ),
    );
  }

  /** Refuse a call about another show: each object caches and sells one show's tickets only. */
  private mine(showId: string): void {
    if (showId !== this.parts.showId || showId === "") {
      throw new Error(
        `this object serves show "${this.parts.showId}", not "${showId}": reach a show's object by its id`,
      );
    }
  }

  /** A fan's call on this show, answered with the fan's state or the contract's error. */
  private outcome(showId: string, body: (s: SaleStep) => Outcome | Promise<Outcome>): Promise<Outcome> {
    this.mine(showId);
    return this.parts.steps.call<Outcome>(body, (refusal) => refusal);
  }
}
