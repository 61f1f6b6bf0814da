import './quiet-env.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pngBytes, startPipelineHarness, type PipelineHarness } from './harness.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('keys as S3 encodes them in notifications', () => {
  it.each([
    ['incoming/my summer poster.png', 'my summer poster.png', undefined],
    ['incoming/a+b=c.png', 'a+b=c.png', undefined],
    ['incoming/100% done (final).png', '100% done (final).png', undefined],
    ['incoming/Événements/日本語 ✓ 😀.png', '日本語 ✓ 😀.png', 'Événements'],
    ['incoming/deep/er/than/three/levels.png', 'levels.png', 'deep/er/than - three'],
  ])('%s', async (key, fileName, folderPath) => {
    // Prepare
    const ref = await h.putObject(key, pngBytes());
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Active', key, fileName });
    expect(record?.folderPath).toBe(folderPath);
    expect(h.sandbox.files()[0]?.name).toBe(fileName);
  });

  it('uses the default folder when mirroring is off', async () => {
    // Prepare
    await h.reset({ config: { mirrorFolders: false, defaultFolderId: '-1' } });
    const ref = await h.putObject('incoming/Events/2026/p.png', pngBytes());
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Active', folderId: '-1' });
    expect(record?.folderPath).toBeUndefined();
  });
});
