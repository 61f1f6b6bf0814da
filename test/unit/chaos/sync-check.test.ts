import { describe, expect, it } from 'vitest';
import type { RecordStatus, UploadRecord } from '../../../shared/record/upload-record.ts';
import { verdict, type ChaosReport } from '../../chaos/chaos-run.ts';
import { checkSync, syncProblems, type BucketTruth, type SyncFindings } from '../../chaos/sync-check.ts';

const file = (id: string, name: string, status = 'Active') => ({ id, name, size: 100, folderId: '-1', status });
const record = (key: string, eTag: string, status: RecordStatus, libraryFileId?: string): UploadRecord =>
  ({ bucket: 'b', key, eTag, objectId: `${key}:${eTag}`, status, libraryFileId }) as UploadRecord;

/** A bucket with a.png (overwritten: latest eTag e2), b.png deleted, c.png renamed to d.png, t.txt Rejected. */
const truth: BucketTruth = {
  live: new Map([
    ['up/a.png', { eTag: 'e2', expected: 'Active' }],
    ['up/d.png', { eTag: 'e3', expected: 'Active' }],
    ['up/t.txt', { eTag: 'e5', expected: 'Rejected' }],
  ]),
  gone: new Set(['up/b.png', 'up/c.png']),
};
const goodRecords = [
  record('up/a.png', 'e1', 'Replaced', '1'),
  record('up/a.png', 'e2', 'Active', '2'),
  record('up/b.png', 'e4', 'Removed', '3'),
  record('up/c.png', 'e3', 'Removed', '4'),
  record('up/d.png', 'e3', 'Active', '4'),
  record('up/t.txt', 'e5', 'Rejected'),
];
const goodFiles = [
  file('1', 'a.png', 'Deleted'),
  file('2', 'a.png'),
  file('3', 'b.png', 'Deleted'),
  file('4', 'd.png'),
];
const foreign = file('9', 'someone-else.png');

const none: SyncFindings = {
  liveWithoutItsFile: [],
  liveWithExtraFiles: [],
  goneWithFile: [],
  foreignNotLive: [],
  trashedNotOurs: [],
};

describe('checkSync (the fault run\'s "library follows the bucket" check)', () => {
  it('finds nothing when each live key has its latest version’s file and deleted keys have none', () => {
    expect(checkSync(truth, goodRecords, [...goodFiles, foreign], ['9'])).toEqual(none);
  });

  it('finds a live key whose latest version has no live file (its file was trashed)', () => {
    const files = goodFiles.map((f) => (f.id === '2' ? { ...f, status: 'Deleted' } : f));
    expect(checkSync(truth, goodRecords, [...files, foreign], ['9']).liveWithoutItsFile).toEqual(['up/a.png']);
  });

  it('finds a live key whose live file is the previous version’s, not the latest', () => {
    const records = goodRecords.map((r) => (r.eTag === 'e1' ? { ...r, status: 'Active' as const } : r));
    const files = [file('1', 'a.png'), file('2', 'a.png', 'Deleted'), ...goodFiles.slice(2)];
    const found = checkSync(truth, records, [...files, foreign], ['9']);
    expect(found.liveWithoutItsFile).toEqual(['up/a.png']);
    expect(found.liveWithExtraFiles).toEqual(['up/a.png']);
  });

  it('finds a second live file of a live key, even one no record names', () => {
    const found = checkSync(truth, goodRecords, [...goodFiles, file('7', 'd.png'), foreign], ['9']);
    expect(found.liveWithExtraFiles).toEqual(['up/d.png']);
  });

  it('finds a live file for a key that expects none (Rejected)', () => {
    expect(
      checkSync(truth, goodRecords, [...goodFiles, file('8', 't.txt'), foreign], ['9']).liveWithExtraFiles,
    ).toEqual(['up/t.txt']);
  });

  it('finds a deleted key whose file is still live, or whose record is still Active', () => {
    const files = goodFiles.map((f) => (f.id === '3' ? { ...f, status: 'Active' } : f));
    expect(checkSync(truth, goodRecords, [...files, foreign], ['9']).goneWithFile).toEqual(['up/b.png']);
    const records = goodRecords.map((r) => (r.key === 'up/c.png' ? { ...r, status: 'Active' as const } : r));
    expect(checkSync(truth, records, [...goodFiles, foreign], ['9']).goneWithFile).toEqual(['up/c.png']);
  });

  it('finds the foreign file trashed (or gone), and a trashed file no record names', () => {
    const found = checkSync(truth, goodRecords, [...goodFiles, { ...foreign, status: 'Deleted' }], ['9']);
    expect(found.foreignNotLive).toEqual(['9']);
    expect(found.trashedNotOurs).toEqual(['9']);
    expect(checkSync(truth, goodRecords, goodFiles, ['9']).foreignNotLive).toEqual(['9']);
  });

  it('says each finding in a verdict line', () => {
    expect(syncProblems(none)).toEqual([]);
    expect(syncProblems({ ...none, goneWithFile: ['up/b.png'] })).toEqual([
      '1 deleted keys with a live library file or Active record: up/b.png',
    ]);
  });
});

describe('verdict with overwrites, deletions and renames', () => {
  const passing = {
    options: { kills: 1 },
    filesDropped: 4,
    versionsWritten: 6,
    expectedEvents: 9,
    distinctEvents: 9,
    finalRecords: 6,
    filesAccepted: 4,
    libraryUploads: 4,
    duplicateUploads: 0,
    sandboxDuplicatesByNameAndSize: 0,
    cancelledReposts: [],
    sync: none,
    lost: [],
    unfinished: [],
    unexpected: [],
    deadLetters: [],
    credentialLeaks: [],
    kills: [{ atMs: 1, finalRecordsBefore: 1 }],
  } as unknown as ChaosReport;

  it('passes a report where every promise holds', () => {
    expect(verdict(passing)).toEqual([]);
  });

  it('fails a deleted key’s live file, a trashed foreign file, and a missing Replaced/Removed event', () => {
    expect(verdict({ ...passing, sync: { ...none, goneWithFile: ['up/b.png'] } })).toEqual([
      '1 deleted keys with a live library file or Active record: up/b.png',
    ]);
    expect(verdict({ ...passing, sync: { ...none, foreignNotLive: ['9'] } })).toHaveLength(1);
    expect(verdict({ ...passing, distinctEvents: 8 })).toEqual(['distinct events 8 ≠ expected 9']);
    expect(verdict({ ...passing, finalRecords: 5 })).toEqual(['final records 5 ≠ versions written 6']);
  });
});
