/**
 * Every key S3 accepts produces a notification in local mode, as on AWS, and goes through the whole
 * local pipeline (fauxqs' bucket notification → ingest queue → ingest → library sandbox → poll → stream →
 * publish) to one event carrying the key exactly as it was written: dot segments, percent signs,
 * spaces, '+', '=', '&', unicode. A dot-segment key used to be stored and never processed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPipeline, type LocalPipeline } from '../../infra/local/runner/local-pipeline.ts';
import { pngBytes } from './fixtures.ts';

const KEYS = [
  'uploads/dot..dot/../x.png',
  'uploads/./here/./y.png',
  'uploads/100% done (final).png',
  'uploads/%41%2Fliteral-percent.png',
  'uploads/a+b c=d&e.png',
  'uploads/two  spaces .png',
  'uploads/Événements/日本語 ✓ 😀.png',
] as const;

let pipeline: LocalPipeline;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'local-keys-'));
  pipeline = await startLocalPipeline({
    fast: true,
    stateDir: join(workDir, 'state'),
    dropDir: false,
    library: 'sandbox',
    sandbox: { perSecond: 10 },
    shutdownGraceMs: 2000,
  });
});

afterAll(async () => {
  await pipeline?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('keys S3 accepts, through the whole local pipeline', () => {
  it('gives each one notification, one record and one event with the key unchanged', async () => {
    // Act
    for (const [index, key] of KEYS.entries()) await pipeline.putObject(key, pngBytes(16 + index, 16));
    const events = await pipeline.waitForEvents({ keys: KEYS, timeoutMs: 45_000 });
    // Assess
    const eventKeys = events.map((e) => (e.detail as { object: { key: string } }).object.key);
    expect(eventKeys.sort()).toEqual([...KEYS].sort());
    for (const event of events) expect(event.detail).toMatchObject({ status: 'Active' });
    const records = await pipeline.records();
    expect(records.map((r) => r.key).sort()).toEqual([...KEYS].sort());
    expect(await pipeline.sandbox?.files()).toHaveLength(KEYS.length);
  });
});
