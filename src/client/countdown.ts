/** A countdown to a hold's `expiresAt`, by the server's clock, with a draining bar. */
import { formatCountdown } from "../page/format";
import type { ServerClock } from "./clock";

export interface CountdownOptions {
  expiresAt: string;
  /** The hold's whole length, for the bar; the bar is left alone when unknown. */
  totalMs?: number;
  clock: ServerClock;
  value: HTMLElement;
  fill?: HTMLElement;
  /** Called on every tick with the time left (ms). */
  onTick?: (remainingMs: number) => void;
}

const TICK_MS = 250;

/** Starts ticking at once; returns the function that stops it. */
export function startCountdown(o: CountdownOptions): () => void {
  const tick = () => {
    const left = o.clock.until(o.expiresAt);
    o.value.textContent = formatCountdown(left);
    if (o.fill && o.totalMs) o.fill.style.width = `${Math.min(100, (left / o.totalMs) * 100).toFixed(2)}%`;
    o.value.closest(".timer")?.classList.toggle("timer--urgent", left <= 60_000);
    o.onTick?.(left);
  };
  tick();
  const timer = setInterval(tick, TICK_MS);
  return () => clearInterval(timer);
}
