/**
 * Child processes that cannot outlive us.
 *
 * Every emulator (DynamoDB Local, fauxqs) runs as a child process we own. Each child is spawned
 * `detached`, so it leads its own process group, and is stopped by signalling the whole group
 * (`process.kill(-pid)`): a JVM or a shell wrapper cannot leave a grandchild behind.
 *
 * Because a detached child does not receive the signals sent to our own group (Ctrl-C in a
 * terminal, vitest killing a worker), three layers make sure it dies with us:
 *  1. `stop()` / `stopAllProcesses()`: the normal path (SIGTERM, then SIGKILL after a grace period).
 *  2. Hooks on `exit`, SIGINT, SIGTERM, SIGHUP and uncaught errors (`uncaughtExceptionMonitor`,
 *     which also sees unhandled rejections) that SIGKILL every child still running, synchronously.
 *  3. A tiny *reaper* process that holds a pipe from us: when that pipe closes, however we died
 *     (even SIGKILL, where no hook runs), it kills every process group we registered with it.
 *
 * A registry of pid files (see `registry.ts`) lets a vitest globalSetup check that nothing is left.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { registerPid, unregisterPid } from './registry.ts';

/** How a managed process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How to spawn a child we own: name, command, arguments, directory, environment. */
export interface SpawnManagedOptions {
  /** Short name used in errors and in the pid registry, e.g. "dynamodb-local". */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Environment of the child; defaults to ours. */
  env?: NodeJS.ProcessEnv;
  /** Lines of stdout/stderr kept for error messages (default 40). */
  tailLines?: number;
  /** Called with every complete line the child writes on stdout. */
  onStdoutLine?: (line: string) => void;
  /** Called with every complete line the child writes on stderr. */
  onStderrLine?: (line: string) => void;
}

/** A child process in its own process group, registered so a crashed owner's children can be reaped. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** The exit once it has happened, otherwise undefined. */
  exitStatus(): ProcessExit | undefined;
  /** The last lines written on stderr (and stdout), for error messages. */
  outputTail(): string;
  /**
   * Stops the whole process group: SIGTERM, then SIGKILL after `graceMs` (default 3000).
   * Resolves once the child has exited. Safe to call more than once.
   */
  stop(options?: { graceMs?: number }): Promise<ProcessExit>;
}

const running = new Set<ManagedProcess>();

/** Every managed process started by this Node process and not yet exited. */
export function liveProcesses(): ManagedProcess[] {
  return [...running];
}

/** Spawns a child in its own process group, tracked until it exits. */
export function spawnManaged(options: SpawnManagedOptions): ManagedProcess {
  installExitHooks();
  const tailLines = options.tailLines ?? 40;
  const tail: string[] = [];
  const remember = (stream: string, line: string): void => {
    tail.push(`[${stream}] ${line}`);
    if (tail.length > tailLines) tail.shift();
  };

  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    // stdin stays a pipe: children we wrote ourselves exit when it closes (see fauxqs-server.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  };
  const child = spawn(options.command, [...options.args], spawnOptions);

  let exit: ProcessExit | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (err) => {
      // spawn failed (ENOENT...): there will be no 'exit' event.
      spawnError = err;
      remember('spawn', err.message);
      if (child.pid === undefined) {
        exit = { code: null, signal: null };
        resolve(exit);
      }
    });
  });

  splitLines(child.stdout, (line) => {
    remember('stdout', line);
    options.onStdoutLine?.(line);
  });
  splitLines(child.stderr, (line) => {
    remember('stderr', line);
    options.onStderrLine?.(line);
  });
  // A child exiting early makes writes to its stdin fail with EPIPE: not our concern here.
  child.stdin?.on('error', () => undefined);

  const pid = child.pid ?? -1;
  const managed: ManagedProcess = {
    name: options.name,
    pid,
    child,
    exited,
    exitStatus: () => exit,
    outputTail: () => (tail.length > 0 ? tail.join('\n') : '(no output)'),
    async stop({ graceMs = 3000 } = {}) {
      if (exit) return exit;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        // The leader has gone; make sure nothing else in its group lingers.
        signalGroup(pid, 'SIGKILL');
      }
    },
  };

  if (pid > 0) {
    running.add(managed);
    reaper().add(pid);
    registerPid({ pid, name: options.name, ownerPid: process.pid, command: options.command });
    void exited.then(() => {
      running.delete(managed);
      reaper().remove(pid);
      unregisterPid(pid);
    });
  } else {
    void exited.then(() => undefined);
    throw new Error(`Could not start ${options.name} (${options.command}): ${spawnError?.message ?? 'no pid'}`);
  }
  return managed;
}

/** Stops every managed process started by this Node process. */
export async function stopAllProcesses(options?: { graceMs?: number }): Promise<void> {
  await Promise.all(liveProcesses().map((p) => p.stop(options)));
}

/** Sends a signal to a whole process group, ignoring "no such process". */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** True when a process with this pid exists (zombies included until reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long and how often to probe a starting child. */
export interface WaitUntilReadyOptions {
  /** Overall deadline in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Pause between probes in milliseconds (default 100). */
  intervalMs?: number;
  /** What we are waiting for, for the error message, e.g. "DynamoDB Local to answer ListTables". */
  what?: string;
}

/**
 * Polls `probe` until it resolves true. Fails fast, with the child's last output lines in the
 * error, if the child exits first or the deadline passes (the child is then stopped).
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  options: WaitUntilReadyOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const what = options.what ?? `${proc.name} to become ready`;
  const deadline = Date.now() + timeoutMs;
  let lastProbeError: unknown;
  for (;;) {
    const exit = proc.exitStatus();
    if (exit) {
      throw new Error(
        `${proc.name} exited (code ${exit.code}, signal ${exit.signal}) while waiting for ${what}.\n` +
          `Last output:\n${proc.outputTail()}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastProbeError = err;
    }
    if (Date.now() >= deadline) {
      await proc.stop({ graceMs: 500 });
      const probeNote = lastProbeError ? `\nLast probe error: ${String(lastProbeError)}` : '';
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what} (pid ${proc.pid}).${probeNote}\n` +
          `Last output:\n${proc.outputTail()}`,
      );
    }
    await Promise.race([sleep(intervalMs), proc.exited]);
  }
}

/** A port nobody listens on right now: bind port 0 on 127.0.0.1, read it, close. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not read the port of a probe server'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isPortListening(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (result: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A probe for `waitUntilReady`: an HTTP GET that answers with any status (or `expectStatus`). */
export function httpProbe(url: string, expectStatus?: number): () => Promise<boolean> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return expectStatus === undefined || response.status === expectStatus;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let index = buffered.indexOf('\n');
    while (index >= 0) {
      onLine(buffered.slice(0, index).replace(/\r$/, ''));
      buffered = buffered.slice(index + 1);
      index = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered.length > 0) onLine(buffered);
    buffered = '';
  });
}

// ---------------------------------------------------------------------------------------------
// Last-resort cleanup.

let hooksInstalled = false;
let signalHooksEnabled = true;

/**
 * For an owner that handles SIGINT/SIGTERM/SIGHUP itself and stops its children in order (local
 * mode: stop the pollers, let in-flight work finish against live emulators, then stop them). The
 * signal hooks then leave the children alone; the `exit` hook, the error hook and the reaper still
 * kill whatever is left, so nothing can outlive the owner.
 */
export function leaveSignalsToOwner(): void {
  signalHooksEnabled = false;
}

function killAllNow(): void {
  for (const proc of running) signalGroup(proc.pid, 'SIGKILL');
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      if (!signalHooksEnabled) return;
      killAllNow();
      // We replaced the default handler; if nobody else handles the signal, die as it intended.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
  // Observe (without handling) uncaught errors, so Node's default crash behaviour stays. An
  // unhandled rejection is raised as an uncaught exception by default, so it lands here too.
  process.on('uncaughtExceptionMonitor', killAllNow);
}

/**
 * The reaper: a detached Node process reading "+pid"/"-pid" lines on stdin. When stdin closes
 * (we exited, however), it SIGTERMs then SIGKILLs every group still registered, then exits.
 */
const REAPER_SOURCE = `
const groups = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') groups.add(pid); else groups.delete(pid);
  }
});
const kill = (sig) => { for (const pid of groups) { try { process.kill(-pid, sig); } catch {} } };
const finish = () => {
  if (groups.size === 0) process.exit(0);
  kill('SIGTERM');
  setTimeout(() => { kill('SIGKILL'); process.exit(0); }, 1500);
};
process.stdin.on('end', finish);
process.stdin.on('error', finish);
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
`;

interface Reaper {
  add(pid: number): void;
  remove(pid: number): void;
}

let reaperInstance: Reaper | undefined;

function reaper(): Reaper {
  if (reaperInstance) return reaperInstance;
  const child = spawn(process.execPath, ['--eval', REAPER_SOURCE], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {},
  });
  child.unref();
  const stdin = child.stdin;
  // The pipe must not keep our event loop alive.
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  stdin?.on('error', () => undefined);
  const send = (line: string): void => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  reaperInstance = {
    add: (pid) => send(`+${pid}`),
    remove: (pid) => send(`-${pid}`),
  };
  return reaperInstance;
}
