/**
 * The show object's parts, built once per instance (no I/O: a fresh instance owes a reconcile,
 * which its first step makes). The shell (src/show/show-queue.ts) wires the runtime's entry points
 * to them; `serial` is the shell's (its batches are made as its fields are), `report` its way back in, for the lane hub's receipts (they run as the shell's
 * batched lane reports).
 */
import { objectIo } from "../do/io";
import { Counters } from "../do/metrics";
import type { SerialExecutor } from "../do/serial";
import type { LaneReport } from "../lanes/protocol";
import { LaneBuffers } from "./lane-buffers";
import { LaneHub } from "./lane-hub";
import { ShowLedger } from "./ledger";
import { Opening } from "./opening";
import { Sale } from "./sale";
import { ShowSockets } from "./show-sockets";
import { nothing, ShowSteps } from "./show-steps";
import { ShowStore } from "./store";
import { LocalLine } from "./waiting-line";

export interface ShowParts {
  /** The show's id: the object's name, or (an object reached otherwise) the one its config has, or none. */
  showId: string;
  store: ShowStore;
  sale: Sale;
  sockets: ShowSockets;
  hub: LaneHub;
  steps: ShowSteps;
  opening: Opening;
  metrics: Counters;
}

export function showParts(
  ctx: DurableObjectState,
  env: Env,
  serial: SerialExecutor,
  report: (r: LaneReport) => Promise<unknown>,
): ShowParts {
  const store = new ShowStore(ctx.storage);
  const showId = ctx.id.name ?? store.config()?.id ?? "";
  const io = objectIo(showId, env.DB);
  const buffers = new LaneBuffers(ctx.storage);
  const local = new LocalLine(store);
  const opening = Opening.of(ctx.storage, store);
  const metrics = new Counters();
  const sale = new Sale({
    storage: ctx.storage,
    store,
    ledger: new ShowLedger(() => io.db(), showId),
    line: () => (hub.lanes() > 1 ? buffers : local),
    lanes: buffers,
    metrics,
    opening,
    now: () => io.now(),
  });
  const sockets = new ShowSockets(ctx, store, io, showId);
  const hub: LaneHub = new LaneHub({
    showId,
    store,
    buffers,
    io,
    lane: (name) => env.LANES.getByName(name),
    report: (r) => report(r).then(nothing),
    // A step keeps the alarm for the retry.
    retry: () => steps.call(nothing, nothing).catch(() => {}),
    metrics,
    opening,
  });
  const steps = new ShowSteps({ serial, storage: ctx.storage, sale, sockets, hub, now: () => io.now(), showId });
  return { showId, store, sale, sockets, hub, steps, opening, metrics };
}
