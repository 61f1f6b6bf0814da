import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, sanitizeCause } from '../../../shared/library/redact.ts';

describe('redactUrl', () => {
  it('hides the api_key value and keeps the rest of the URL', () => {
    expect(redactUrl('https://api.constantcontact.com/v2/library/files?api_key=abc123&limit=5')).toBe(
      'https://api.constantcontact.com/v2/library/files?api_key=***&limit=5',
    );
  });

  it('hides api_key wherever it sits in the query, and access_token too', () => {
    expect(redactUrl('/v2/library/files?next=xyz&api_key=k&access_token=t#frag')).toBe(
      '/v2/library/files?next=xyz&api_key=***&access_token=***#frag',
    );
  });

  it('recognises an encoded parameter name', () => {
    expect(redactUrl('/x?api%5Fkey=secret')).toBe('/x?api%5Fkey=***');
  });

  it('leaves a URL without query unchanged', () => {
    expect(redactUrl('https://api.constantcontact.com/v2/library/files/123')).toBe(
      'https://api.constantcontact.com/v2/library/files/123',
    );
  });
});

describe('redactText', () => {
  it('scrubs literal secrets, their URL-encoded forms, bearer tokens and api_key parameters', () => {
    // Prepare
    const secrets = ['my key/with+chars', 'tok-123'];
    const text =
      'failed GET /v2/x?api_key=my%20key%2Fwith%2Bchars: Authorization: Bearer tok-123, echo my key/with+chars';
    // Act
    const redacted = redactText(text, secrets);
    // Assess
    expect(redacted).not.toContain('tok-123');
    expect(redacted).not.toContain('my key/with+chars');
    expect(redacted).not.toContain('my%20key%2Fwith%2Bchars');
    expect(redacted).toContain('api_key=***');
    expect(redacted).toContain('Bearer ***');
  });

  it('ignores empty secrets', () => {
    expect(redactText('nothing to hide', ['', undefined])).toBe('nothing to hide');
  });
});

describe('sanitizeCause', () => {
  it('copies name, code and message without the secrets, nested causes included', () => {
    // Prepare
    const inner = Object.assign(new Error('socket to host?api_key=SECRETKEY closed'), { code: 'ECONNRESET' });
    const outer = new Error('request with Bearer SECRETTOKEN failed', { cause: inner });
    // Act
    const copy = sanitizeCause(outer, ['SECRETKEY', 'SECRETTOKEN']) as Error & { cause?: Error & { code?: string } };
    // Assess
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('request with Bearer *** failed');
    expect(copy.cause?.code).toBe('ECONNRESET');
    expect(copy.cause?.message).not.toContain('SECRETKEY');
    expect(String(copy.stack)).not.toContain('SECRETTOKEN');
  });

  it('turns a non-error into a short redacted string', () => {
    expect(sanitizeCause('oops SECRET', ['SECRET'])).toBe('oops ***');
    expect(sanitizeCause(undefined)).toBeUndefined();
  });
});
