/**
 * One local pipeline per state directory and drop folder: a second one is refused with the first one's
 * PID and endpoints, one beside it (other --state and --drop) runs, and a lock left by a killed instance
 * is taken over.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstanceBusyError,
  acquireInstanceLocks,
  assertNoOtherInstance,
  lockFileOf,
} from '../../../infra/local/runner/instance-lock.ts';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';

let workDir: string;
const pipelines: LocalPipeline[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'instance-lock-'));
});
afterAll(async () => {
  await Promise.all(pipelines.map((p) => p.stop()));
  await rm(workDir, { recursive: true, force: true });
});

/** A pid that was alive and is not any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('instance locks', () => {
  it('refuses a second pipeline on the same state directory, naming the first one, and allows one beside it', async () => {
    // Prepare
    const first = await startLocalPipeline({
      stateDir: join(workDir, 'a-state'),
      dropDir: join(workDir, 'a-drop'),
      library: 'sandbox',
      shutdownGraceMs: 1000,
    });
    pipelines.push(first);
    // Act
    const second = startLocalPipeline({ stateDir: join(workDir, 'a-state'), dropDir: false, library: 'sandbox' });
    const sameDrop = startLocalPipeline({
      stateDir: join(workDir, 'b-state'),
      dropDir: join(workDir, 'a-drop'),
      library: 'sandbox',
    });
    // Assess
    await expect(second).rejects.toBeInstanceOf(InstanceBusyError);
    await expect(second).rejects.toThrow(`PID ${process.pid}`);
    await expect(second).rejects.toThrow(first.endpoints.s3);
    await expect(sameDrop).rejects.toThrow(/already running on .*a-drop/);
    await expect(readFile(lockFileOf(first.paths.stateDir, 'state'), 'utf8')).resolves.toContain(first.endpoints.s3);
    const beside = await startLocalPipeline({
      stateDir: join(workDir, 'c-state'),
      dropDir: join(workDir, 'c-drop'),
      library: 'sandbox',
      shutdownGraceMs: 1000,
    });
    pipelines.push(beside);
    expect(beside.endpoints.s3).not.toBe(first.endpoints.s3);
  });

  it('releases the locks on stop', async () => {
    // Prepare
    const stateDir = join(workDir, 'd-state');
    const pipeline = await startLocalPipeline({ stateDir, dropDir: false, library: 'sandbox' });
    // Act
    await pipeline.stop();
    // Assess
    expect(() => assertNoOtherInstance(stateDir, undefined)).not.toThrow();
    await expect(readFile(lockFileOf(stateDir, 'state'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it("takes over a killed instance's lock", async () => {
    // Prepare
    const stateDir = join(workDir, 'e-state');
    const dropDir = join(workDir, 'e-drop');
    const stale = { pid: await deadPid(), startedAt: '2026-01-01T00:00:00.000Z', stateDir };
    await mkdir(stateDir, { recursive: true });
    await writeFile(lockFileOf(stateDir, 'state'), JSON.stringify(stale));
    // Act
    const locks = acquireInstanceLocks(stateDir, dropDir);
    // Assess
    const held = JSON.parse(await readFile(lockFileOf(stateDir, 'state'), 'utf8')) as { pid: number };
    expect(held.pid).toBe(process.pid);
    expect(() => acquireInstanceLocks(stateDir, undefined)).toThrow(InstanceBusyError);
    locks.release();
  });

  it('sees a lock held by another live process', async () => {
    // Prepare
    const stateDir = join(workDir, 'f-state');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    await mkdir(stateDir, { recursive: true });
    const info = {
      pid: holder.pid,
      startedAt: '2026-01-01T00:00:00.000Z',
      stateDir,
      endpoints: { s3: 'http://127.0.0.1:1' },
    };
    await writeFile(lockFileOf(stateDir, 'state'), JSON.stringify(info));
    try {
      // Act / Assess
      expect(() => assertNoOtherInstance(stateDir, undefined)).toThrow(`PID ${holder.pid}`);
      expect(() => acquireInstanceLocks(stateDir, undefined)).toThrow(/s3 http:\/\/127\.0\.0\.1:1/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
