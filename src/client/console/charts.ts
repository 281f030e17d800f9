/**
 * The dashboard's two time series, drawn by uPlot (bundled, no CDN): tickets sold per minute as
 * bars, and the queue's length as a line. Each chart is made once and fed new data on every poll.
 */
import uPlot from "uplot";
import { VENUE_TIME_ZONE } from "../../page/format";

export interface Series {
  /** Epoch seconds. */
  x: number[];
  y: number[];
}

const BRAND = "#4b27d1";
const HEIGHT = 220;

/** Bookings per minute with the minutes that sold nothing as zeros, from the first sale to now. */
export function perMinute(points: { at: string; booked: number }[], nowMs: number): Series {
  if (points.length === 0) return { x: [], y: [] };
  const byMinute = new Map(points.map((p) => [Math.floor(Date.parse(p.at) / 60_000), p.booked]));
  const first = Math.min(...byMinute.keys());
  const last = Math.max(Math.floor(nowMs / 60_000), ...byMinute.keys());
  const x: number[] = [];
  const y: number[] = [];
  for (let m = first; m <= last; m++) {
    x.push(m * 60);
    y.push(byMinute.get(m) ?? 0);
  }
  return { x, y };
}

export function queueLength(points: { at: string; waiting: number }[]): Series {
  return { x: points.map((p) => Date.parse(p.at) / 1000), y: points.map((p) => p.waiting) };
}

export class Chart {
  private plot: uPlot | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly label: string,
    private readonly kind: "bars" | "line",
  ) {
    window.addEventListener("resize", () => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }

  update(series: Series): void {
    const data: uPlot.AlignedData = [series.x, series.y];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), VENUE_TIME_ZONE),
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
        axes: [{ stroke: "#585470" }, { stroke: "#585470", size: 44 }],
        series: [
          {},
          {
            label: this.label,
            stroke: BRAND,
            width: 2,
            fill: "rgba(75, 39, 209, 0.18)",
            ...(this.kind === "bars" && { paths: uPlot.paths.bars?.({ size: [0.8, 24] }), points: { show: false } }),
          },
        ],
      },
      data,
      this.container,
    );
  }
}
