import { describe, expect, it } from 'vitest';
import { classifyCopies, extraCopies } from '../../chaos/copies.ts';

const file = (id: string, name: string, status: string, size = 125) => ({ id, name, size, folderId: '-7', status });

describe('classifyCopies (the fault run\'s "uploaded twice" check)', () => {
  it('finds no group when every name is held once', () => {
    const result = classifyCopies([file('1', 'a.pdf', 'Active'), file('2', 'b.pdf', 'VirusFound')], ['1', '2']);
    expect(result).toEqual({ secondCopies: [], cancelledReposts: [] });
  });

  it('counts two usable copies of a name as a second copy', () => {
    const { secondCopies, cancelledReposts } = classifyCopies(
      [file('1', 'a.png', 'Active'), file('2', 'a.png', 'Active')],
      ['2'],
    );
    expect(secondCopies).toEqual([expect.objectContaining({ name: 'a.png', recordedFileIds: ['2'] })]);
    expect(extraCopies(secondCopies)).toBe(1);
    expect(cancelledReposts).toEqual([]);
  });

  it('reports an infected file the library cancelled and that was posted again apart, when one record names it', () => {
    const { secondCopies, cancelledReposts } = classifyCopies(
      [file('99', 'x.pdf', 'VirusFound'), file('407', 'x.pdf', 'VirusFound')],
      ['407'],
    );
    expect(secondCopies).toEqual([]);
    expect(cancelledReposts).toEqual([expect.objectContaining({ name: 'x.pdf', recordedFileIds: ['407'] })]);
    expect(extraCopies(cancelledReposts)).toBe(1);
  });

  it('still counts a second copy when one of the copies is usable', () => {
    const { secondCopies } = classifyCopies(
      [file('1', 'x.pdf', 'VirusFound'), file('2', 'x.pdf', 'Processing')],
      ['2'],
    );
    expect(secondCopies).toHaveLength(1);
  });

  it('still counts a second copy when two records name the cancelled copies, or none does', () => {
    const files = [file('1', 'x.pdf', 'VirusFound'), file('2', 'x.pdf', 'VirusFound')];
    expect(classifyCopies(files, ['1', '2']).secondCopies).toHaveLength(1);
    expect(classifyCopies(files, []).secondCopies).toHaveLength(1);
  });

  it('still counts a second copy when the cancelled copies differ in size (two different files)', () => {
    const { secondCopies } = classifyCopies(
      [file('1', 'x.pdf', 'VirusFound', 125), file('2', 'x.pdf', 'VirusFound', 130)],
      ['2'],
    );
    expect(secondCopies).toHaveLength(1);
  });
});
