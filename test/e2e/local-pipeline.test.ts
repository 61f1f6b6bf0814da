/**
 * End to end through local mode, programmatically: the dev stage's pipeline on the emulators and the
 * library sandbox, files arriving through the drop folder and through a plain S3 client, each reaching
 * its final state, one event each (valid against the published schema), one library upload each, and
 * nothing left running afterwards.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortListening } from '../../infra/local/emulators/processes.ts';
import { startLocalPipeline, type LocalPipeline } from '../../infra/local/runner/local-pipeline.ts';
import { eventDetailErrors, infectedPdfBytes, pdfBytes, pngBytes } from './fixtures.ts';

let pipeline: LocalPipeline | undefined;
let workDir: string;

const FILES = {
  png: { drop: 'photo.png', key: 'uploads/photo.png', content: pngBytes(640, 480), status: 'Active' },
  pdf: { drop: 'report.pdf', key: 'uploads/report.pdf', content: pdfBytes('quarterly'), status: 'Active' },
  unicode: {
    drop: 'Été 2026/plage à Nice.png',
    key: 'uploads/Été 2026/plage à Nice.png',
    content: pngBytes(120, 80),
    status: 'Active',
  },
  text: { drop: 'notes.txt', key: 'uploads/notes.txt', content: Buffer.from('just text\n'), status: 'Rejected' },
  virus: { drop: 'invoice.pdf', key: 'uploads/invoice.pdf', content: infectedPdfBytes(), status: 'VirusFound' },
} as const;
const VIA_S3 = { key: 'uploads/direct/from-s3-client.png', content: pngBytes(32, 32), status: 'Active' } as const;
const ALL_KEYS = [...Object.values(FILES).map((f) => f.key), VIA_S3.key];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'local-e2e-'));
  pipeline = await startLocalPipeline({
    fast: true,
    stateDir: join(workDir, 'state'),
    dropDir: join(workDir, 'drop'),
    library: 'sandbox',
    shutdownGraceMs: 3000,
  });
  console.info(`[figures] local pipeline ready in ${pipeline.startupMs} ms`);
});

afterAll(async () => {
  await pipeline?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('local mode, end to end', () => {
  it('takes every file to its final state with one valid event each and one library upload each', async () => {
    const p = pipeline as LocalPipeline;
    // Act
    const t0 = Date.now();
    for (const file of Object.values(FILES)) {
      const { key } = await p.dropFile(file.drop, file.content);
      expect(key).toBe(file.key);
    }
    await p.putObject(VIA_S3.key, VIA_S3.content);
    const events = await p.waitForEvents({ keys: ALL_KEYS, timeoutMs: 45_000 });
    console.info(`[figures] ${ALL_KEYS.length} files from drop to event in ${Date.now() - t0} ms`);
    // Assess: the events
    const byKey = new Map(events.map((e) => [(e.detail as { object: { key: string } }).object.key, e]));
    expect(events).toHaveLength(ALL_KEYS.length);
    for (const file of [...Object.values(FILES), VIA_S3]) {
      const event = byKey.get(file.key);
      expect(event?.detail, file.key).toMatchObject({
        status: file.status,
        stage: 'dev',
        object: { bucket: p.resources.bucket, key: file.key },
      });
      expect(eventDetailErrors(event?.detail), file.key).toEqual([]);
      expect(event?.source).toBe('library-upload-pipeline');
      expect(event).not.toHaveProperty('eventBusName');
    }
    expect(byKey.get(FILES.unicode.key)?.detail).toMatchObject({
      folderPath: 'Été 2026',
      fileName: 'plage à Nice.png',
    });
    expect(byKey.get(FILES.png.key)?.detail).toMatchObject({
      file: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/) },
    });
    expect(byKey.get(FILES.text.key)?.['detail-type']).toBe('Library File Rejected');
    expect(byKey.get(FILES.virus.key)?.['detail-type']).toBe('Library File Failed');

    // Assess: events.jsonl holds the same events, one JSON line each
    const lines = (await readFile(p.paths.eventsFile, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual(events.map((e) => e.id).sort());

    // Assess: the table
    const records = await p.records();
    expect(records).toHaveLength(ALL_KEYS.length);
    for (const file of [...Object.values(FILES), VIA_S3]) {
      expect(records.find((r) => r.key === file.key)?.status, file.key).toBe(file.status);
    }

    // Assess: the library got exactly one upload per file it should have received
    const files = await p.sandbox?.files();
    const uploadedNames = (files ?? []).map((f) => f.name).sort();
    expect(uploadedNames).toEqual(['from-s3-client.png', 'invoice.pdf', 'photo.png', 'plage à Nice.png', 'report.pdf']);
    expect((await p.sandbox?.counters())?.duplicates.byNameAndSize).toBe(0);

    // Assess: nothing stuck in a dead-letter or failure queue
    const sqs = new SQSClient({
      endpoint: p.endpoints.sqs,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const url of [
      p.resources.ingestQueue.deadLetter.url,
      p.resources.statusQueue.deadLetter.url,
      p.resources.publishFailureQueue.url,
    ]) {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(attributes.Attributes?.['ApproximateNumberOfMessages'], url).toBe('0');
    }
    sqs.destroy();

    // Assess: the event sources kept to the stage's concurrency and published only final records
    const stats = p.stats();
    expect(stats.ingest.maxObservedConcurrency).toBeLessThanOrEqual(p.stage.sources.ingestQueue.maxConcurrency);
    expect(stats.poll.maxObservedConcurrency).toBeLessThanOrEqual(p.stage.sources.statusQueue.maxConcurrency);
    expect(stats.publish.recordsDelivered).toBe(ALL_KEYS.length);
    expect(stats.publish.recordsFilteredOut).toBeGreaterThan(0);

    // Assess: the progress counts agree
    expect(p.progress()).toMatchObject({
      dropped: Object.keys(FILES).length,
      events: ALL_KEYS.length,
      byStatus: { Active: 4, Rejected: 1, VirusFound: 1 },
    });
  });

  it('stops everything it started', async () => {
    const p = pipeline as LocalPipeline;
    const ports = [
      p.endpoints.s3,
      p.endpoints.dynamodb,
      p.endpoints.eventbridge,
      p.endpoints.secretsmanager,
      p.endpoints.library,
    ].map((u) => Number(new URL(u).port));
    await p.stop();
    pipeline = undefined;
    for (const port of ports) expect(await isPortListening(port), `port ${port}`).toBe(false);
  });
});
