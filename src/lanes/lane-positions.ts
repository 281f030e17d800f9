/**
 * What a lane's position passes read (src/lanes/lane-notifier.ts), from the lane's own storage: its
 * waiting fans a slice at a time, each with the position it may be shown now (never later than the
 * one it was shown last, src/lanes/rules.ts's `positionOf` for the rest), and the record of what
 * was shown.
 */
import type { FanState } from "../show/types";
import type { Lane } from "./lane";
import type { LanePositionSource, PassFan } from "./lane-notifier";
import type { LaneStore } from "./lane-store";
import { positionOf } from "./rules";

export function lanePositions(storage: DurableObjectStorage, store: LaneStore, lane: Lane): LanePositionSource {
  return {
    classes: () => store.waitingByClass(),
    slice: (c, after, limit) => {
      const config = store.config();
      // While the lanes' draws come in, nobody's place is known yet (src/lanes/lane-opening.ts).
      if (!config || store.view()?.drawing) return [];
      const entries = store.waitingAfter(c, after, limit);
      const first = entries[0];
      if (!first) return [];
      const ahead = store.ahead(first);
      const view = lane.classView(c);
      const ownWaiting = store.waiting(c);
      return entries.flatMap((e, i): PassFan[] => {
        const fan = store.fan(e.fanId);
        if (!fan) return [];
        const computed = positionOf({
          key: e.key,
          lane: lane.parts.lane,
          lanes: config.lanes,
          ownAhead: ahead + i,
          ownWaiting,
          view,
        });
        const position = fan.shownPosition === null ? computed : Math.min(fan.shownPosition, computed);
        const state: FanState = { status: "WAITING", position, sector: e.sector, meia: e.meia, booked: fan.booked };
        return [{ fanId: e.fanId, key: e.key, state, shown: fan.shownPosition, shownAt: fan.shownAt }];
      });
    },
    shown: (fans, at) =>
      storage.transactionSync(() => {
        for (const f of fans) store.shown(f.fanId, f.position, at);
      }),
  };
}
