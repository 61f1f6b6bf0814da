import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../infra/local/sandbox/index.ts';
import { call, pngBytes, startTestSandbox, statusOf, uploadOk } from './helpers.ts';

/** True when something accepts TCP connections on the port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function admin(origin: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await request(`${origin}/__sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, json: await response.body.json() };
}

describe('sandbox lifecycle', () => {
  it('listens on 127.0.0.1 with a random port and the default credentials', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${sandbox.port}/v2`);
      expect(sandbox.origin).toBe(`http://127.0.0.1:${sandbox.port}`);
      expect(sandbox.credentials).toEqual({ apiKey: 'sandbox-api-key', accessToken: 'sandbox-access-token' });
      expect(await isListening(sandbox.port)).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('close() leaves nothing listening, even with a hung request and a keep-alive socket open', async () => {
    // Prepare
    const sandbox = await startTestSandbox();
    await call(sandbox, '/library/info'); // leaves a keep-alive socket in undici's pool
    sandbox.setFaults({ hangRate: 1 });
    const hung = call(sandbox, '/library/info').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    await sandbox.close();

    // Assess
    expect(await hung).toBeInstanceOf(Error);
    expect(await isListening(sandbox.port)).toBe(false);
  });

  it('close() can be called twice', async () => {
    const sandbox = await startSandbox();

    await sandbox.close();

    await expect(sandbox.close()).resolves.toBeUndefined();
  });

  it('offers the same controls over the admin API: faults, limits, processing, credentials, clock, reset', async () => {
    const sandbox = await startTestSandbox({ processing: { processingMs: 1000, uploadedMs: 0 } });
    try {
      // limits and counters
      expect((await admin(sandbox.origin, '/limits', { perSecond: 1 })).status).toBe(200);
      await call(sandbox, '/library/info');
      expect((await call(sandbox, '/library/info')).status).toBe(403);
      const counters = (await admin(sandbox.origin, '/counters')).json as {
        throttled: { second: number };
        settings: { limits: { perSecond: number } };
      };
      expect(counters.throttled.second).toBe(1);
      expect(counters.settings.limits.perSecond).toBe(1);

      // clock
      await admin(sandbox.origin, '/clock/advance', { ms: 1000 });
      await admin(sandbox.origin, '/limits', { perSecond: 100 });
      const id = await uploadOk(sandbox, pngBytes());
      expect(await statusOf(sandbox, id)).toBe('Processing');
      await admin(sandbox.origin, '/clock/advance', { ms: 1000 });
      expect(await statusOf(sandbox, id)).toBe('Active');

      // processing
      await admin(sandbox.origin, '/processing', { processingMs: 0 });
      const quick = await uploadOk(sandbox, pngBytes(), { file_name: 'quick.png' });
      expect(await statusOf(sandbox, quick)).toBe('Active');

      // files
      const files = (await admin(sandbox.origin, '/files')).json as { id: string; sha256: string }[];
      expect(files.map((file) => file.id)).toEqual([id, quick]);

      // faults (validated)
      expect((await admin(sandbox.origin, '/faults', { serverErrorRate: 2 })).status).toBe(400);
      expect(
        (await admin(sandbox.origin, '/faults', { serverErrorRate: 1, endpoints: ['getLibraryInfo'] })).status,
      ).toBe(200);
      expect([500, 503]).toContain((await call(sandbox, '/library/info')).status);
      await admin(sandbox.origin, '/faults', { serverErrorRate: 0, endpoints: null });

      // credentials
      await admin(sandbox.origin, '/credentials', [{ apiKey: 'sandbox-api-key', accessToken: 'new-token' }]);
      expect((await call(sandbox, '/library/info')).status).toBe(401);
      expect((await call(sandbox, '/library/info', { token: 'new-token' })).status).toBe(200);

      // reset
      await admin(sandbox.origin, '/reset', {});
      const afterReset = (await admin(sandbox.origin, '/counters')).json as {
        totalRequests: number;
        filesByStatus: object;
      };
      expect(afterReset.totalRequests).toBe(0);
      expect(afterReset.filesByStatus).toEqual({});
    } finally {
      await sandbox.close();
    }
  });

  it('does not count admin requests as API requests', async () => {
    const sandbox = await startTestSandbox();
    try {
      await admin(sandbox.origin, '/counters');
      await admin(sandbox.origin, '/files');

      expect(sandbox.counters().totalRequests).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('keeps file ids increasing across resets, so an old id never names a new file', async () => {
    const sandbox = await startTestSandbox();
    try {
      const before = await uploadOk(sandbox, pngBytes());
      sandbox.reset();
      const after = await uploadOk(sandbox, pngBytes());

      expect(Number(after)).toBeGreaterThan(Number(before));
      expect((await call(sandbox, `/library/files/uploadstatus/${before}`)).json).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('loads initial files as Active (or as their bytes dictate)', async () => {
    const sandbox = await startTestSandbox({
      files: [{ name: 'logo.png', fileType: 'PNG', data: pngBytes(), folderId: '-1' }],
    });
    try {
      expect(sandbox.files()).toEqual([
        expect.objectContaining({ name: 'logo.png', status: 'Active', folderId: '-1' }),
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it('runs from the CLI, prints its base URL and credentials, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/local/sandbox/cli.ts', '--port', '0', '--per-second', '7', '--seed', '3'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    try {
      // Act
      const deadline = Date.now() + 30_000;
      while (!/base URL:\s+(\S+)/.test(output) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const baseUrl = /base URL:\s+(\S+)/.exec(output)?.[1] ?? '';
      const port = Number(new URL(baseUrl).port);
      const counters = (await admin(new URL(baseUrl).origin, '/counters')).json as {
        settings: { limits: { perSecond: number }; faults: { seed: number } };
      };
      child.kill('SIGTERM');

      // Assess
      expect(await exited).toBe(0);
      expect(output).toContain('sandbox-api-key');
      expect(output).toContain('sandbox-access-token');
      expect(counters.settings.limits.perSecond).toBe(7);
      expect(counters.settings.faults.seed).toBe(3);
      expect(await isListening(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
