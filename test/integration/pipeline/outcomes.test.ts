import './quiet-env.ts';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EICAR } from '../../../infra/local/sandbox/index.ts';
import { firstStatusCheck } from '../../../shared/poll/status-message.ts';
import { jpegBytes, pngBytes, startPipelineHarness, statusRequests, type PipelineHarness } from './harness.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

/** A record Submitted for a file put straight into the library, and its first status check queued. */
async function submittedDirectly(key: string, data: Buffer, fileId?: string) {
  const ref = { bucket: h.bucket, key, eTag: `direct-${key.length}-${Date.now()}`, size: data.length };
  const { record } = await h.runtime.store.claim(ref);
  const id =
    fileId ??
    (
      await h.runtime.library.uploadFile({
        fileName: key.split('/').at(-1)!,
        folderId: '0',
        description: 'direct',
        fileType: 'PNG',
        contentType: 'image/png',
        data: Readable.from([data]),
        size: data.length,
      })
    ).fileId;
  const submitted = await h.runtime.store.recordSubmitted(record.objectId, id);
  if (!submitted.applied) throw new Error('not submitted');
  await h.runtime.sendStatusCheck(firstStatusCheck(submitted.record), 1);
  return ref;
}

describe('final outcomes reported by the library', () => {
  it('records VirusFound for a file carrying the EICAR test string', async () => {
    // Prepare
    const ref = await h.putObject('incoming/infected.png', Buffer.concat([pngBytes(), EICAR]));
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'VirusFound', errorKey: 'virus-found' });
    expect(record?.url).toBeUndefined();
    expect(await h.tags(ref.key)).toMatchObject({ 'library-status': 'VirusFound' });
  });

  it('records Failed when the library cannot process the bytes', async () => {
    // Prepare: JPEG bytes sent as a PNG (ingest itself would reject this as content-mismatch first).
    const ref = await submittedDirectly('incoming/direct/mismatch.png', jpegBytes());
    // Act
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Failed', errorKey: 'library-failed' });
    expect(record?.errorMessage).toEqual(expect.any(String));
  });

  it('records Failed when the library never reports the file id', async () => {
    // Prepare
    const ref = await submittedDirectly('incoming/direct/unknown.png', pngBytes(), '987654321');
    // Act
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Failed', errorKey: 'not-found-in-library', polls: 3 });
  });

  it('records TimedOut when processing outlasts POLL_MAX_WAIT_SECONDS, with few status requests', async () => {
    // Prepare
    await h.reset({ config: { poll: { firstDelaySeconds: 1, maxDelaySeconds: 2, maxWaitSeconds: 4 } } });
    h.sandbox.setProcessing({ processingMs: 600_000 });
    const ref = await h.putObject('incoming/slow.png', pngBytes());
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref], 20_000);
    // Assess
    expect(record).toMatchObject({ status: 'TimedOut', errorKey: 'timed-out' });
    expect(record?.transitions.Processing).toEqual(expect.any(String));
    expect(statusRequests(h.sandbox)).toBeLessThanOrEqual(5);
    console.info(
      `[figures] time-out after 4 s (checks at 1 s, then +2 s, +2 s…): ${statusRequests(h.sandbox)} status requests`,
    );
  });

  it('records the progress it sees (Processing, Uploaded) before Active', async () => {
    // Prepare
    await h.reset();
    h.sandbox.setProcessing({ processingMs: 1200, uploadedMs: 1500 });
    const ref = await h.putObject('incoming/progress.png', pngBytes());
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record?.status).toBe('Active');
    expect(Object.keys(record?.transitions ?? {})).toEqual(expect.arrayContaining(['Received', 'Submitted', 'Active']));
    expect(record?.polls).toBeGreaterThanOrEqual(2);
  });
});
