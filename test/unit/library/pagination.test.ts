import { describe, expect, it } from 'vitest';
import {
  endpointTarget,
  parseBaseUrl,
  resolveNextLink,
  targetToPathWithKey,
} from '../../../shared/library/pagination.ts';

const base = parseBaseUrl('https://api.constantcontact.com/v2');

describe('parseBaseUrl', () => {
  it('splits origin and base path, dropping a trailing slash', () => {
    expect(parseBaseUrl('http://127.0.0.1:8080/v2/')).toEqual({ origin: 'http://127.0.0.1:8080', basePath: '/v2' });
    expect(parseBaseUrl('https://example.com')).toEqual({ origin: 'https://example.com', basePath: '' });
  });

  it('refuses a base URL with a query, user info or another scheme', () => {
    expect(() => parseBaseUrl('https://x.test/v2?api_key=k')).toThrow(TypeError);
    expect(() => parseBaseUrl('https://u:p@x.test/v2')).toThrow(TypeError);
    expect(() => parseBaseUrl('ftp://x.test/v2')).toThrow(TypeError);
    expect(() => parseBaseUrl('not a url')).toThrow(TypeError);
  });
});

describe('resolveNextLink', () => {
  it('resolves the documented /v2/... link against the origin without doubling /v2', () => {
    // Act
    const target = resolveNextLink(base, '/v2/library/folders?next=b2Zmc2V0PTQmbGltaXQ9NA');
    // Assess
    expect(target.path).toBe('/v2/library/folders');
    expect(target.query.get('next')).toBe('b2Zmc2V0PTQmbGltaXQ9NA');
  });

  it('adds the base path to a link that lacks it', () => {
    expect(resolveNextLink(base, '/library/files?next=abc').path).toBe('/v2/library/files');
    expect(resolveNextLink(base, 'library/files?next=abc').path).toBe('/v2/library/files');
  });

  it('follows a bare ?next= link on the current path', () => {
    expect(resolveNextLink(base, '?next=abc', '/v2/library/folders/-1/files').path).toBe(
      '/v2/library/folders/-1/files',
    );
  });

  it('keeps only the path and query of an absolute link, so credentials never go to another host', () => {
    // Act
    const target = resolveNextLink(base, 'https://evil.example/v2/library/files?next=abc&api_key=stolen');
    // Assess
    expect(target.path).toBe('/v2/library/files');
    expect(target.query.has('api_key')).toBe(false);
  });

  it('puts the current api_key back as the first parameter', () => {
    // Prepare
    const target = resolveNextLink(base, '/v2/library/files?next=abc&api_key=old');
    // Act
    const path = targetToPathWithKey(target, 'new key');
    // Assess
    expect(path).toBe('/v2/library/files?api_key=new+key&next=abc');
  });
});

describe('endpointTarget', () => {
  it('puts the endpoint under the base path and drops undefined parameters', () => {
    // Act
    const target = endpointTarget(base, '/library/files', { limit: 5, sort_by: undefined, type: 'IMAGES' });
    // Assess
    expect(targetToPathWithKey(target, 'k')).toBe('/v2/library/files?api_key=k&limit=5&type=IMAGES');
  });
});
