/**
 * A reference model of one show's sale, in plain TypeScript: what the contract says should happen,
 * written as simply as possible (arrays and maps, no storage, no D1). The model-based test runs the
 * same random commands against it and against the real Durable Object with real D1. It stays one
 * FIFO per class: by arrival (one lane), or by the Worker's stamp (lanes, `byStamp`), where a join
 * stamped before fans already waiting goes ahead of them.
 */
export interface ModelClass {
  key: string;
  sector: string;
  meia: boolean;
  total: number;
}

export type Status = "NONE" | "WAITING" | "IN_PROGRESS" | "BOOKED" | "CANCELLED" | "EXPIRED" | "SOLD_OUT";

export interface ModelFan {
  status: Status;
  cls?: string;
  holdExpiresAt?: number;
  /** Approved payments for the current hold. */
  paid: number;
  /** Approved payments whose hold ended unbooked: the money is owed back. */
  refundsDue: number;
  /** The class of every ticket booked, in booking order. */
  booked: string[];
  /** Holds granted so far: which hold a checkout was opened for. */
  holds: number;
  /** The hold (by `holds`) of the fan's open checkout at the provider, if any. */
  checkout?: number;
}

export type ModelError = "LIMIT_REACHED" | "SOLD_OUT" | "HOLD_EXPIRED" | "TICKET_NOT_HELD" | "PAYMENT_NOT_APPROVED";

/**
 * Which ticket a book names: the fan's current hold, a ticket the fan booked (with the payment
 * that booked it), a ticket the fan held once and lost, or one the fan never held.
 */
export type BookTarget = "current" | "booked" | "ended" | "never";

export class SaleModel {
  now: number;
  readonly queue = new Map<string, string[]>();
  readonly fans = new Map<string, ModelFan>();
  /** Each waiting fan's stamp, when the queue is kept by stamp. */
  readonly stamps = new Map<string, number>();

  constructor(
    readonly classes: ModelClass[],
    readonly fanIds: string[],
    readonly holdMs: number,
    readonly maxPerFan: number,
    startAt: number,
    readonly byStamp = false,
  ) {
    this.now = startAt;
    for (const c of classes) this.queue.set(c.key, []);
    for (const f of fanIds) this.fans.set(f, { status: "NONE", paid: 0, refundsDue: 0, booked: [], holds: 0 });
  }

  /** An independent copy, to try one order of concurrent calls. */
  clone(): SaleModel {
    const m = new SaleModel(this.classes, this.fanIds, this.holdMs, this.maxPerFan, this.now, this.byStamp);
    for (const [k, q] of this.queue) m.queue.set(k, [...q]);
    for (const [id, f] of this.fans) m.fans.set(id, { ...f, booked: [...f.booked] });
    for (const [id, t] of this.stamps) m.stamps.set(id, t);
    return m;
  }

  /** Take over the state of a copy (the order of a concurrent batch that explains what happened). */
  adopt(other: SaleModel): void {
    this.now = other.now;
    this.queue.clear();
    for (const [k, q] of other.queue) this.queue.set(k, [...q]);
    this.fans.clear();
    for (const [id, f] of other.fans) this.fans.set(id, { ...f, booked: [...f.booked] });
    this.stamps.clear();
    for (const [id, t] of other.stamps) this.stamps.set(id, t);
  }

  fan(id: string): ModelFan {
    const f = this.fans.get(id);
    if (!f) throw new Error(`unknown fan ${id}`);
    return f;
  }

  cls(key: string): ModelClass {
    const c = this.classes.find((x) => x.key === key);
    if (!c) throw new Error(`unknown class ${key}`);
    return c;
  }

  held(key: string): number {
    return [...this.fans.values()].filter((f) => f.status === "IN_PROGRESS" && f.cls === key).length;
  }

  booked(key: string): number {
    return [...this.fans.values()].reduce((n, f) => n + f.booked.filter((b) => b === key).length, 0);
  }

  position(fanId: string): number | undefined {
    const f = this.fan(fanId);
    if (f.status !== "WAITING" || !f.cls) return undefined;
    return (this.queue.get(f.cls) ?? []).indexOf(fanId) + 1;
  }

  /** What every operation does first: end holds past their time, admit, tell sold-out classes. */
  settle(): void {
    for (const f of this.fans.values()) {
      if (f.status === "IN_PROGRESS" && (f.holdExpiresAt ?? 0) <= this.now) {
        f.status = "EXPIRED";
        this.endHold(f);
      }
    }
    for (const c of this.classes) this.admit(c.key);
  }

  private admit(key: string): void {
    const c = this.cls(key);
    const q = this.queue.get(key) ?? [];
    while (q.length > 0 && c.total - this.held(key) - this.booked(key) > 0) {
      const f = this.fan(q.shift() as string);
      f.status = "IN_PROGRESS";
      f.holdExpiresAt = this.now + this.holdMs;
      f.holds += 1;
    }
    if (this.booked(key) >= c.total) {
      for (const fanId of q.splice(0)) this.fan(fanId).status = "SOLD_OUT";
    }
  }

  /**
   * Answers the error, or undefined; `enqueued` tells whether the fan joined the queue. Kept by
   * stamp, the fan goes behind every waiting fan stamped before it and ahead of the others.
   */
  request(fanId: string, key: string, stamp = 0): { error?: ModelError; enqueued: boolean } {
    this.settle();
    const f = this.fan(fanId);
    if (f.status === "WAITING" || f.status === "IN_PROGRESS") return { enqueued: false };
    if (f.booked.length + 1 > this.maxPerFan) return { error: "LIMIT_REACHED", enqueued: false };
    if (this.booked(key) >= this.cls(key).total) return { error: "SOLD_OUT", enqueued: false };
    f.status = "WAITING";
    f.cls = key;
    const q = this.queue.get(key) ?? [];
    if (this.byStamp) {
      this.stamps.set(fanId, stamp);
      const at = q.findIndex((other) => (this.stamps.get(other) ?? 0) > stamp);
      q.splice(at < 0 ? q.length : at, 0, fanId);
    } else {
      q.push(fanId);
    }
    this.admit(key);
    return { enqueued: true };
  }

  cancel(fanId: string): void {
    this.settle();
    const f = this.fan(fanId);
    if (f.status === "WAITING" && f.cls) {
      const q = this.queue.get(f.cls) ?? [];
      q.splice(q.indexOf(fanId), 1);
      f.status = "CANCELLED";
    } else if (f.status === "IN_PROGRESS" && f.cls) {
      f.status = "CANCELLED";
      this.endHold(f);
      this.admit(f.cls);
    }
  }

  private endHold(f: ModelFan): void {
    f.holdExpiresAt = undefined;
    f.refundsDue += f.paid;
    f.paid = 0;
  }

  /**
   * Whether the fan, reading its state to pay, sees a hold. With lanes (`byStamp`) only a holder's
   * read reaches the coordinator (which ends holds past their time and admits); a waiting fan's is
   * answered by its lane, which knows of an admission only once the coordinator's alarm or poke
   * delivered it: a turn that came by the clock alone is not yet seen, so nothing can be paid or
   * booked.
   */
  seesHold(fanId: string): boolean {
    return this.seeHolds([fanId]).has(fanId);
  }

  /** `seesHold` for several fans reading at once (before the clock's admissions are settled for any). */
  seeHolds(fanIds: string[]): Set<string> {
    const waitAtTheirLanes = new Set(fanIds.filter((id) => this.byStamp && this.fan(id).status !== "IN_PROGRESS"));
    this.settle();
    return new Set(fanIds.filter((id) => !waitAtTheirLanes.has(id) && this.fan(id).status === "IN_PROGRESS"));
  }

  /** The provider approves a payment for the fan's current hold, as the fan sees it. */
  pay(fanId: string): void {
    if (this.seesHold(fanId)) this.fan(fanId).paid += 1;
  }

  /** The fan opens a checkout at the provider for the current hold, as the fan sees it (a PENDING payment). */
  checkout(fanId: string): void {
    const f = this.fan(fanId);
    if (this.seesHold(fanId)) f.checkout = f.holds;
  }

  /**
   * The provider confirms the fan's open checkout, with the fan's browser gone: the server books
   * the ticket while the fan still holds it (`holdsItsTicket`: the hold is that checkout's, or a
   * later hold of the very same ticket, which D1 chose), any other approved payment of the hold
   * becoming owed back; otherwise the money is owed back.
   */
  confirm(fanId: string, holdsItsTicket: boolean): void {
    this.settle();
    const f = this.fan(fanId);
    if (f.checkout === undefined) return;
    f.checkout = undefined;
    if (f.status !== "IN_PROGRESS" || !f.cls || !holdsItsTicket) {
      f.refundsDue += 1;
      return;
    }
    f.status = "BOOKED";
    f.holdExpiresAt = undefined;
    f.refundsDue += f.paid;
    f.paid = 0;
    f.booked.push(f.cls);
    this.admit(f.cls);
  }

  /**
   * Book `target` with the fan's own approved payment for it (or, with `foreignPayment`, another
   * fan's). A repeat with the payment that booked the ticket answers the state again.
   */
  book(fanId: string, target: BookTarget, foreignPayment = false): ModelError | undefined {
    this.settle();
    const f = this.fan(fanId);
    if (target === "never") return "TICKET_NOT_HELD";
    if (target === "ended") return "HOLD_EXPIRED";
    if (target === "booked") return foreignPayment ? "HOLD_EXPIRED" : undefined;
    if (f.status !== "IN_PROGRESS" || !f.cls) throw new Error("book(current) without a hold");
    if (f.paid === 0 || foreignPayment) return "PAYMENT_NOT_APPROVED";
    f.status = "BOOKED";
    f.holdExpiresAt = undefined;
    // One payment books the ticket; any other approved for the same hold is owed back.
    f.refundsDue += f.paid - 1;
    f.paid = 0;
    f.booked.push(f.cls);
    this.admit(f.cls);
    return undefined;
  }
}
