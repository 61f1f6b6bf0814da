/**
 * Local mode pointed at "a real API" (here a sandbox this test owns, with credentials of its own, standing
 * in for api.constantcontact.com): LIBRARY_BASE_URL + LIBRARY_API_KEY + LIBRARY_ACCESS_TOKEN make the
 * functions use that API through the Secrets Manager secret, no sandbox process is started, and the
 * credentials appear in no log. Then a second pipeline in the same process (sandbox mode) works too.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../infra/local/sandbox/index.ts';
import { startLocalPipeline, type LocalPipeline } from '../../infra/local/runner/local-pipeline.ts';
import { pngBytes } from './fixtures.ts';

const CREDENTIALS = { apiKey: 'real-looking-api-key-7f3a', accessToken: 'real-looking-token-91c2e' };
let api: Sandbox;
let workDir: string;
const pipelines: LocalPipeline[] = [];

beforeAll(async () => {
  api = await startSandbox({ credentials: [CREDENTIALS], limits: { perSecond: 4 } });
  workDir = await mkdtemp(join(tmpdir(), 'local-api-'));
});
afterAll(async () => {
  await Promise.all(pipelines.map((p) => p.stop()));
  await api?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('local mode with LIBRARY_BASE_URL', () => {
  it('uploads to that API with the given credentials and starts no sandbox', async () => {
    // Prepare
    const notices: string[] = [];
    const pipeline = await startLocalPipeline({
      fast: true,
      stateDir: join(workDir, 'api-state'),
      dropDir: false,
      env: {
        LIBRARY_BASE_URL: api.baseUrl,
        LIBRARY_API_KEY: CREDENTIALS.apiKey,
        LIBRARY_ACCESS_TOKEN: CREDENTIALS.accessToken,
      },
      onNotice: (n) => notices.push(JSON.stringify(n)),
    });
    pipelines.push(pipeline);
    // Act
    await pipeline.putObject('uploads/real/photo.png', pngBytes());
    const [event] = await pipeline.waitForEvents({ keys: ['uploads/real/photo.png'], timeoutMs: 40_000 });
    // Assess
    expect(pipeline.sandbox).toBeUndefined();
    expect(pipeline.library).toEqual({ kind: 'api', baseUrl: api.baseUrl });
    expect(event?.detail).toMatchObject({ status: 'Active' });
    expect(api.files().map((f) => f.name)).toEqual(['photo.png']);
    const logs = await readFile(pipeline.paths.functionLog, 'utf8');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of Object.values(CREDENTIALS)) {
      expect(logs).not.toContain(secret);
      expect(notices.join('\n')).not.toContain(secret);
    }
  });

  it('refuses a base URL without credentials, naming the missing variables only', async () => {
    await expect(
      startLocalPipeline({
        stateDir: join(workDir, 'x'),
        dropDir: false,
        env: { LIBRARY_BASE_URL: api.baseUrl, LIBRARY_API_KEY: 'k' },
      }),
    ).rejects.toThrow(/LIBRARY_ACCESS_TOKEN is not set/);
  });

  it('a second pipeline in the same process (sandbox) gets fresh handlers and works', async () => {
    await pipelines.shift()?.stop();
    const pipeline = await startLocalPipeline({
      fast: true,
      stateDir: join(workDir, 'sandbox-state'),
      dropDir: false,
      library: 'sandbox',
    });
    pipelines.push(pipeline);
    await pipeline.putObject('uploads/second.png', pngBytes());
    const [event] = await pipeline.waitForEvents({ keys: ['uploads/second.png'], timeoutMs: 40_000 });
    expect(event?.detail).toMatchObject({ status: 'Active' });
    expect((await pipeline.sandbox?.files())?.map((f) => f.name)).toEqual(['second.png']);
    expect(api.files()).toHaveLength(1);
  });
});
