import './quiet-env.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../support/factories.ts';
import {
  pdfBytes,
  pngBytes,
  requestsOf,
  startPipelineHarness,
  statusRequests,
  type PipelineHarness,
} from './harness.ts';
import { handler as ingestHandler } from '../../../functions/ingest/handler.ts';

/** The industry's harmless test string every virus scanner (the sandbox's included) reports. */
const EICAR_TEST_STRING = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('duplicate deliveries', () => {
  it('uploads a version delivered three times through the queue once', async () => {
    // Prepare
    const ref = await h.putObject('incoming/dup/three-times.png', pngBytes());
    // Act
    await h.notify([ref], { copies: 3 });
    const [record] = await h.settle([ref]);
    // Assess
    expect(record?.status).toBe('Active');
    expect(record?.attempts).toBe(1);
    expect(h.sandbox.counters().uploads.accepted).toBe(1);
    expect(h.sandbox.files()).toHaveLength(1);
  });

  it('uploads a version delivered three times at the same moment once', async () => {
    // Prepare
    const ref = await h.putObject('incoming/dup/same-moment.png', pngBytes());
    // Act
    const responses = await Promise.all(
      [1, 2, 3].map(() => ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'))),
    );
    const [record] = await h.settle([ref]);
    // Assess
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(h.sandbox.counters().uploads.accepted).toBe(1);
    expect(record?.status).toBe('Active');
  });

  it('does nothing for a redelivery of a version already final', async () => {
    // Prepare
    const ref = await h.putObject('incoming/dup/late.png', pngBytes());
    await h.notify([ref]);
    await h.settle([ref]);
    const before = { uploads: h.sandbox.counters().uploads.accepted, status: statusRequests(h.sandbox) };
    // Act
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    await h.drive({ until: () => true });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(h.sandbox.counters().uploads.accepted).toBe(before.uploads);
    expect(statusRequests(h.sandbox)).toBe(before.status);
  });
});

describe('a holder that died with the lease', () => {
  it('is taken over once its lease expires: the duplicate that found the lease comes back for it', async () => {
    // Prepare: a delivery claimed the version and took a 3 s lease, then its process died.
    const ref = await h.putObject('incoming/dup/dead-holder.png', pngBytes());
    const { record } = await h.runtime.store.claim(ref);
    await h.runtime.store.acquireLease(record.objectId, 'dead-holder', 3_000);
    // Act
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    const meanwhile = await h.record(ref);
    const [settled] = await h.settle([ref], 20_000);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(meanwhile?.leaseId).toBe('dead-holder');
    expect(settled?.status).toBe('Active');
    expect(h.sandbox.counters().uploads.accepted).toBe(1);
  });
});

describe('a lost answer to the upload', () => {
  it('adopts the file the interrupted POST created at once instead of posting it again', async () => {
    // Prepare: the sandbox stores the upload, then drops the connection before answering.
    const ref = await h.putObject('incoming/crash/lost-answer.png', pngBytes(99, 77));
    h.sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['uploadFile'] });
    // Act
    const first = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    const afterReset = await h.record(ref);
    h.sandbox.setFaults({ resetAfterBodyRate: 0 });
    const [record] = await h.settle([ref]);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(h.sandbox.counters().faults.resetAfterBody).toBe(1);
    expect(h.sandbox.files()).toHaveLength(1);
    const [stored] = h.sandbox.files();
    expect(afterReset).toMatchObject({ status: 'Submitted', adopted: true, attempts: 1, libraryFileId: stored?.id });
    expect(record).toMatchObject({ status: 'Active', adopted: true, attempts: 1, libraryFileId: stored?.id });
    expect(requestsOf(h.sandbox, 'listFiles')).toBe(1);
  });

  it('adopts an infected file at once, before the library cancels it and drops it from its lists', async () => {
    // Prepare: a PDF with the EICAR string; the library answers VirusFound about 0.6 s after the upload
    // and no longer lists the file, so only a search right after the lost answer can find it.
    const ref = await h.putObject('incoming/crash/infected.pdf', pdfBytes(`${EICAR_TEST_STRING} lost answer`));
    h.sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['uploadFile'] });
    // Act
    await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    h.sandbox.setFaults({ resetAfterBodyRate: 0 });
    const [record] = await h.settle([ref]);
    // Assess
    expect(h.sandbox.counters().uploads.accepted).toBe(1);
    expect(h.sandbox.files()).toHaveLength(1);
    expect(record).toMatchObject({
      status: 'VirusFound',
      adopted: true,
      attempts: 1,
      libraryFileId: h.sandbox.files()[0]?.id,
    });
  });

  it('resumes an attempt it could not check at once (attempts counted, no file id) by searching first', async () => {
    // Prepare: the upload is stored but its answer lost, and the search right after fails too (every
    // list request is reset), as when the process dies after POSTing.
    const ref = await h.putObject('incoming/crash/died.png', pngBytes(50, 50));
    h.sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['uploadFile', 'listFiles'] });
    const first = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    const afterCrash = await h.record(ref);
    h.sandbox.setFaults({ resetAfterBodyRate: 0 });
    // Act: the original notification comes back (SQS redelivery) besides the retry copy.
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(first.batchItemFailures).toEqual([]); // put back as a delayed copy, not failed
    expect(afterCrash).toMatchObject({ status: 'Received', attempts: 1 });
    expect(afterCrash?.libraryFileId).toBeUndefined();
    expect(h.sandbox.files()).toHaveLength(1);
    expect(h.sandbox.counters().duplicates.byNameAndSize).toBe(0);
    expect(record).toMatchObject({ status: 'Active', adopted: true, attempts: 1 });
  });
});
