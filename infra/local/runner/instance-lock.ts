/**
 * One local pipeline per state directory and per drop folder. Two instances on the same `.local/` would
 * empty each other's events.jsonl and logs and overwrite endpoints.json; two on the same `drop/` would
 * both upload every file (against a real account, a double upload).
 *
 * Each directory gets a lock file (`<state>/instance.lock`, `<drop>/.instance.lock`: a dot file, so the
 * watcher ignores it) created with `O_EXCL`, holding the owner's pid and, once it is up, its endpoints.
 * A lock whose pid is no longer alive was left by a killed instance and is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** What a lock file holds. */
export interface InstanceLockInfo {
  pid: number;
  startedAt: string;
  stateDir: string;
  dropDir?: string;
  /** The running instance's endpoints (its banner's), once it is up. */
  endpoints?: Record<string, string | undefined>;
}

/** Another live instance holds the state directory or the drop folder. */
export class InstanceBusyError extends Error {
  override readonly name = 'InstanceBusyError';
  constructor(
    readonly dir: string,
    readonly holder: InstanceLockInfo,
  ) {
    super(describeHolder(dir, holder));
  }
}

/** Locks held by this process, released together. */
export interface InstanceLocks {
  /** Adds the running instance's endpoints to each lock file (for the message a second start prints). */
  describe(endpoints: Record<string, string | undefined>): void;
  release(): void;
}

/** The lock file of a directory; the drop folder's is a dot file so nothing uploads it. */
export function lockFileOf(dir: string, kind: 'state' | 'drop'): string {
  return join(dir, kind === 'state' ? 'instance.lock' : '.instance.lock');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): InstanceLockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstanceLockInfo;
  } catch {
    return undefined;
  }
}

/** Lock files this process holds (a second pipeline in the same process is refused too). */
const heldHere = new Set<string>();

/** The live instance holding `file`, if any (a stale or unreadable lock counts as free). */
function liveHolder(file: string): InstanceLockInfo | undefined {
  const holder = readLock(file);
  if (!holder) return undefined;
  const live = holder.pid === process.pid ? heldHere.has(file) : pidAlive(holder.pid);
  return live ? holder : undefined;
}

function describeHolder(dir: string, holder: InstanceLockInfo): string {
  const endpoints = Object.entries(holder.endpoints ?? {})
    .filter(([, url]) => url)
    .map(([name, url]) => `${name} ${url}`)
    .join(', ');
  return [
    `Another local pipeline is already running on ${dir} (PID ${holder.pid}, started ${holder.startedAt}${holder.dropDir ? `, watching ${holder.dropDir}` : ''}).`,
    endpoints ? `Its endpoints: ${endpoints}.` : 'It is still starting.',
    'Use that one (its banner has the endpoints), stop it with Ctrl-C, or run another beside it with --state <dir> --drop <dir>.',
  ].join('\n');
}

/** Throws `InstanceBusyError` when a live instance holds one of these directories (nothing is locked). */
export function assertNoOtherInstance(stateDir: string, dropDir: string | undefined): void {
  const targets: [string, 'state' | 'drop'][] = [[stateDir, 'state']];
  if (dropDir) targets.push([dropDir, 'drop']);
  for (const [dir, kind] of targets) {
    const holder = liveHolder(lockFileOf(dir, kind));
    if (holder) throw new InstanceBusyError(dir, holder);
  }
}

function acquire(file: string, dir: string, info: InstanceLockInfo): void {
  mkdirSync(dir, { recursive: true });
  // Twice at most: the second attempt follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      heldHere.add(file);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = liveHolder(file);
      if (holder) throw new InstanceBusyError(dir, holder);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}: another instance took it at the same moment.`);
}

/** Locks the state directory and the drop folder for this process, or throws `InstanceBusyError`. */
export function acquireInstanceLocks(stateDir: string, dropDir: string | undefined): InstanceLocks {
  const info: InstanceLockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    stateDir,
    ...(dropDir ? { dropDir } : {}),
  };
  const held: string[] = [];
  const release = (): void => {
    for (const file of held.splice(0)) {
      heldHere.delete(file);
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    }
  };
  try {
    acquire(lockFileOf(stateDir, 'state'), stateDir, info);
    held.push(lockFileOf(stateDir, 'state'));
    if (dropDir) {
      acquire(lockFileOf(dropDir, 'drop'), dropDir, info);
      held.push(lockFileOf(dropDir, 'drop'));
    }
  } catch (error) {
    release();
    throw error;
  }
  return {
    describe(endpoints) {
      for (const file of held) writeFileSync(file, JSON.stringify({ ...info, endpoints }));
    },
    release,
  };
}
