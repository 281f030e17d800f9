/**
 * The server's processes, read from /proc: wrangler dev runs two workerd processes, one for its
 * proxy (listening on the public port) and one for the app (the Worker and the show objects).
 */
import { readdirSync, readFileSync } from "node:fs";

export interface Workerd {
  pid: number;
  role: "app" | "proxy";
}

const CLOCK_TICKS_PER_SECOND = 100;

/** The workerd processes in wrangler's process group; the proxy is the one bound to `port`. */
export function workerdProcesses(processGroup: number, port: number): Workerd[] {
  const found: Workerd[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (stat.pgrp !== processGroup || stat.comm !== "workerd") continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      found.push({
        pid: Number(entry),
        role: cmdline.includes(`:${port}\u0000`) || cmdline.includes(`:${port} `) ? "proxy" : "app",
      });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function parseStat(text: string) {
  // comm is in parentheses and may contain spaces: split after the last ')'.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is state (field 3); pgrp is field 5, utime 14, stime 15.
  return { comm, pgrp: Number(fields[2]), utime: Number(fields[11]), stime: Number(fields[12]) };
}

/** Resident memory in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** CPU time (user + system) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const s = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return ((s.utime + s.stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The machine, for the record. */
export function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"));
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  return {
    cpus: cpuinfo.split("\n").filter((l) => l.startsWith("processor")).length,
    model,
    memoryGiB: mem ? Math.round((Number(mem[1]) / 1024 / 1024) * 10) / 10 : Number.NaN,
    loadAverage: load,
    node: process.version,
  };
}
