import './quiet-env.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../shared/observability/index.ts';
import { pngBytes, startPipelineHarness, type PipelineHarness } from './harness.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());

describe('structured logs', () => {
  it('name the object and, once known, the library file id on every line about a file, and never a credential', async () => {
    // Prepare
    const lines: string[] = [];
    // Captured, not printed: the lines are the subject of the test.
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('DEBUG');
    const ref = await h.putObject('incoming/logs/traced.png', pngBytes());
    try {
      // Act
      await h.notify([ref]);
      await h.settle([ref]);
    } finally {
      logger.setLogLevel('ERROR');
      spy.mockRestore();
    }
    // Assess
    const entries = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const about = (message: string) => entries.filter((e) => e['message'] === message);
    expect(about('Received')[0]).toMatchObject({ objectKey: ref.key, bucket: h.bucket, eTag: ref.eTag });
    const record = await h.record(ref);
    expect(about('Submitted')[0]).toMatchObject({ objectKey: ref.key, libraryFileId: record?.libraryFileId });
    expect(about('Final')[0]).toMatchObject({
      objectKey: ref.key,
      libraryFileId: record?.libraryFileId,
      status: 'Active',
    });
    const text = lines.join('');
    expect(text).not.toContain(h.sandbox.credentials.accessToken);
    expect(text).not.toContain(h.sandbox.credentials.apiKey);
  });
});
