import { describe, expect, it } from 'vitest';
import { folderPathOf, formatFolderPath, isUnderPrefix } from '../../../shared/files/folder-path.ts';

describe('folderPathOf', () => {
  it('mirrors the path below the upload prefix', () => {
    expect(folderPathOf('incoming/Events/2026/poster.png', 'incoming/')).toEqual(['Events', '2026']);
  });

  it('is empty for a file directly under the prefix', () => {
    expect(folderPathOf('incoming/poster.png', 'incoming/')).toEqual([]);
    expect(folderPathOf('poster.png', '')).toEqual([]);
  });

  it('keeps three levels and joins deeper ones into the third', () => {
    expect(folderPathOf('in/a/b/c/d/e/x.png', 'in/')).toEqual(['a', 'b', 'c - d - e']);
    expect(folderPathOf('in/a/b/c/x.png', 'in/')).toEqual(['a', 'b', 'c']);
  });

  it('drops empty segments and trims names', () => {
    expect(folderPathOf('in//a /  /b/x.png', 'in/')).toEqual(['a', 'b']);
  });

  it('cuts folder names to 80 characters', () => {
    // Act
    const [name] = folderPathOf(`${'f'.repeat(90)}/x.png`, '');
    // Assess
    expect(name).toHaveLength(80);
  });

  it('keeps unicode names as they are', () => {
    expect(formatFolderPath(folderPathOf('in/Événements/日本/x.png', 'in/'))).toBe('Événements/日本');
  });
});

describe('isUnderPrefix', () => {
  it('holds every key for an empty prefix', () => {
    expect(isUnderPrefix('x.png', '')).toBe(true);
    expect(isUnderPrefix('other/x.png', 'incoming/')).toBe(false);
  });
});
