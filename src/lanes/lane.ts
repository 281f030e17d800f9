/**
 * A lane's work (#13), carried out over its own storage (`LaneStore`) and its calls to the
 * coordinator (the show's `ShowQueue`, `laneSync`). Like the sale (src/show/sale.ts), work comes in
 * steps, one per serialized call of the lane object; a step never throws and answers what changed:
 * the value or the error, the fans to tell, whether positions moved.
 *
 * The lane owns its waiting fans: joins (in key order), leaving the queue, their positions. The
 * coordinator owns everything from an admission on: a fan the lane knows as holding a ticket is
 * the coordinator's, so the lane forwards its cancel and asks for its state (`refresh`). The lane
 * reports a class at once when that could change whom the coordinator admits next (a join before
 * its last reported fan, or beyond it when the coordinator believes it has nobody more, a reported
 * fan leaving, a buffer running low), and otherwise at most once per `reportInterval` (its counts
 * and its sample). A report that fails is owed until one succeeds: the alarm retries, backing off.
 */
import type { Counters } from "../do/metrics";
import { decideRequest, queued } from "../show/rules";
import type { ClassCounts, FanState, Outcome, ShowConfig, TicketClass } from "../show/types";
import { arrivalKey } from "./key";
import type { LaneOpening } from "./lane-opening";
import type { LaneFan, LaneStore, WaitingEntry } from "./lane-store";
import {
  BUFFER_SIZE,
  type ClassReport,
  type ClassView,
  type Decline,
  type DeliveryReceipt,
  type LaneMail,
  type LaneReport,
  type LaneView,
  type SyncReply,
} from "./protocol";
import { joinUrgency, leaveUrgency, mailAction, needsRefill, positionOf } from "./rules";
import { sampleRanks } from "./sketch";

/** A lane samples its queue for the coordinator at most this often (fans far back need no more). */
export const SAMPLE_INTERVAL_MS = 5_000;
/** A failed report is retried after this, doubling with every failure in a row up to `SYNC_RETRY_MAX_MS`. */
export const SYNC_RETRY_MS = 2_000;
export const SYNC_RETRY_MAX_MS = 60_000;

/**
 * How often a lane sends the reports that are not urgent (counts, samples): once a second, less
 * often with many lanes, so that together they stay near 100 a second at the coordinator.
 */
export function reportInterval(lanes: number): number {
  return Math.max(1_000, lanes * 10);
}

export interface LaneParts {
  storage: DurableObjectStorage;
  store: LaneStore;
  /** This lane's number. */
  lane: number;
  now(): number;
  /** The coordinator's `laneSync`, through the object's I/O seam. */
  sync(report: LaneReport, knownView: number): Promise<SyncReply>;
  metrics?: Counters;
  /** The fair opening (#14): the lane's share of the pre-queue, and its draw. */
  opening?: LaneOpening;
}

export interface LaneResult<T> {
  /** Fans whose state changed, each with its state when the step answered it. */
  changed: Map<string, FanState | undefined>;
  /** Positions may have moved (a pass is due). */
  moved: boolean;
  result: { ok: true; value: T } | { ok: false; error: unknown };
}

export interface Join {
  fanId: string;
  wanted: TicketClass;
  /** When the Worker that first received the request got it (epoch ms). */
  stamp: number;
}

/** What a lane keeps between steps: the mails it owes an ack for, and its reports' backoff. */
export class Lane {
  readonly acks = new Map<string, number>();
  private failures = 0;
  private resumeAt = 0;

  constructor(readonly parts: LaneParts) {}

  async step<T>(config: ShowConfig, body: (s: LaneStep) => T | Promise<T>): Promise<LaneResult<T>> {
    const s = new LaneStep(this, config);
    try {
      const value = await body(s);
      return { ...s.done(), result: { ok: true, value } };
    } catch (error) {
      return { ...s.done(), result: { ok: false, error } };
    }
  }

  /** When the alarm must come: reports owed (now, or once their interval passed), a failed one's retry. */
  wakeAt(config: ShowConfig): number | undefined {
    // Pre-queued fans: the lane asks for the draw at the opening (later while a failed ask backs off).
    const opening = this.parts.opening?.dueAt(config);
    const draw = opening === undefined ? undefined : Math.max(opening, this.resumeAt);
    const owing = this.parts.store.owing();
    const declines = this.parts.store.declines().length > 0;
    if (owing.length === 0 && !declines) return draw;
    const urgent = declines || owing.some((c) => c.due === 2);
    const base = urgent ? this.parts.now() : Math.min(...owing.map((c) => c.reportedAt + reportInterval(config.lanes)));
    const at = Math.max(base, this.resumeAt, this.parts.now());
    return draw === undefined ? at : Math.min(at, draw);
  }

  /** Whether a report the lane could do without may go now: not while a failed one backs off. */
  mayReport(now: number): boolean {
    return now >= this.resumeAt;
  }

  /** Whether the lane owes the coordinator a report now. */
  owesNow(): boolean {
    return this.parts.store.owing().some((c) => c.due === 2);
  }

  succeeded(): void {
    this.failures = 0;
    this.resumeAt = 0;
  }

  failed(now: number): void {
    this.failures += 1;
    this.resumeAt = now + Math.min(SYNC_RETRY_MS * 2 ** (this.failures - 1), SYNC_RETRY_MAX_MS);
  }

  /** A fan's state as the lane answers it: its place, or the coordinator's word about it. */
  stateOf(config: ShowConfig, fanId: string): FanState {
    return new LaneStep(this, config).stateOf(fanId);
  }

  /** The coordinator's last view of a class. */
  classView(c: TicketClass): ClassView | undefined {
    return this.parts.store.view()?.classes.find((v) => v.sector === c.sector && v.meia === c.meia);
  }
}

/** One step of a lane: its own record of what changed, discarded when it ends. */
export class LaneStep {
  private readonly changed = new Set<string>();
  private readonly answered = new Map<string, FanState>();
  private moved = false;
  private readonly store: LaneStore;

  constructor(
    private readonly lane: Lane,
    readonly config: ShowConfig,
  ) {
    this.store = lane.parts.store;
  }

  private get parts(): LaneParts {
    return this.lane.parts;
  }

  // --- the calls ----------------------------------------------------------------------------------

  /**
   * `PATCH /:showId/ingresso/request` for fans in the order their calls reached the lane: each
   * joins its class at the key of its stamp, unless it has a place already. A fan the lane knows as
   * holding asks the coordinator first (its hold may have ended there). When the coordinator must
   * hear of the joins at once it hears it in this step, so that a fan for whom a ticket is free is
   * answered holding it.
   */
  async join(items: Join[]): Promise<Outcome[]> {
    const holders = [
      ...new Set(items.filter((i) => this.store.fan(i.fanId)?.status === "IN_PROGRESS").map((i) => i.fanId)),
    ];
    if (holders.length > 0) await this.sync({ refresh: holders }, false);
    const refused = new Map<number, Outcome>();
    const joined = new Set<string>();
    const now = this.parts.now();
    for (const [i, { fanId, wanted, stamp }] of items.entries()) {
      const fan = this.store.fan(fanId);
      const decision = decideRequest({
        now,
        showStatus: this.store.view()?.status ?? this.config.status,
        salesOpenAt: this.config.salesOpenAt,
        prequeueOpensAt: this.config.prequeueOpensAt,
        maxTicketsPerUser: this.config.maxTicketsPerUser,
        sector: wanted.sector,
        counts: this.counts(wanted),
        fanStatus: fan?.status ?? "NONE",
        bookedByFan: fan?.booked.length ?? 0,
      });
      if (decision.kind === "error") refused.set(i, { ok: false, code: decision.code, message: decision.message });
      const opening = this.parts.opening;
      if (decision.kind === "prequeue" && opening) {
        this.parts.storage.transactionSync(() => opening.join(fan ?? blankFan(fanId), wanted, now));
        this.changed.add(fanId);
      }
      if (decision.kind !== "enqueue") continue;
      const key = arrivalKey(stamp, fanId);
      const urgency = joinUrgency(this.store.report(wanted), key);
      this.parts.storage.transactionSync(() => {
        const seq = this.store.enqueue(fanId, wanted, key, stamp, now);
        this.store.putFan({
          ...(fan ?? blankFan(fanId)),
          status: "WAITING",
          sector: wanted.sector,
          meia: wanted.meia,
          entry: seq,
          owner: "lane",
          ticket: null,
          expiresAt: null,
          shownPosition: null,
          shownAt: null,
        });
        this.store.owe(wanted, urgency);
      });
      joined.add(fanId);
      this.parts.metrics?.add("joins");
      this.parts.metrics?.sample("joinDelayMs", now - stamp);
      this.changed.add(fanId);
      if (urgency === 2) this.moved = true;
    }
    if (this.lane.owesNow()) await this.sync({}, false);
    return items.map(({ fanId }, i) => {
      // The answer's position is provisional: the fan's next message may correct it either way.
      const outcome = refused.get(i) ?? this.answer(fanId, { provisional: joined.has(fanId) });
      return outcome.ok ? { ...outcome, httpStatus: queued(outcome.state) ? 202 : 200 } : outcome;
    });
  }

  /**
   * `PATCH /:showId/ingresso/cancel` for these fans: a waiting fan leaves the line here; a holder's
   * cancel is the coordinator's, in this step (an error if it cannot be reached: nothing changed).
   */
  async cancel(fanIds: string[]): Promise<Outcome[]> {
    const holders: string[] = [];
    for (const fanId of fanIds) {
      const fan = this.store.fan(fanId);
      const entry = fan?.status === "WAITING" ? this.store.entryOf(fanId) : undefined;
      const opening = this.parts.opening;
      if (fan?.status === "PRE_QUEUE" && opening) {
        this.parts.storage.transactionSync(() => opening.leave(fan));
        this.changed.add(fanId);
      } else if (fan && entry) {
        const urgency = leaveUrgency(this.store.report(entry), entry.key);
        this.parts.storage.transactionSync(() => {
          this.store.dequeue(fanId);
          this.store.putFan({ ...fan, status: "CANCELLED", owner: "lane" });
          this.store.owe(entry, urgency);
        });
        this.changed.add(fanId);
        this.moved = true;
      } else if (fan?.status === "IN_PROGRESS") {
        holders.push(fanId);
      }
    }
    if (holders.length > 0) await this.sync({ cancels: holders }, true);
    else if (this.lane.owesNow()) await this.sync({}, false);
    return fanIds.map((fanId) => this.answer(fanId));
  }

  /** `GET /:showId/ingresso`: a holder's state is the coordinator's (its hold may have ended there); any other fan's is here. */
  async state(fanId: string): Promise<Extract<Outcome, { ok: true }>> {
    if (this.store.fan(fanId)?.status === "IN_PROGRESS") await this.sync({ refresh: [fanId] }, true);
    return this.answer(fanId);
  }

  /**
   * The coordinator's view, asked for once if this lane never had one (a socket's first greeting
   * carries the show's availability); a failure leaves it to the next delivery.
   */
  async viewed(): Promise<void> {
    if (!this.store.view()) await this.sync({}, false);
  }

  /** The coordinator's delivery: mails and the view; answered with what was applied and what could not be. */
  deliver(mails: LaneMail[], view: LaneView | undefined): DeliveryReceipt {
    this.apply(mails, view);
    const acks = Object.fromEntries(this.lane.acks);
    this.lane.acks.clear();
    return { acks, declines: this.store.declines() };
  }

  /** Send what is owed (the alarm's work): throws when the coordinator cannot be reached. */
  async report(): Promise<void> {
    const interval = reportInterval(this.config.lanes);
    const now = this.parts.now();
    const opening = this.parts.opening;
    if (opening?.dueAt(this.config) !== undefined && now >= this.config.salesOpenAt && !this.store.view()?.seed) {
      // The opening passed and this lane holds pre-queued fans: the coordinator's answer reveals the seed.
      await this.sync({}, true);
      if (!this.store.view()?.seed) this.lane.failed(now);
      return;
    }
    const owed = this.store.owing().some((c) => c.due === 2 || now - c.reportedAt >= interval);
    if (owed || this.store.declines().length > 0) await this.sync({}, true);
  }

  /**
   * The lane's draw (#14), once the coordinator revealed the seed (or with `seed`, the one it
   * revealed): its pre-queued fans enter the line at their drawn keys, and the coordinator hears
   * of them in this step, so that the first of them are admitted at once.
   */
  async draw(seed?: string): Promise<void> {
    const opening = this.parts.opening;
    const revealed = seed ?? opening?.pendingSeed();
    if (!opening || revealed === undefined) return;
    const placed = await opening.draw(revealed, this.parts.now());
    if (placed === undefined) return;
    // The fans are told once the line across the lanes is known (the view stops `drawing`), or admitted.
    // Even with nobody drawn here: the coordinator admits once every lane has reported its draw.
    await this.sync({}, false);
  }

  /** The fan's state as this step's answer (a `provisional` position is not kept as the one shown). */
  answer(fanId: string, opts: { provisional?: boolean } = {}): Extract<Outcome, { ok: true }> {
    const state = this.stateOf(fanId, opts);
    this.answered.set(fanId, state);
    return { ok: true, httpStatus: 200, state };
  }

  /**
   * The contract's State of a fan, from the lane's records; a waiting fan's position is never later
   * than the last one it was shown for this place.
   */
  stateOf(fanId: string, opts: { provisional?: boolean } = {}): FanState {
    const fan = this.store.fan(fanId);
    if (!fan) return { status: "NONE", booked: [] };
    const state: FanState = { status: fan.status, booked: fan.booked };
    if (fan.sector !== null) {
      state.sector = fan.sector;
      state.meia = fan.meia ?? false;
    }
    if (fan.status === "WAITING" && this.store.view()?.drawing) {
      // Drawn, but where in the line across the lanes is not known yet: still the draw to the fan.
      state.status = "PRE_QUEUE";
    } else if (fan.status === "WAITING") {
      const entry = this.store.entryOf(fanId);
      if (entry)
        state.position = opts.provisional
          ? this.positionOf(entry, this.store.ahead(entry))
          : this.shownPosition(fan, entry);
    } else if (fan.status === "IN_PROGRESS" || fan.status === "BOOKED") {
      if (fan.ticket) state.ticket = fan.ticket;
      if (fan.status === "IN_PROGRESS" && fan.expiresAt !== null)
        state.expiresAt = new Date(fan.expiresAt).toISOString();
    }
    return state;
  }

  done(): Omit<LaneResult<never>, "result"> {
    return {
      changed: new Map([...this.changed].map((fanId) => [fanId, this.answered.get(fanId)])),
      moved: this.moved,
    };
  }

  // --- positions ----------------------------------------------------------------------------------

  private shownPosition(fan: LaneFan, entry: WaitingEntry): number {
    const position = this.positionOf(entry, this.store.ahead(entry));
    const shown = fan.shownPosition === null ? position : Math.min(fan.shownPosition, position);
    if (shown !== fan.shownPosition) this.store.shown(fan.fanId, shown, this.parts.now());
    return shown;
  }

  /** Where this waiting fan stands, `ownAhead` of the lane's own fans being ahead of it. */
  private positionOf(entry: WaitingEntry, ownAhead: number): number {
    return positionOf({
      key: entry.key,
      lane: this.parts.lane,
      lanes: this.config.lanes,
      ownAhead,
      ownWaiting: this.store.waiting(entry),
      view: this.lane.classView(entry),
    });
  }

  /** The class as the coordinator last counted it (undefined: no such class). */
  private counts(c: TicketClass): ClassCounts | undefined {
    const cfg = this.config.classes.find((x) => x.sector === c.sector && x.meia === c.meia);
    if (!cfg) return undefined;
    const v = this.lane.classView(c);
    return { total: cfg.total, held: v?.held ?? 0, booked: v?.booked ?? 0, waiting: 0 };
  }

  // --- the coordinator ----------------------------------------------------------------------------

  /**
   * Report what is owed (and these holders' cancels, and the states of fans to refresh), then apply
   * the answer. A report the lane could do without waits while a failed one backs off; one it
   * cannot (`must`) is tried, and its failure thrown.
   */
  private async sync(extra: { cancels?: string[]; refresh?: string[] }, must: boolean): Promise<boolean> {
    const now = this.parts.now();
    if (!must && !this.lane.mayReport(now)) return false;
    // What is owed now, and what is owed soon once its interval passed: a class's counts and
    // sample go at most once per interval, however many calls the lane makes to the coordinator.
    const interval = reportInterval(this.config.lanes);
    const due = this.store.owing().filter((c) => c.due === 2 || now - c.reportedAt >= interval);
    const built = this.parts.storage.transactionSync(() => due.map((c) => this.buildReport(c, now)));
    const acks = new Map(this.lane.acks);
    const cancels = extra.cancels ?? [];
    const report: LaneReport = {
      lane: this.parts.lane,
      classes: built.map((b) => b.report),
      acks: Object.fromEntries(acks),
      declines: this.store.declines(),
      cancels,
      refresh: [...new Set([...(extra.refresh ?? []), ...cancels])],
      ...(this.parts.opening?.prequeue.isDrawn() && { drawn: true }),
    };
    let reply: SyncReply;
    try {
      this.parts.metrics?.add("syncs");
      reply = await this.parts.sync(report, this.store.view()?.version ?? 0);
    } catch (err) {
      this.parts.metrics?.add("syncFailures");
      this.lane.failed(now);
      if (must) throw err;
      console.warn("lane: the report to the coordinator failed; the alarm retries", { error: String(err) });
      return false;
    }
    this.lane.succeeded();
    this.parts.storage.transactionSync(() => {
      for (const b of built) this.store.reported(b.report, b, now);
      this.store.declined(report.declines);
    });
    for (const [fanId, version] of acks) if (this.lane.acks.get(fanId) === version) this.lane.acks.delete(fanId);
    this.apply(reply.mails, reply.view);
    return true;
  }

  private buildReport(c: TicketClass, now: number) {
    const version = this.store.nextReportVersion(c);
    const entries = this.store
      .waitingAfter(c, undefined, BUFFER_SIZE)
      .map(({ key, fanId, seq }) => ({ key, fanId, seq }));
    const waiting = this.store.waiting(c);
    const sampled = waiting <= BUFFER_SIZE || now - this.store.report(c).sampledAt >= SAMPLE_INTERVAL_MS;
    const report: ClassReport = {
      sector: c.sector,
      meia: c.meia,
      version,
      entries,
      more: waiting > entries.length,
      waiting,
      ...(sampled && { sample: this.store.sampleAt(c, sampleRanks(BUFFER_SIZE, waiting)) }),
    };
    return {
      report,
      version,
      tail: entries.at(-1)?.key ?? null,
      more: report.more,
      sampledAt: sampled ? now : undefined,
    };
  }

  /**
   * The coordinator's mails and view, applied: a mail about a fan's current place sets its state
   * (a waiting fan so admitted leaves the line, which may call for a refill); one admitting a fan
   * from a place it left is declined; a newer view replaces the last one, and tells the waiting
   * fans of a class that sold out.
   */
  private apply(mails: LaneMail[], view: LaneView | undefined): void {
    this.parts.storage.transactionSync(() => {
      for (const mail of mails) {
        const fan = this.store.fan(mail.fanId);
        const action = mailAction(fan, mail);
        this.lane.acks.set(mail.fanId, Math.max(this.lane.acks.get(mail.fanId) ?? 0, mail.version));
        if (action === "stale") continue;
        const base = fan ?? blankFan(mail.fanId);
        if (action === "apply") {
          const waiting = fan?.status === "WAITING" ? this.store.entryOf(fan.fanId) : undefined;
          if (waiting) this.leave(waiting, "admitted");
          const { state } = mail;
          this.store.putFan({
            ...base,
            status: state.status === "NONE" ? base.status : state.status,
            sector: state.sector ?? null,
            meia: state.meia ?? null,
            entry: mail.entry ?? base.entry,
            owner: "coordinator",
            version: mail.version,
            ticket: state.ticket ?? null,
            expiresAt: state.expiresAt ? Date.parse(state.expiresAt) : null,
            booked: state.booked,
            shownPosition: null,
            shownAt: null,
          });
          this.changed.add(mail.fanId);
          continue;
        }
        if (action === "decline" && mail.state.ticket) {
          this.store.decline({ fanId: mail.fanId, ticketId: mail.state.ticket.id } satisfies Decline);
          this.parts.metrics?.add("declines");
        }
        const bookedMoved = JSON.stringify(base.booked) !== JSON.stringify(mail.state.booked);
        this.store.putFan({ ...base, version: mail.version, booked: mail.state.booked });
        if (fan && bookedMoved) this.changed.add(mail.fanId);
      }
      if (view && view.version > (this.store.view()?.version ?? 0)) {
        this.store.saveView(view);
        this.moved = true;
        for (const c of view.classes) if (c.soldOut) this.soldOut(c);
      }
    });
  }

  /** A waiting fan leaves the line by the coordinator's word: the buffer may want refilling. */
  private leave(entry: WaitingEntry, why: "admitted" | "sold out"): void {
    this.store.dequeue(entry.fanId);
    this.moved = true;
    const report = this.store.report(entry);
    if (why === "admitted" && report.tail !== null) {
      const reported = this.store.waitingUpTo(entry, report.tail);
      if (needsRefill(report, reported, this.store.waiting(entry))) {
        this.store.owe(entry, 2);
        this.parts.metrics?.add("refills");
      }
    } else {
      this.store.owe(entry, 1);
    }
  }

  /** Every waiting fan of a class that sold out is told so. */
  private soldOut(c: TicketClass): void {
    for (;;) {
      const entries = this.store.waitingAfter(c, undefined, 500);
      for (const e of entries) {
        const fan = this.store.fan(e.fanId);
        this.leave(e, "sold out");
        this.store.putFan({
          ...(fan ?? blankFan(e.fanId)),
          status: "SOLD_OUT",
          owner: "lane",
          ticket: null,
          expiresAt: null,
        });
        this.changed.add(e.fanId);
      }
      if (entries.length < 500) return;
    }
  }
}

function blankFan(fanId: string): LaneFan {
  return {
    fanId,
    status: "CANCELLED",
    sector: null,
    meia: null,
    entry: null,
    owner: "lane",
    version: 0,
    ticket: null,
    expiresAt: null,
    booked: [],
    shownPosition: null,
    shownAt: null,
  };
}
