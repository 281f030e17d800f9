/**
 * The coordinator's side of a show's lanes (#13), apart from the object's shell: what a step that
 * changed the sale owes the lanes (views, the courier's round, the mails' retry), the answer to a
 * lane's report (its mails, the fans it asked about, the view when its is older), and the courier
 * that delivers to every lane. The shell (src/show/show-queue.ts) hands it the storage parts and
 * how to reach a lane; it never waits on a lane inside the object's serial executor (a lane may be
 * waiting on the coordinator).
 */
import type { ObjectIo } from "../do/io";
import type { Counters } from "../do/metrics";
import { laneName } from "../lanes/key";
import type { DeliveryReceipt, LaneMail, LaneReport, LaneView, SyncReply } from "../lanes/protocol";
import { Courier, MAIL_RETRY_MS } from "./courier";
import { fanState } from "./fan-state";
import type { LaneBuffers } from "./lane-buffers";
import { ViewBuilder } from "./lane-view";
import type { Opening } from "./opening";
import { isSoldOut } from "./rules";
import type { SaleStep } from "./sale";
import type { ShowStore } from "./store";
import type { ShowConfig, TicketClass } from "./types";

const NO_COUNTS = { total: 1, held: 0, booked: 0, waiting: 0 };

const NO_REPLY: SyncReply = { mails: [], view: undefined };

export interface LaneHubParts {
  showId: string;
  store: ShowStore;
  buffers: LaneBuffers;
  io: Pick<ObjectIo, "now" | "sleep" | "call">;
  /** A lane's object by its name (deliveries to it go through the object's I/O seam). */
  lane(name: string): {
    deliver(showId: string, lane: number, mails: LaneMail[], view: LaneView | undefined): Promise<DeliveryReceipt>;
  };
  /** A lane's receipt, recorded as a report with nothing but what the lane applied and declined. */
  report(report: LaneReport): Promise<void>;
  /** A delivery failed: a step of the object keeps the alarm for the retry. */
  retry(): void;
  metrics?: Counters;
  /** The fair opening (#14): what the lanes' view says of the draw, and whether a step just drew. */
  opening?: Pick<Opening, "forLanes" | "takeFresh">;
}

/** A report from a lane, and the view it has (undefined: a delivery's receipt, which needs no answer). */
export interface ReportItem {
  report: LaneReport;
  knownView?: number;
}

export class LaneHub {
  private readonly views: ViewBuilder;
  private readonly courier: Courier;

  constructor(private readonly parts: LaneHubParts) {
    const { store, io } = parts;
    this.views = new ViewBuilder(
      store,
      parts.buffers,
      () => io.now(),
      () => parts.opening?.forLanes(this.onSaleConfig(), io.now()) ?? {},
    );
    this.courier = new Courier({
      lanes: () => this.lanes(),
      owed: () => store.pendingMail(),
      mail: (fanId) => this.mailOf(fanId),
      viewVersion: () => store.viewVersion(),
      view: () => this.views.build(this.onSaleConfig(), store.viewVersion()),
      viewRefreshAt: () => this.views.refreshAt(),
      refreshView: () => {
        this.views.release();
        store.nextViewVersion();
      },
      send: (lane, mails, view) => {
        const name = laneName(parts.showId, lane);
        return io.call(name, () => parts.lane(name).deliver(parts.showId, lane, mails, view));
      },
      received: (lane, receipt) =>
        parts.report({ lane, classes: [], acks: receipt.acks, declines: receipt.declines, cancels: [], refresh: [] }),
      failed: (lane, error) => {
        console.warn("a delivery to a lane failed; it is made again", {
          show: parts.showId,
          lane,
          error: String(error),
        });
        parts.retry();
      },
      now: () => io.now(),
      sleep: (ms) => io.sleep(ms),
      metrics: parts.metrics,
    });
  }

  /** The show's lanes (1 until the show is on sale, and for a show without lanes). */
  lanes(): number {
    return this.parts.store.config()?.lanes ?? 1;
  }

  /**
   * A step changed these classes: the next views show it, the courier delivers (every lane at once
   * when a class sold out). Answered with when the alarm must come back for mails not confirmed.
   */
  stepped(config: ShowConfig, touched: TicketClass[]): number | undefined {
    this.views.changed(touched);
    // A class sold out, or the draw revealed its seed (#14): every lane hears it now, not at its next view.
    const drew = this.parts.opening?.takeFresh() ?? false;
    this.courier.kick(drew || touched.some((c) => isSoldOut(this.parts.store.classCounts(config, c) ?? NO_COUNTS)));
    return this.parts.store.hasPendingMail() ? this.parts.io.now() + MAIL_RETRY_MS : undefined;
  }

  /** When a failed delivery is due again. */
  retryAt(): number | undefined {
    return this.courier.retryAt();
  }

  /** The lanes' reports, as one step of the sale: each answered with what its lane is owed. */
  async answer(s: SaleStep, items: ReportItem[]): Promise<SyncReply[]> {
    await s.laneReports(items.map((i) => i.report));
    this.views.changed([...s.touched.values()]);
    return items.map((i) =>
      i.knownView === undefined ? NO_REPLY : this.replyTo(i.report.lane, i.knownView, i.report.refresh),
    );
  }

  /** With lanes: deliver every lane what it is owed, the view included. */
  async flush(): Promise<void> {
    if (this.lanes() > 1) await this.courier.flush();
  }

  /** With lanes: resolve once the lanes have what the last call changed (a failed delivery is left to the alarm). */
  async delivered(): Promise<void> {
    if (this.lanes() > 1) await this.courier.flush(false);
  }

  private onSaleConfig(): ShowConfig {
    const config = this.parts.store.config();
    if (!config) throw new Error("the show's lanes are served once the show is on sale");
    return config;
  }

  private mailOf(fanId: string): LaneMail | undefined {
    const { store } = this.parts;
    const config = store.config();
    const fan = store.fan(fanId);
    if (!config || !fan) return undefined;
    return { fanId, version: fan.version, entry: fan.entry, state: fanState(store, config, fanId) };
  }

  /** The answer to a lane's call: what it is owed, the fans it asked about, and the view if its is older. */
  private replyTo(lane: number, knownView: number, refresh: string[]): SyncReply {
    const { store } = this.parts;
    const owed = new Set(store.pendingMail(lane).map((p) => p.fanId));
    for (const fanId of refresh) owed.add(fanId);
    const mails = [...owed].flatMap((fanId) => this.mailOf(fanId) ?? []);
    // A lane that never had a view gets one, the show's first if need be (its sockets' greeting).
    const version = knownView === 0 && store.viewVersion() === 0 ? store.nextViewVersion() : store.viewVersion();
    const view = knownView < version ? this.views.build(this.onSaleConfig(), version) : undefined;
    this.courier.carried(lane, mails, view?.version);
    return { mails, view };
  }
}
