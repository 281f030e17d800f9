/**
 * The coordinator's view of the show for its lanes (#13): per class, the counts (what #12's live
 * availability shows), whether it sold out, its first waiting fans across every lane in order
 * (their exact positions), and the lanes' samples merged (positions further back). Rebuilt from
 * the object's own records when sent; only the merge is kept, and redone at most once per
 * `SAMPLE_MERGE_MS` per class, when that class moved.
 */
import type { ClassView, LaneView, SamplePoint } from "../lanes/protocol";
import { mergeSamples } from "../lanes/sketch";
import type { LaneBuffers } from "./lane-buffers";
import { availableCount, classKey, isSoldOut } from "./rules";
import type { ShowStore } from "./store";
import type { ShowConfig, TicketClass } from "./types";

/** The lanes' samples are merged again at most this often per class. */
export const SAMPLE_MERGE_MS = 1_000;

interface Merged {
  sample: SamplePoint[];
  admitted: number;
  at: number;
  stale: boolean;
}

export class ViewBuilder {
  private readonly merged = new Map<string, Merged>();
  /** A merge held back by its interval: the lanes need a view again once it is done. */
  private deferred: number | undefined;

  constructor(
    private readonly store: ShowStore,
    private readonly lanes: LaneBuffers,
    private readonly now: () => number,
    /** The fair opening (#14): its seed once revealed, and whether the lanes' draws are still coming in. */
    private readonly opening: () => Pick<LaneView, "seed" | "drawing"> = () => ({}),
  ) {}

  /** These classes moved: the next views show it. */
  changed(classes: TicketClass[]): void {
    for (const c of classes) {
      const m = this.merged.get(classKey(c));
      if (m) m.stale = true;
    }
  }

  /** When a merge held back is due: the view must be made (and sent) again then. */
  refreshAt(): number | undefined {
    return this.deferred;
  }

  /** The merges held back are due now (their interval passed, whatever the object's clock says). */
  release(): void {
    for (const m of this.merged.values()) if (m.stale) m.at = Number.NEGATIVE_INFINITY;
    this.deferred = undefined;
  }

  build(config: ShowConfig, version: number): LaneView {
    this.deferred = undefined;
    return {
      version,
      status: config.status,
      classes: config.classes.map((c) => this.classView(config, c)),
      ...this.opening(),
    };
  }

  private classView(config: ShowConfig, c: TicketClass): ClassView {
    const counts = this.store.classCounts(config, c) ?? { total: 0, held: 0, booked: 0, waiting: 0 };
    const admitted = this.lanes.admitted(c);
    const head = this.lanes.head(c);
    const merged = this.sample(c, head.at(-1)?.[0], admitted);
    return {
      sector: c.sector,
      meia: c.meia,
      total: counts.total,
      available: availableCount(counts),
      held: counts.held,
      booked: counts.booked,
      soldOut: isSoldOut(counts),
      admitted,
      head,
      sample: merged.sample,
      sampleAdmitted: merged.admitted,
      waiting: this.lanes.waiting(c),
      laneWaiting: this.lanes.laneWaiting(c, config.lanes),
    };
  }

  private sample(c: TicketClass, after: string | undefined, admitted: number): Merged {
    const key = classKey(c);
    const kept = this.merged.get(key);
    const now = this.now();
    if (kept && !kept.stale) return kept;
    if (kept && now - kept.at < SAMPLE_MERGE_MS) {
      this.deferred = Math.min(this.deferred ?? Number.POSITIVE_INFINITY, kept.at + SAMPLE_MERGE_MS);
      return kept;
    }
    const fresh = { sample: mergeSamples(this.lanes.queues(c), after), admitted, at: now, stale: false };
    this.merged.set(key, fresh);
    return fresh;
  }
}
