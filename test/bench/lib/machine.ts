/** The machine a benchmark ran on, for the document's header. */
import { cpus, freemem, loadavg, platform, release, totalmem, arch } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  /** 1-minute load average when the run started (other work on the machine skews timings). */
  loadAverage1m: number;
  node: string;
  os: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage1m: loadavg()[0] ?? 0,
    node: process.version,
    os: `${platform()} ${release()}`,
    arch: arch(),
  };
}
