/**
 * Inside the objects of a show with lanes (workerd through the vitest plugin, no HTTP in front):
 * what each operation costs the object that does it, for the capacity table in bench/README.md.
 * A show with 4 lanes; every fan timed here is in lane 0, on an open socket:
 * - lane: a join once its buffer is full (no report to the coordinator), a delivery of a view,
 *   a position pass (its own work, per message sent);
 * - coordinator: an admission (a holder's cancel handing the ticket to the first fan across the
 *   lanes' buffers, D1 and the mail to the lane included), a lane's report of a full buffer
 *   (256 fans) without and with the view in the answer (the merged summaries).
 * Each figure is the median of several blocks (the objects' clocks tick in whole milliseconds).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { FanSockets } from "../../src/do/fan-sockets";
import { replaceIo } from "../../src/do/io";
import { arrivalKey, laneName, laneOf } from "../../src/lanes/key";
import { Lane } from "../../src/lanes/lane";
import { LaneNotifier } from "../../src/lanes/lane-notifier";
import { lanePositions } from "../../src/lanes/lane-positions";
import { LaneStore } from "../../src/lanes/lane-store";
import { BUFFER_SIZE, type LaneReport, type LaneView } from "../../src/lanes/protocol";
import type { ShowLane } from "../../src/lanes/show-lane";
import { FAN_HEADER, SHOW_HEADER } from "../../src/messages";
import type { ShowQueue } from "../../src/show/show-queue";
import { createShow, showStub } from "../../test/worker/helpers";

declare module "vitest" {
  interface TaskMeta {
    laneBench?: unknown;
  }
}

const LANES = 4;
const HOLDERS = 20;
const WAITING = 1_000;
const BLOCK = 10;
const BLOCKS = 5;
const PISTA = { sector: "Pista", meia: false };
const never = () => new Promise<void>(() => {});
const noPauses = { now: () => Date.now(), sleep: () => Promise.resolve() };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Microseconds per operation: `blocks` blocks of `size`, the median block. */
async function timed(blocks: number, size: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    const t = performance.now();
    for (let k = 0; k < size; k++) await op(i++);
    out.push(((performance.now() - t) * 1000) / size);
  }
  return median(out);
}

/** Fans straight into D1, in lane 0 of the show only. */
async function laneZeroFans(showId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < n) {
    const id = `usr_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    if (laneOf(showId, id, LANES) === 0) ids.push(id);
  }
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, name, email, created_at) VALUES ${chunk.map(() => "(?, 'Fã', ?, 0)").join(", ")}`,
      ).bind(...chunk.flatMap((id) => [id, `${id}@example.com`])),
    );
  }
  await env.DB.batch(statements);
  return ids;
}

it("times each operation inside the lanes and the coordinator", async ({ task }) => {
  const show = await createShow({
    sectors: [{ name: "Pista", capacity: HOLDERS, priceCents: 10000, meiaShare: 0 }],
    holdSeconds: 600,
    maxTicketsPerUser: 20,
    lanes: LANES,
  });
  const name = laneName(show.id, 0);
  const lane = env.LANES.getByName(name);
  const fans = await laneZeroFans(show.id, HOLDERS + WAITING + BLOCKS * BLOCK * 3);
  const sockets: WebSocket[] = [];
  for (const f of fans) {
    const res = await lane.fetch("http://catraca.test/ws", {
      headers: { upgrade: "websocket", [FAN_HEADER]: f, [SHOW_HEADER]: show.id },
    });
    if (!res.webSocket) throw new Error(`expected a WebSocket, got ${res.status}`);
    res.webSocket.accept();
    sockets.push(res.webSocket);
  }
  // The lane's own position passes held back: every pass timed here is one of the bench's.
  replaceIo(name, { sleep: never });
  let stamp = Date.now();
  const join = (o: ShowLane, f: string) => o.request(show.id, f, PISTA, stamp++);

  const laneFigures = await runInDurableObject(lane, async (o: ShowLane, ctx) => {
    for (const f of fans.slice(0, HOLDERS + WAITING)) await join(o, f);
    const joinUs = await timed(BLOCKS, BLOCK * 2, (i) => join(o, fans[HOLDERS + WAITING + i]!));
    const store = new LaneStore(ctx.storage);
    const notifier = new LaneNotifier(
      new FanSockets(ctx, noPauses.now),
      lanePositions(
        ctx.storage,
        store,
        new Lane({ storage: ctx.storage, store, lane: 0, now: noPauses.now, sync: () => new Promise(() => {}) }),
      ),
      noPauses,
    );
    // The first pass tells every waiting fan its position: one message each.
    const t = performance.now();
    const messages = await notifier.pass();
    return { joinUs, passUs: (performance.now() - t) * 1000, messagesPerPass: messages };
  });

  const coordinator = showStub(show.id);
  const report = (v: number): LaneReport => ({
    lane: 3,
    classes: [
      {
        ...PISTA,
        version: v,
        // Stamped far behind everybody: never admitted while the bench runs.
        entries: Array.from({ length: BUFFER_SIZE }, (_, i) => ({
          key: arrivalKey(stamp + 3_600_000 + i, `usr_far${String(i).padStart(6, "0")}`),
          fanId: `usr_far${String(i).padStart(6, "0")}`,
          seq: i + 1,
        })),
        more: true,
        waiting: 10_000,
        sample: Array.from({ length: 32 }, (_, i) => [arrivalKey(stamp + 3_700_000 + i, `usr_s${i}`), 256 + i * 300]),
      },
    ],
    acks: {},
    declines: [],
    cancels: [],
    refresh: [],
  });
  let view: LaneView | undefined;
  const coordinatorFigures = await runInDurableObject(coordinator, async (o: ShowQueue) => {
    // One admission untimed: the first D1 write after the bulk insert pays local D1's housekeeping.
    let next = 0;
    await o.cancel(show.id, fans[next++]!);
    const admissionUs = await timed(BLOCKS, BLOCK, () => o.cancel(show.id, fans[next++]!));
    let v = 1_000;
    const reportUs = await timed(BLOCKS, BLOCK, () => o.laneSync(show.id, report(v++), Number.MAX_SAFE_INTEGER));
    const reportWithViewUs = await timed(BLOCKS, BLOCK, async () => {
      view = (await o.laneSync(show.id, report(v++), 0)).view;
    });
    return { admissionUs, reportUs, reportWithViewUs };
  });

  const deliveryUs = await runInDurableObject(lane, async (o: ShowLane) => {
    const base = view;
    if (!base) throw new Error("the coordinator answered no view");
    let version = base.version + 1_000;
    return timed(BLOCKS, BLOCK, () => o.deliver(show.id, 0, [], { ...base, version: version++ }));
  });

  for (const ws of sockets) ws.close(1000);
  const figures = {
    lanes: LANES,
    waitingInLane: WAITING,
    laneJoinUs: laneFigures.joinUs,
    lanePassUs: laneFigures.passUs,
    laneMessagesPerPass: laneFigures.messagesPerPass,
    laneUsPerPositionMessage: laneFigures.passUs / Math.max(1, laneFigures.messagesPerPass),
    laneViewDeliveryUs: deliveryUs,
    coordinatorAdmissionUs: coordinatorFigures.admissionUs,
    coordinatorReportUs: coordinatorFigures.reportUs,
    coordinatorReportWithViewUs: coordinatorFigures.reportWithViewUs,
  };
  console.log(JSON.stringify(figures));
  task.meta.laneBench = figures;
});
