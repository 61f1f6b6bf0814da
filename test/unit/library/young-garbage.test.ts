import { describe, expect, it } from 'vitest';
import { youngGarbageCollector } from '../../../shared/library/young-garbage.ts';
import { SizeGuard } from '../../../shared/library/multipart.ts';

describe('youngGarbageCollector', () => {
  it('asks for one minor collection per full run of bytes, and none without an exposed gc', () => {
    // Prepare
    const calls: unknown[] = [];
    const count = youngGarbageCollector(100, (options) => void calls.push(options));
    // Act
    for (let i = 0; i < 25; i++) count?.(10);
    // Assess
    expect(calls).toEqual([{ type: 'minor' }, { type: 'minor' }]);
    expect(youngGarbageCollector(100, undefined)).toBeUndefined();
    expect(youngGarbageCollector(0, () => undefined)).toBeUndefined();
  });

  it('is told of every chunk the size guard passes', async () => {
    // Prepare
    const seen: number[] = [];
    const guard = new SizeGuard(6, (bytes) => void seen.push(bytes));
    // Act
    guard.end(Buffer.from('abcdef'));
    for await (const chunk of guard) void chunk;
    // Assess
    expect(seen).toEqual([6]);
  });
});
