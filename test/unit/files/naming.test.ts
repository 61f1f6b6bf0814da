import { describe, expect, it } from 'vitest';
import {
  describeFileName,
  fileNameOfKey,
  libraryDescription,
  libraryFileName,
  truncate,
} from '../../../shared/files/naming.ts';

describe('libraryFileName', () => {
  it('is the last segment of the key', () => {
    expect(libraryFileName('incoming/Events/2026/poster.png')).toBe('poster.png');
    expect(fileNameOfKey('poster.png')).toBe('poster.png');
  });

  it('shortens a long name to 80 characters and keeps the extension', () => {
    // Prepare
    const key = `incoming/${'x'.repeat(120)}.jpeg`;
    // Act
    const name = libraryFileName(key);
    // Assess
    expect(name).toHaveLength(80);
    expect(name.endsWith('….jpeg')).toBe(true);
  });

  it('never splits a surrogate pair when shortening', () => {
    // Prepare
    const key = `${'😀'.repeat(60)}.png`;
    // Act
    const name = libraryFileName(key);
    // Assess
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(name.endsWith('….png')).toBe(true);
  });

  it('turns control characters into spaces', () => {
    expect(libraryFileName('a/b\nc.png')).toBe('b c.png');
  });
});

describe('libraryDescription', () => {
  it('uses the metadata description when given', () => {
    expect(libraryDescription('Summer campaign hero', 'poster.png')).toBe('Summer campaign hero');
  });

  it('derives one from the file name otherwise', () => {
    expect(libraryDescription(undefined, 'summer_poster-2026.png')).toBe('summer poster 2026');
    expect(libraryDescription('   ', 'a.pdf')).toBe('a');
    expect(describeFileName('.png')).toBe('.png');
  });

  it('cuts a long description at 100 characters with an ellipsis', () => {
    // Act
    const description = libraryDescription('word '.repeat(40), 'a.png');
    // Assess
    expect(description).toHaveLength(100);
    expect(description.endsWith('…')).toBe(true);
  });

  it('leaves a description of exactly 100 characters alone', () => {
    expect(truncate('d'.repeat(100), 100)).toBe('d'.repeat(100));
  });
});
