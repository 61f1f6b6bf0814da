/**
 * A registry of running emulator processes, one small JSON file per child, so that a process other
 * than the one that started them (a vitest globalSetup, `npm start` on its next run) can tell
 * whether anything was left behind, and clean it up.
 *
 * The directory is `$EMULATOR_REGISTRY_DIR`, or a fixed folder under the OS temp dir. A vitest
 * globalSetup sets a fresh directory per run (see test/support/global-setup.ts), so parallel runs
 * in the same checkout never judge each other's children.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One emulator process on record: its pid, name, owner and command. */
export interface RegisteredProcess {
  pid: number;
  name: string;
  /** The Node process that spawned it. */
  ownerPid: number;
  command: string;
  startedAt?: string;
}

/** The variable that moves the registry (tests use a directory of their own). */
export const REGISTRY_DIR_ENV = 'EMULATOR_REGISTRY_DIR';

/** Where the registry keeps one file per running emulator process. */
export function registryDir(): string {
  return process.env[REGISTRY_DIR_ENV] ?? join(tmpdir(), 'library-upload-pipeline-emulators');
}

/** Records a started emulator process. */
export function registerPid(entry: RegisteredProcess, dir = registryDir()): void {
  try {
    mkdirSync(dir, { recursive: true });
    const record: RegisteredProcess = { ...entry, startedAt: new Date().toISOString() };
    writeFileSync(join(dir, `${entry.pid}.json`), JSON.stringify(record));
  } catch {
    // The registry is a safety net; never fail a start because of it.
  }
}

/** Forgets an emulator process that has stopped. */
export function unregisterPid(pid: number, dir = registryDir()): void {
  try {
    rmSync(join(dir, `${pid}.json`), { force: true });
  } catch {
    // Ignore, as above.
  }
}

/** Every registered process whose pid is still alive (stale files of dead pids are removed). */
export function listRegisteredProcesses(dir = registryDir()): RegisteredProcess[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const alive: RegisteredProcess[] = [];
  for (const name of names) {
    let entry: RegisteredProcess;
    try {
      entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RegisteredProcess;
    } catch {
      continue;
    }
    if (pidAlive(entry.pid)) alive.push(entry);
    else unregisterPid(entry.pid, dir);
  }
  return alive;
}

/**
 * Kills (SIGKILL, whole process group) every registered process that is still alive, optionally
 * only those whose owner has died, and returns what it found.
 */
export function reapRegisteredProcesses(options: { dir?: string; onlyOrphans?: boolean } = {}): RegisteredProcess[] {
  const dir = options.dir ?? registryDir();
  const found = listRegisteredProcesses(dir).filter((e) => !options.onlyOrphans || !pidAlive(e.ownerPid));
  for (const entry of found) {
    try {
      process.kill(-entry.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    unregisterPid(entry.pid, dir);
  }
  return found;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
