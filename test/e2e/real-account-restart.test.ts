/**
 * Local mode against "a real account" (a sandbox this test owns, standing in for the vendor's API):
 * state persists under the state directory, so a restart resumes queued work, uploads the files
 * dropped while it was stopped, never uploads a file twice and never re-publishes an event; an
 * identical copy ends in an "unchanged" line; what was in flight at stop is reported.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../infra/local/emulators/aws-endpoints.ts';
import { startSandbox, type Sandbox } from '../../infra/local/sandbox/index.ts';
import { startLocalPipeline, type LocalNotice, type LocalPipeline } from '../../infra/local/runner/local-pipeline.ts';
import { writePauseSwitch } from '../../infra/ops/pause-switch.ts';
import { waitFor } from '../support/index.ts';
import { pngBytes } from './fixtures.ts';

const CREDENTIALS = { apiKey: 'restart-api-key-5d1e', accessToken: 'restart-token-0b7a' };
let api: Sandbox;
let workDir: string;
const running = new Set<LocalPipeline>();

beforeAll(async () => {
  api = await startSandbox({ credentials: [CREDENTIALS], limits: { perSecond: 10 } });
  workDir = await mkdtemp(join(tmpdir(), 'local-restart-'));
});
afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop()));
  await api?.close();
  await rm(workDir, { recursive: true, force: true });
});

async function start(notices: LocalNotice[]): Promise<LocalPipeline> {
  const pipeline = await startLocalPipeline({
    fast: true,
    stateDir: join(workDir, 'state'),
    dropDir: join(workDir, 'drop'),
    env: {
      LIBRARY_BASE_URL: api.baseUrl,
      LIBRARY_API_KEY: CREDENTIALS.apiKey,
      LIBRARY_ACCESS_TOKEN: CREDENTIALS.accessToken,
    },
    shutdownGraceMs: 2000,
    onNotice: (n) => notices.push(n),
  });
  running.add(pipeline);
  return pipeline;
}

async function setPaused(pipeline: LocalPipeline, paused: boolean): Promise<void> {
  const client = new DynamoDBClient(localClientConfig(pipeline.endpoints.dynamodb));
  try {
    await writePauseSwitch(DynamoDBDocumentClient.from(client), pipeline.resources.limitsTable, paused);
  } finally {
    client.destroy();
  }
}

const keyOf = (e: { detail: unknown }) => (e.detail as { object: { key: string } }).object.key;

describe('local mode against a real account, across a restart', () => {
  it('resumes, uploads what was dropped meanwhile, and uploads nothing twice', async () => {
    // Prepare: a first run takes one file to Active, then sees an identical copy
    const first: LocalNotice[] = [];
    const run1 = await start(first);
    expect(run1.persistence).toMatchObject({ enabled: true, resumed: false });
    const a = await run1.dropFile('a.png', pngBytes(20, 20));
    const [activeA] = await run1.waitForEvents({ keys: [a.key], timeoutMs: 30_000 });
    await run1.dropFile('a.png', pngBytes(20, 20));
    await waitFor(() => first.find((n) => n.kind === 'unchanged'), { timeoutMs: 10_000 });
    // …and, paused (`ops pause`), one more file that is still queued when it stops
    // The runner re-reads the switch every 2 s and a long poll lasts 1 s: after that nothing starts.
    await setPaused(run1, true);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const q = await run1.dropFile('queued.png', pngBytes(21, 21));
    await waitFor(() => first.find((n) => n.kind === 'dropped' && n.file.key === q.key), { timeoutMs: 10_000 });
    const unfinished = await run1.unfinished();
    await run1.stop();
    running.delete(run1);
    // While stopped: a new file in the drop folder
    await writeFile(join(workDir, 'drop', 'b.png'), pngBytes(22, 22));

    // Act
    const second: LocalNotice[] = [];
    const run2 = await start(second);
    await setPaused(run2, false);
    const events = await run2.waitForEvents({ keys: [q.key, 'uploads/b.png'], timeoutMs: 40_000 });

    // Assess
    expect(first.find((n) => n.kind === 'unchanged')).toMatchObject({
      status: 'Active',
      libraryFileId: (activeA?.detail as { libraryFileId: string }).libraryFileId,
    });
    expect(unfinished).toEqual([{ key: q.key, status: 'queued' }]);
    expect(run2.persistence).toMatchObject({ enabled: true, resumed: true });
    const existing = second.find((n) => n.kind === 'existing-files');
    expect(existing).toMatchObject({ uploading: true, recorded: 1 });
    expect(existing?.kind === 'existing-files' && existing.pending.sort()).toEqual(['b.png', 'queued.png']);
    expect(events.map(keyOf).sort()).toEqual(['uploads/b.png', q.key]);
    expect(run2.events().map(keyOf)).not.toContain(a.key);
    expect(
      api
        .files()
        .map((f) => f.name)
        .sort(),
    ).toEqual(['a.png', 'b.png', 'queued.png']);
    expect((await run2.records()).filter((r) => r.status === 'Active')).toHaveLength(3);
  });
});
