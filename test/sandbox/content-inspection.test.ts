import { describe, expect, it } from 'vitest';
import {
  EICAR,
  EicarScanner,
  detectFamily,
  matchesFileType,
  readImageDimensions,
  thumbnailSize,
} from '../../infra/local/sandbox/content-inspection.ts';
import { gifBytes, jpegBytes, oleBytes, pdfBytes, pngBytes, zipBytes } from './helpers.ts';

describe('content inspection', () => {
  it.each([1, 10, 33, 67])('finds EICAR split across two chunks at byte %i', (split) => {
    // Prepare
    const scanner = new EicarScanner();
    const body = Buffer.concat([Buffer.from('prefix '), EICAR, Buffer.from(' suffix')]);
    const cut = 7 + split;

    // Act
    scanner.push(body.subarray(0, cut));
    scanner.push(body.subarray(cut));

    // Assess
    expect(scanner.found).toBe(true);
  });

  it('does not flag a body without EICAR', () => {
    const scanner = new EicarScanner();
    scanner.push(EICAR.subarray(0, 30));
    scanner.push(Buffer.from('different ending'));

    expect(scanner.found).toBe(false);
  });

  it('recognises each format family by its magic bytes', () => {
    expect(
      [pngBytes(), jpegBytes(), gifBytes(), pdfBytes(), zipBytes(), oleBytes(), Buffer.from('hello')].map(detectFamily),
    ).toEqual(['PNG', 'JPEG', 'GIF', 'PDF', 'ZIP', 'OLE', 'UNKNOWN']);
  });

  it('treats JPG and JPEG as the same family, and PNG bytes as not a JPEG', () => {
    expect(matchesFileType('JPG', jpegBytes())).toBe(true);
    expect(matchesFileType('JPEG', jpegBytes())).toBe(true);
    expect(matchesFileType('JPEG', pngBytes())).toBe(false);
  });

  it('reads dimensions and derives a 200-pixel thumbnail box like the vendor examples', () => {
    expect(readImageDimensions(jpegBytes(800, 600))).toEqual({ width: 800, height: 600 });
    expect(thumbnailSize({ width: 800, height: 600 })).toEqual({ width: 200, height: 150 });
    expect(thumbnailSize({ width: 240, height: 320 })).toEqual({ width: 150, height: 200 });
    expect(readImageDimensions(pdfBytes())).toBeUndefined();
  });
});
