/**
 * The library follows the bucket (docs/pipeline.md, "Sync"): overwrites replace, deletions trash, and
 * races and reordered notifications end with exactly the library state the bucket implies. Real
 * emulators and the sandbox; every Replaced/Removed event is built from its record and held to the schema.
 */
import './quiet-env.ts';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EICAR } from '../../../infra/local/sandbox/index.ts';
import { buildUploadEvent } from '../../../shared/events/index.ts';
import type { ObjectRef, RecordStatus, UploadRecord } from '../../../shared/record/upload-record.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { pdfBytes, pngBytes, startPipelineHarness, type PipelineHarness } from './harness.ts';

let h: PipelineHarness;
const validate = detailValidator();

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 20 } }, config: { requestsPerSecond: 20 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

/** Drives the pipeline until the version's record is in `status`. */
async function until(ref: ObjectRef, status: RecordStatus): Promise<UploadRecord> {
  await h.drive({ until: async () => (await h.record(ref))?.status === status, timeoutMs: 30_000 });
  return (await h.record(ref))!;
}

/** Runs the functions for a while, whatever happens (late and duplicate deliveries get their chance). */
async function runFor(ms: number): Promise<void> {
  await h.drive({ until: () => false, timeoutMs: ms }).catch(() => undefined);
}

/** The sandbox's status of a library file. */
function libraryStatus(fileId: string | undefined): string | undefined {
  return h.sandbox.files().find((file) => file.id === fileId)?.status;
}

/** Library files not in the Trash (or failed), by name. */
function liveFiles(name: string): string[] {
  return h.sandbox
    .files()
    .filter(
      (file) =>
        file.name === name && (file.status === 'Active' || file.status === 'Processing' || file.status === 'Uploaded'),
    )
    .map((file) => file.id);
}

function expectValidEvent(record: UploadRecord, detailType: string): void {
  const event = buildUploadEvent(record, { stage: 'test' });
  expect(event.detailType).toBe(detailType);
  expect(validate(event.detail).errors).toEqual([]);
}

describe('overwrite with onOverwrite: replace', () => {
  it('trashes the previous version once the new one is Active, and points the old record at the new file', async () => {
    // Prepare
    const first = await h.putObject('incoming/photo.png', pngBytes(64, 48, 256, 1));
    await h.notify([first]);
    const [v1] = await h.settle([first]);
    // Act
    const second = await h.putObject('incoming/photo.png', pngBytes(64, 48, 256, 2));
    await h.notify([second]);
    const replaced = await until(first, 'Replaced');
    // Assess
    const v2 = await h.record(second);
    expect(v2?.status).toBe('Active');
    expect(replaced).toMatchObject({
      libraryFileId: v1?.libraryFileId,
      trashed: true,
      replacedBy: { objectId: v2?.objectId, libraryFileId: v2?.libraryFileId, url: v2?.url },
    });
    expect(libraryStatus(v1?.libraryFileId)).toBe('Deleted');
    expect(liveFiles('photo.png')).toEqual([v2?.libraryFileId]);
    expectValidEvent(replaced, 'Library File Replaced');
  });

  it('keeps the previous file when the new version fails (virus found)', async () => {
    // Prepare
    const first = await h.putObject('incoming/flyer.png', pngBytes(64, 48, 256, 3));
    await h.notify([first]);
    const [v1] = await h.settle([first]);
    // Act
    const infected = await h.putObject('incoming/flyer.png', Buffer.concat([pngBytes(), EICAR]));
    await h.notify([infected]);
    const [v2] = await h.settle([infected]);
    // Assess
    expect(v2?.status).toBe('VirusFound');
    expect((await h.record(first))?.status).toBe('Active');
    expect(libraryStatus(v1?.libraryFileId)).toBe('Active');
  });

  it('ends with one live file when the new version is uploaded while the previous is still processing', async () => {
    // Prepare: the first version is in the library but not yet Active.
    h.sandbox.setProcessing({ processingMs: 1_500, uploadedMs: 0 });
    const first = await h.putObject('incoming/race.png', pngBytes(64, 48, 256, 4));
    await h.notify([first]);
    await until(first, 'Submitted');
    // Act
    const second = await h.putObject('incoming/race.png', pngBytes(64, 48, 256, 5));
    await h.notify([second, second]);
    const old = await until(first, 'Replaced');
    // Assess
    const v2 = await h.record(second);
    expect(v2?.status).toBe('Active');
    expect(old.replacedBy?.libraryFileId).toBe(v2?.libraryFileId);
    expect(liveFiles('race.png')).toEqual([v2?.libraryFileId]);
  });
});

describe('delete with onDelete: trash', () => {
  it('moves the deleted key’s file to the Trash and records Removed, once for duplicate notifications', async () => {
    // Prepare
    const ref = await h.putObject('incoming/eicar-free.pdf', pdfBytes('to be deleted'));
    await h.notify([ref]);
    const [active] = await h.settle([ref]);
    // Act
    await h.deleteObject(ref.key);
    await h.notifyRemoved([ref.key, ref.key]);
    const removed = await until(ref, 'Removed');
    await runFor(1_500);
    // Assess
    expect(removed).toMatchObject({ libraryFileId: active?.libraryFileId, trashed: true });
    expect(libraryStatus(active?.libraryFileId)).toBe('Deleted');
    expect((await h.record(ref))?.transitions.Removed).toBe(removed.transitions.Removed);
    expectValidEvent(removed, 'Library File Removed');
  });

  it('waits for an upload still in flight and then removes its file (a delete racing its own create)', async () => {
    // Prepare
    h.sandbox.setProcessing({ processingMs: 1_500, uploadedMs: 0 });
    const ref = await h.putObject('incoming/short-lived.png', pngBytes(64, 48, 256, 6));
    await h.notify([ref]);
    const submitted = await until(ref, 'Submitted');
    // Act
    await h.deleteObject(ref.key);
    await h.notifyRemoved([ref.key]);
    const removed = await until(ref, 'Removed');
    // Assess
    expect(removed.libraryFileId).toBe(submitted.libraryFileId);
    expect(libraryStatus(submitted.libraryFileId)).toBe('Deleted');
  });

  it('ignores a deletion delivered after the key was uploaded again (reordered notifications)', async () => {
    // Prepare: delete, then re-create; the delete's notification arrives last.
    const first = await h.putObject('incoming/back.png', pngBytes(64, 48, 256, 7));
    await h.notify([first]);
    const [v1] = await h.settle([first]);
    await h.deleteObject(first.key);
    const again = await h.putObject('incoming/back.png', pngBytes(64, 48, 256, 8));
    // Act
    await h.notify([again]);
    await h.notifyRemoved([first.key]);
    const old = await until(first, 'Replaced');
    // Assess
    const v2 = await h.record(again);
    expect(v2?.status).toBe('Active');
    expect(old.libraryFileId).toBe(v1?.libraryFileId);
    expect(liveFiles('back.png')).toEqual([v2?.libraryFileId]);
  });

  it('never deletes a library file the pipeline did not upload', async () => {
    // Prepare: someone else's file of the same name is in the library.
    const ref = await h.putObject('incoming/shared-name.png', pngBytes(64, 48, 256, 9));
    await h.notify([ref]);
    const [ours] = await h.settle([ref]);
    const theirBytes = pngBytes(64, 48, 256, 9);
    const theirs = await h.runtime.library.uploadFile({
      fileName: 'shared-name.png',
      folderId: '0',
      description: 'uploaded by a person',
      fileType: 'PNG',
      contentType: 'image/png',
      data: Readable.from(theirBytes),
      size: theirBytes.length,
    });
    // Act
    await h.deleteObject(ref.key);
    await h.notifyRemoved([ref.key]);
    await until(ref, 'Removed');
    // Assess
    expect(libraryStatus(ours?.libraryFileId)).toBe('Deleted');
    expect(libraryStatus(theirs.fileId)).not.toBe('Deleted');
  });
});

describe('failures while trashing', () => {
  it('ends Replaced when the DELETE reached the library but its answer was lost (the file is then Deleted)', async () => {
    // Prepare: the first version becomes Active after the second, so its own check trashes it.
    h.sandbox.setProcessing({ processingMs: (file) => (file.sequence === 0 ? 2_500 : 0), uploadedMs: 0 });
    const first = await h.putObject('incoming/lost.png', pngBytes(64, 48, 256, 14));
    await h.notify([first]);
    await until(first, 'Submitted');
    const second = await h.putObject('incoming/lost.png', pngBytes(64, 48, 256, 15));
    await h.notify([second]);
    const v2 = await until(second, 'Active');
    h.sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['deleteFile'] });
    // Act: the DELETE moves the file to the Trash and the connection drops before the answer.
    await h.drive({ until: () => (h.sandbox.counters().requests.deleteFile?.['reset'] ?? 0) > 0, timeoutMs: 30_000 });
    h.sandbox.setFaults({ resetAfterBodyRate: 0 });
    const during = await h.record(first);
    const replaced = await until(first, 'Replaced');
    // Assess
    expect(during?.status).toBe('Active');
    expect(libraryStatus(replaced.libraryFileId)).toBe('Deleted');
    expect(replaced).toMatchObject({ trashed: true, replacedBy: { libraryFileId: v2.libraryFileId } });
    expect(liveFiles('lost.png')).toEqual([v2.libraryFileId]);
    expectValidEvent(replaced, 'Library File Replaced');
  });

  it('keeps the record Active while every DELETE fails with 5xx, then ends Removed once the library answers', async () => {
    // Prepare
    const ref = await h.putObject('incoming/flaky.png', pngBytes(64, 48, 256, 12));
    await h.notify([ref]);
    const [active] = await h.settle([ref]);
    h.sandbox.setFaults({ serverErrorRate: 1, endpoints: ['deleteFile'] });
    // Act
    await h.deleteObject(ref.key);
    await h.notifyRemoved([ref.key]);
    await h.drive({ until: () => Object.keys(h.sandbox.counters().requests.deleteFile ?? {}).length > 0 });
    await runFor(1_500);
    const during = await h.record(ref);
    const refused = h.sandbox.counters().requests.deleteFile ?? {};
    h.sandbox.setFaults({ serverErrorRate: 0 });
    const removed = await until(ref, 'Removed');
    await runFor(1_500);
    // Assess
    expect(Object.keys(refused).every((outcome) => outcome === '500' || outcome === '503')).toBe(true);
    expect(during?.status).toBe('Active');
    expect(removed.libraryFileId).toBe(active?.libraryFileId);
    expect(libraryStatus(active?.libraryFileId)).toBe('Deleted');
    expect((await h.record(ref))?.transitions.Removed).toBe(removed.transitions.Removed);
  });

  it('keeps the file and the Active record while the credentials are refused, and removes it once they work', async () => {
    // Prepare
    const ref = await h.putObject('incoming/locked.png', pngBytes(64, 48, 256, 13));
    await h.notify([ref]);
    const [active] = await h.settle([ref]);
    const fixed = { apiKey: 'rotated-api-key', accessToken: 'rotated-access-token' };
    h.sandbox.setCredentials([fixed]);
    // Act
    await h.deleteObject(ref.key);
    await h.notifyRemoved([ref.key]);
    await runFor(3_000);
    const during = await h.record(ref);
    const duringLibrary = libraryStatus(active?.libraryFileId);
    h.setSecret(fixed);
    const removed = await until(ref, 'Removed');
    // Assess
    expect(during?.status).toBe('Active');
    expect(duringLibrary).toBe('Active');
    expect(h.sandbox.counters().requests.deleteFile?.['401']).toBeGreaterThanOrEqual(1);
    expect(removed.libraryFileId).toBe(active?.libraryFileId);
    expect(libraryStatus(active?.libraryFileId)).toBe('Deleted');
  });
});

describe('rename (copy + delete, as mv does)', () => {
  it('moves and renames the existing library file with PUT, keeping its id and hosted URL', async () => {
    // Prepare
    const bytes = pdfBytes('poster');
    const old = await h.putObject('incoming/poster.pdf', bytes);
    await h.notify([old]);
    const [before] = await h.settle([old]);
    // Act: the copy lands, the old key goes; the deletion's notification comes first.
    const renamed = await h.putObject('incoming/Events/poster-renamed.pdf', bytes);
    await h.deleteObject(old.key);
    await h.notifyRemoved([old.key]);
    await h.notify([renamed]);
    const [after] = await h.settle([renamed]);
    const gone = await until(old, 'Removed');
    // Assess
    expect(after).toMatchObject({ status: 'Active', libraryFileId: before?.libraryFileId, url: before?.url });
    expect(gone).toMatchObject({ trashed: false });
    const file = h.sandbox.files().find((f) => f.id === before?.libraryFileId);
    expect(file).toMatchObject({ name: 'poster-renamed.pdf', status: 'Active', folderId: after?.folderId });
    expect(h.sandbox.files()).toHaveLength(1);
    expectValidEvent(gone, 'Library File Removed');
  });

  it('keeps the moved file when the PUT went through but its answer was lost: the deletion waits for the copy', async () => {
    // Prepare
    const bytes = pdfBytes('flyer');
    const old = await h.putObject('incoming/flyer.pdf', bytes);
    await h.notify([old]);
    const [before] = await h.settle([old]);
    h.sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['updateFile'] });
    // Act: the PUT renames the file and the connection drops; the deletion's grace runs out meanwhile.
    const renamed = await h.putObject('incoming/Events/flyer-moved.pdf', bytes);
    await h.deleteObject(old.key);
    await h.notifyRemoved([old.key]);
    await h.notify([renamed]);
    await h.drive({ until: () => (h.sandbox.counters().requests.updateFile?.['reset'] ?? 0) > 0, timeoutMs: 30_000 });
    await runFor(2_000);
    h.sandbox.setFaults({ resetAfterBodyRate: 0 });
    const [after] = await h.settle([renamed]);
    const gone = await until(old, 'Removed');
    // Assess: one library file, the old one under its new name, live, with its URL.
    expect(after).toMatchObject({ status: 'Active', libraryFileId: before?.libraryFileId, url: before?.url });
    expect(gone).toMatchObject({ trashed: false });
    expect(h.sandbox.files()).toHaveLength(1);
    expect(libraryStatus(before?.libraryFileId)).toBe('Active');
  });

  it('uploads a copy whose original key still exists (a copy, not a rename)', async () => {
    // Prepare
    const bytes = pdfBytes('copied');
    const original = await h.putObject('incoming/original.pdf', bytes);
    await h.notify([original]);
    const [first] = await h.settle([original]);
    // Act
    const copy = await h.putObject('incoming/copy.pdf', bytes);
    await h.notify([copy]);
    const [second] = await h.settle([copy]);
    // Assess
    expect(second?.libraryFileId).not.toBe(first?.libraryFileId);
    expect(libraryStatus(first?.libraryFileId)).toBe('Active');
  });
});

describe('policy keep', () => {
  it('leaves the library untouched when the stage keeps overwritten and deleted files', async () => {
    // Prepare
    await h.reset({ config: { sync: { onOverwrite: 'keep', onDelete: 'keep' } } });
    const first = await h.putObject('incoming/kept.png', pngBytes(64, 48, 256, 10));
    await h.notify([first]);
    const [v1] = await h.settle([first]);
    const second = await h.putObject('incoming/kept.png', pngBytes(64, 48, 256, 11));
    await h.notify([second]);
    await h.settle([second]);
    // Act
    await h.deleteObject(first.key);
    await h.notifyRemoved([first.key]);
    await runFor(1_500);
    // Assess
    expect((await h.record(first))?.status).toBe('Active');
    expect(libraryStatus(v1?.libraryFileId)).toBe('Active');
    await h.reset({ config: { sync: { onOverwrite: 'replace', onDelete: 'trash' } } });
  });
});
