import { describe, expect, it } from 'vitest';
import { checkContent, checkFileType, checkSize } from '../../../shared/files/validation.ts';
import { readUploadMetadata, decodeRfc2047 } from '../../../shared/s3/object-metadata.ts';

describe('validation', () => {
  it('rejects an unsupported type with a specific key', () => {
    // Act
    const check = checkFileType('notes.txt');
    // Assess
    expect(check.ok).toBe(false);
    expect(!check.ok && check.rejection.errorKey).toBe('unsupported-type');
  });

  it('accepts a supported type whatever its case', () => {
    expect(checkFileType('A.PdF')).toEqual({ ok: true, value: 'PDF' });
  });

  it('rejects empty and too large files', () => {
    expect(!checkSize(0, 100).ok && (checkSize(0, 100) as { rejection: { errorKey: string } }).rejection.errorKey).toBe(
      'empty-file',
    );
    const tooLarge = checkSize(101, 100);
    expect(!tooLarge.ok && tooLarge.rejection).toEqual({
      errorKey: 'too-large',
      errorMessage: expect.stringContaining('at most 100 bytes'),
    });
    expect(checkSize(100, 100).ok).toBe(true);
  });

  it('rejects content that does not match the extension, saying what it looks like', () => {
    // Act
    const check = checkContent('PNG', Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    // Assess
    expect(!check.ok && check.rejection).toEqual({
      errorKey: 'content-mismatch',
      errorMessage: expect.stringContaining('looks like JPEG'),
    });
  });
});

describe('readUploadMetadata', () => {
  it('reads description and folder-id, case-insensitively', () => {
    expect(readUploadMetadata({ Description: 'Hello', 'folder-id': ' -7 ' })).toEqual({
      description: 'Hello',
      folderId: '-7',
    });
  });

  it('ignores blank values', () => {
    expect(readUploadMetadata({ description: ' ', 'folder-id': '' })).toEqual({});
    expect(readUploadMetadata(undefined)).toEqual({});
  });

  it('decodes RFC 2047 encoded words', () => {
    expect(decodeRfc2047('=?UTF-8?B?Q2Fmw6kg8J+YgA==?=')).toBe('Café 😀');
    expect(decodeRfc2047('=?utf-8?Q?Caf=C3=A9_au_lait?=')).toBe('Café au lait');
    expect(decodeRfc2047('plain')).toBe('plain');
  });
});
