import { execFileSync } from "node:child_process";
import fs from "node:fs";

let ticksPerSecond: number | null = null;

/** User + system CPU seconds a process has used so far, from /proc/<pid>/stat; null if unavailable. */
export function readCpuSeconds(pid: number): number | null {
  try {
    ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak RSS over the process's life) in bytes, from /proc; null if unavailable. */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  const rss = kb("VmRSS");
  const hwm = kb("VmHWM");
  return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : null;
}

export type RssSummary = {
  /** Highest VmRSS among the samples, and when it was taken (epoch ms). */
  peakSampled: number | null;
  peakSampledAt: number | null;
  /** VmHWM read at stop(): the kernel's own peak, which catches spikes between samples. */
  hwm: number | null;
  samples: number;
};

export type RssSampler = { stop: () => RssSummary };

/** Samples a process's RSS every `intervalMs` until stopped (Linux only; elsewhere reports nulls). */
export function sampleRss(pid: number, intervalMs = 100): RssSampler {
  let peak: number | null = null;
  let peakAt: number | null = null;
  let samples = 0;
  const take = () => {
    const mem = readMemory(pid);
    if (!mem) return;
    samples++;
    if (peak === null || mem.rss > peak) {
      peak = mem.rss;
      peakAt = Date.now();
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakSampled: peak, peakSampledAt: peakAt, hwm: readMemory(pid)?.hwm ?? null, samples };
    },
  };
}
