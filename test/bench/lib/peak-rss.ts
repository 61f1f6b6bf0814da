/**
 * Peak resident memory of THIS process image.
 *
 * Not `process.resourceUsage().maxRSS`: on Linux that is the signal-level `ru_maxrss`, which survives
 * `execve` and so includes the memory of the parent at fork time (libuv forks, then execs node). A child
 * spawned by a parent holding 220 MB reports a peak of 220 MB+ even if it never used more than 90.
 * `/proc/self/status` `VmHWM` is the high-water mark of the current address space only.
 */
import { readFileSync } from 'node:fs';

export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS * 1024;
}
