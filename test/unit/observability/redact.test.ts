import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, toLogSafe } from '../../../shared/observability/redact.ts';

describe('redactText', () => {
  it.each([
    [
      'https://api.example.test/v2/library/files?api_key=abc123&limit=50',
      'https://api.example.test/v2/library/files?api_key=***&limit=50',
    ],
    ['/v2/library/folders?next=b2Zm&apikey=abc123', '/v2/library/folders?next=b2Zm&apikey=***'],
    ['?access_token=abc123', '?access_token=***'],
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer ***'],
    ['{"apiKey":"abc123","accessToken":"tok"}', '{"apiKey":"***","accessToken":"***"}'],
    ['nothing secret here: 202 Accepted', 'nothing secret here: 202 Accepted'],
  ])('redacts %s', (input, expected) => {
    // Act / Assess
    expect(redactText(input)).toBe(expected);
  });
});

describe('toLogSafe', () => {
  it('copies plain data, replacing sensitive keys and credential-shaped text', () => {
    // Prepare
    const value = {
      secretId: 'library-upload/dev/credentials',
      credentials: { apiKey: 'abc123', accessToken: 'tok' },
      request: { url: 'https://x.test/?api_key=abc123', at: new Date('2026-03-02T10:00:00Z'), body: new Uint8Array(3) },
    };

    // Act
    const safe = toLogSafe(value);

    // Assess
    expect(safe).toEqual({
      secretId: 'library-upload/dev/credentials',
      credentials: { apiKey: REDACTED, accessToken: REDACTED },
      request: { url: 'https://x.test/?api_key=***', at: '2026-03-02T10:00:00.000Z', body: '[3 bytes]' },
    });
  });

  it('reduces errors to name, message, stack, own fields and cause, all redacted', () => {
    // Prepare
    const cause = new Error('socket hang up for ?api_key=abc123');
    const error = Object.assign(new Error('upload failed', { cause }), { status: 503, authorization: 'Bearer tok' });

    // Act
    const safe = toLogSafe(error) as Record<string, unknown>;

    // Assess
    expect(safe).toMatchObject({ name: 'Error', message: 'upload failed', status: 503, authorization: REDACTED });
    expect(safe['cause']).toMatchObject({ message: 'socket hang up for ?api_key=***' });
    expect(JSON.stringify(safe)).not.toContain('abc123');
  });

  it('cuts cycles instead of overflowing', () => {
    // Prepare
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;

    // Act / Assess
    expect(toLogSafe(loop)).toEqual({ name: 'loop', self: '[Circular]' });
  });
});
