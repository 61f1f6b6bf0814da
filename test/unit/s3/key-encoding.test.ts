import { describe, expect, it } from 'vitest';
import { decodeS3Key, encodeS3Key } from '../../../shared/s3/key-encoding.ts';

describe('decodeS3Key', () => {
  it.each([
    ['incoming/my+poster.png', 'incoming/my poster.png'],
    ['incoming/a%2Bb.png', 'incoming/a+b.png'],
    ['incoming/100%25+done.pdf', 'incoming/100% done.pdf'],
    ['incoming/caf%C3%A9/%E6%97%A5%E6%9C%AC.png', 'incoming/café/日本.png'],
    ['incoming/%F0%9F%98%80.gif', 'incoming/😀.gif'],
    ['plain/key.jpg', 'plain/key.jpg'],
  ])('decodes %s exactly', (encoded, expected) => {
    // Act
    const decoded = decodeS3Key(encoded);
    // Assess
    expect(decoded).toEqual({ key: expected, exact: true });
  });

  it('decodes leniently and says so when a percent sequence is invalid', () => {
    // Act
    const decoded = decodeS3Key('incoming/50%+off%ZZ+caf%C3%A9.png');
    // Assess
    expect(decoded).toEqual({ key: 'incoming/50% off%ZZ café.png', exact: false });
  });

  it('keeps a lone invalid UTF-8 byte sequence as typed', () => {
    expect(decodeS3Key('a%C3.png')).toEqual({ key: 'a%C3.png', exact: false });
  });
});

describe('encodeS3Key', () => {
  it.each(['incoming/my poster.png', 'a+b/100% (final)!.pdf', 'café/日本/😀.gif', "it's~here.png"])(
    'round-trips %s through the notification encoding',
    (key) => {
      // Act
      const encoded = encodeS3Key(key);
      // Assess
      expect(encoded).not.toContain(' ');
      expect(decodeS3Key(encoded)).toEqual({ key, exact: true });
    },
  );

  it('writes a space as + and keeps slashes', () => {
    expect(encodeS3Key('a b/c+d.png')).toBe('a+b/c%2Bd.png');
  });
});
