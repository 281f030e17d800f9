/**
 * The dashboard's two time series, drawn by uPlot (bundled, no CDN): tickets sold per minute as
 * bars, and the queue's length as a line. Each chart is made once and fed new data on every poll.
 */
import uPlot from "uplot";
import { formatTime, VENUE_TIME_ZONE } from "../../page/format";
import type { Lang } from "../../page/i18n";
import { type Series, timeRange } from "./series";

const BRAND = "#4b27d1";
const HEIGHT = 220;
/** Tickets and people are counted whole: the value axis never ticks at `0,5`. */
const COUNT_INCRS = Array.from({ length: 9 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

export class Chart {
  private plot: uPlot | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly label: string,
    private readonly kind: "bars" | "line",
    private readonly lang: Lang,
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
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: {
            time: true,
            range: (u) => timeRange(u.data[0], Date.now() / 1000),
          },
          y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
        },
        axes: [
          {
            stroke: "#585470",
            // Venue time, in the console's language: `21:05`.
            values: (_u, splits) => splits.map((s) => formatTime(s * 1000, this.lang, VENUE_TIME_ZONE)),
          },
          { stroke: "#585470", size: 44, incrs: COUNT_INCRS },
        ],
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
