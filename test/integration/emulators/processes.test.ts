import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findFreePort,
  httpProbe,
  isPortListening,
  isProcessAlive,
  liveProcesses,
  spawnManaged,
  waitUntilReady,
} from '../../../infra/local/emulators/processes.ts';
import { listRegisteredProcesses } from '../../../infra/local/emulators/registry.ts';
import { waitFor } from '../../support/wait.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('managed child processes', () => {
  it('findFreePort returns a port on 127.0.0.1 that nobody listens on', async () => {
    // Prepare / Act
    const port = await findFreePort();

    // Assess
    expect(port).toBeGreaterThan(0);
    expect(await isPortListening(port)).toBe(false);
  });

  it('waits for readiness, and after stop the pid is gone and the port is free', async () => {
    // Prepare
    const port = await findFreePort();
    const proc = spawnManaged({
      name: 'listener',
      command: process.execPath,
      args: [fixture('listener.mjs'), String(port)],
    });

    // Act
    await waitUntilReady(proc, httpProbe(`http://127.0.0.1:${port}/`, 200), { timeoutMs: 10_000 });
    const listeningBefore = await isPortListening(port);
    const registered = listRegisteredProcesses().some((p) => p.pid === proc.pid);
    await proc.stop();

    // Assess
    expect(listeningBefore).toBe(true);
    expect(registered).toBe(true);
    expect(isProcessAlive(proc.pid)).toBe(false);
    expect(await isPortListening(port)).toBe(false);
    expect(liveProcesses()).not.toContain(proc);
    expect(listRegisteredProcesses().some((p) => p.pid === proc.pid)).toBe(false);
  });

  it('stops the whole process group, grandchildren included', async () => {
    // Prepare
    const [port, grandPort] = [await findFreePort(), await findFreePort()];
    let grandchildPid = 0;
    const proc = spawnManaged({
      name: 'listener-with-grandchild',
      command: process.execPath,
      args: [fixture('listener.mjs'), String(port), '--grandchild', String(grandPort)],
      onStdoutLine: (line) => {
        const match = /^GRANDCHILD (\d+)$/.exec(line);
        if (match?.[1]) grandchildPid = Number(match[1]);
      },
    });
    await waitUntilReady(proc, async () => (await isPortListening(port)) && (await isPortListening(grandPort)));

    // Act
    await proc.stop();

    // Assess
    expect(grandchildPid).toBeGreaterThan(0);
    await waitFor(() => !isProcessAlive(grandchildPid), { what: 'the grandchild to exit' });
    expect(await isPortListening(grandPort)).toBe(false);
    expect(await isPortListening(port)).toBe(false);
  });

  it('falls back to SIGKILL when the child ignores SIGTERM', async () => {
    // Prepare
    const port = await findFreePort();
    const proc = spawnManaged({
      name: 'stubborn',
      command: process.execPath,
      args: [fixture('listener.mjs'), String(port), '--ignore-sigterm'],
    });
    await waitUntilReady(proc, httpProbe(`http://127.0.0.1:${port}/`));

    // Act
    const exit = await proc.stop({ graceMs: 200 });

    // Assess
    expect(exit.signal).toBe('SIGKILL');
    expect(isProcessAlive(proc.pid)).toBe(false);
  });

  it('reports the exit code and the last stderr lines when the child dies before it is ready', async () => {
    // Prepare
    const proc = spawnManaged({ name: 'crasher', command: process.execPath, args: [fixture('crashes.mjs')] });

    // Act
    const attempt = waitUntilReady(proc, async () => false, { what: 'something that never comes' });

    // Assess
    await expect(attempt).rejects.toThrow(/crasher exited \(code 3[\s\S]*fatal: the fixture refuses to start/);
  });

  it('reports the deadline and the last stderr lines when readiness never comes, and stops the child', async () => {
    // Prepare
    const port = await findFreePort();
    const proc = spawnManaged({
      name: 'never-ready',
      command: process.execPath,
      args: [fixture('listener.mjs'), String(port)],
    });

    // Act
    const attempt = waitUntilReady(proc, async () => false, { timeoutMs: 300, what: 'a probe that always says no' });

    // Assess
    await expect(attempt).rejects.toThrow(
      /Timed out after 300 ms waiting for a probe that always says no[\s\S]*listener starting on/,
    );
    expect(isProcessAlive(proc.pid)).toBe(false);
  });

  it('fails clearly when the command does not exist', () => {
    expect(() => spawnManaged({ name: 'missing', command: '/nonexistent/binary', args: [] })).toThrow(
      /Could not start missing/,
    );
  });

  it('kills the children of an owner that is SIGKILLed (no exit hook runs): the reaper does it', async () => {
    // Prepare: an owner process with one managed child.
    const port = await findFreePort();
    const owner = spawn(process.execPath, [fixture('owner.ts'), String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      owner.stdout.setEncoding('utf8');
      owner.stdout.on('data', (chunk: string) => {
        const match = /CHILD (\d+)/.exec(chunk);
        if (match?.[1]) resolve(Number(match[1]));
      });
      owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
    });
    expect(isProcessAlive(childPid)).toBe(true);

    // Act
    owner.kill('SIGKILL');

    // Assess
    await waitFor(() => !isProcessAlive(childPid), { what: 'the orphaned child to be reaped' });
    expect(await isPortListening(port)).toBe(false);
  });
});
