import { describe, expect, it } from 'vitest';
import { objectIdOf } from '../../../shared/record/object-id.ts';

describe('objectIdOf', () => {
  it('names the version on a versioned bucket', () => {
    expect(objectIdOf({ bucket: 'b', key: 'in/a b.png', versionId: 'v1', eTag: 'e' })).toBe('s3://b/in/a b.png#v=v1');
  });

  it('falls back to the eTag (without quotes) when there is no version id', () => {
    expect(objectIdOf({ bucket: 'b', key: 'k.png', eTag: '"abc"' })).toBe('s3://b/k.png#etag=abc');
  });

  it('is the plain object URL when neither is known', () => {
    expect(objectIdOf({ bucket: 'b', key: 'k.png' })).toBe('s3://b/k.png');
  });
});
