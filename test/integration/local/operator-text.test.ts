/**
 * The lines `npm start` prints about files: an identical copy, the files found at start, and what was in
 * flight at Ctrl-C with what the next start does (which depends on whether state persists).
 */
import { describe, expect, it } from 'vitest';
import { existingFilesText, unchangedLine, unfinishedText } from '../../../infra/local/runner/operator-text.ts';

const file = { path: '/d/a.png', relativePath: 'a.png', key: 'uploads/a.png', size: 3, eTag: 'e', startedAt: 0 };

describe('operator text', () => {
  it('ends an identical copy with the library file it already is', () => {
    expect(unchangedLine({ kind: 'unchanged', file, status: 'Active', libraryFileId: '8' })).toBe(
      '= unchanged  uploads/a.png: already library file 8 (Active); the same bytes are not uploaded again',
    );
  });

  it('lists the files found at start, with the flag that uploads them when they are not uploaded', () => {
    const listed = existingFilesText(
      { kind: 'existing-files', pending: ['a.png', 'b.png'], uploading: false, recorded: 0 },
      'drop',
    );
    const uploading = existingFilesText(
      { kind: 'existing-files', pending: ['b.png'], uploading: true, recorded: 4 },
      'drop',
    );
    expect(listed).toContain('2 file(s) in drop/ not in the records yet');
    expect(listed).toContain('--upload-existing');
    expect(listed).toContain('    a.png\n    b.png');
    expect(uploading).toContain('4 file(s) in drop/ already uploaded');
    expect(uploading).toContain('uploading them now:\n    b.png');
    expect(uploading).not.toContain('--upload-existing');
  });

  it('says which files were in flight at stop and what the next start does with them', () => {
    const unfinished = [
      { key: 'uploads/a.png', status: 'Submitted', libraryFileId: '12' },
      { key: 'uploads/b.png', status: 'queued' },
    ];
    const persisted = unfinishedText(unfinished, { enabled: true, resumed: false, dataDir: '/s/data' });
    const fresh = unfinishedText(unfinished, { enabled: false, resumed: false, dataDir: undefined });
    expect(persisted).toContain('2 file(s) were still in flight:');
    expect(persisted).toContain('uploads/a.png (Submitted, library file 12)');
    expect(persisted).toContain('uploads/b.png (in the bucket, not picked up yet)');
    expect(persisted).toContain('resumes them');
    expect(persisted).toContain('/s/data');
    expect(fresh).toContain('not resumed');
    expect(fresh).toContain('--upload-existing');
  });

  it('shortens a long list', () => {
    const pending = Array.from({ length: 13 }, (_, i) => `f${i}.png`);
    const text = existingFilesText({ kind: 'existing-files', pending, uploading: true, recorded: 0 }, 'drop');
    expect(text).toContain('    f9.png\n    … and 3 more');
    expect(text).not.toContain('f10.png');
  });
});
