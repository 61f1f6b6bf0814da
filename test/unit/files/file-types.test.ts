import { describe, expect, it } from 'vitest';
import { contentMatchesType, detectContentFamily, libraryFileTypeOf } from '../../../shared/files/file-types.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const GIF = Buffer.from('GIF89a\x01\x00', 'latin1');
const PDF = Buffer.from('%PDF-1.7\n', 'latin1');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]);

describe('libraryFileTypeOf', () => {
  it.each([
    ['poster.PNG', 'PNG'],
    ['photo.jpg', 'JPG'],
    ['photo.JpEg', 'JPEG'],
    ['report.final.pdf', 'PDF'],
    ['deck.pptx', 'PPTX'],
    ['sheet.xls', 'XLS'],
  ])('%s is %s', (name, type) => {
    expect(libraryFileTypeOf(name)).toBe(type);
  });

  it.each(['notes.txt', 'archive.zip', 'README', '.png', 'trailing.', 'movie.mp4'])('%s is not accepted', (name) => {
    expect(libraryFileTypeOf(name)).toBeUndefined();
  });
});

describe('magic bytes', () => {
  it.each([
    [PNG, 'PNG'],
    [JPEG, 'JPEG'],
    [GIF, 'GIF'],
    [PDF, 'PDF'],
    [ZIP, 'ZIP'],
    [OLE, 'OLE'],
    [Buffer.from('hello'), 'UNKNOWN'],
    [Buffer.alloc(0), 'UNKNOWN'],
  ])('detects %#', (head, family) => {
    expect(detectContentFamily(head)).toBe(family);
  });

  it('accepts JPEG bytes for both JPG and JPEG, zip for the Office x-formats and OLE for the old ones', () => {
    expect(contentMatchesType('JPG', JPEG)).toBe(true);
    expect(contentMatchesType('JPEG', JPEG)).toBe(true);
    expect(contentMatchesType('DOCX', ZIP)).toBe(true);
    expect(contentMatchesType('XLSX', ZIP)).toBe(true);
    expect(contentMatchesType('PPT', OLE)).toBe(true);
  });

  it('refuses bytes that are not what the extension says', () => {
    expect(contentMatchesType('PNG', JPEG)).toBe(false);
    expect(contentMatchesType('PDF', PNG)).toBe(false);
    expect(contentMatchesType('DOC', ZIP)).toBe(false);
  });
});
