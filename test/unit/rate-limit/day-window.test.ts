import { describe, expect, it } from 'vitest';
import { dayWindowAt, rateLimitKeyId } from '../../../shared/rate-limit/index.ts';

describe('dayWindowAt', () => {
  it('puts the reset at the next UTC midnight by default', () => {
    // Act
    const window = dayWindowAt(Date.parse('2026-03-02T23:59:59.999Z'));

    // Assess
    expect(window).toEqual({
      label: '2026-03-02',
      startsAt: Date.parse('2026-03-02T00:00:00.000Z'),
      resetsAt: Date.parse('2026-03-03T00:00:00.000Z'),
    });
  });

  it('starts a new window exactly at midnight', () => {
    // Act / Assess
    expect(dayWindowAt(Date.parse('2026-03-03T00:00:00.000Z')).label).toBe('2026-03-03');
  });

  it('shifts the window by the configured offset (e.g. a reset at 05:00 UTC)', () => {
    // Act
    const before = dayWindowAt(Date.parse('2026-03-03T04:59:00.000Z'), 300);
    const after = dayWindowAt(Date.parse('2026-03-03T05:00:00.000Z'), 300);

    // Assess
    expect(before.label).toBe('2026-03-02');
    expect(before.resetsAt).toBe(Date.parse('2026-03-03T05:00:00.000Z'));
    expect(after.label).toBe('2026-03-03');
  });
});

describe('rateLimitKeyId', () => {
  it('is stable, short and does not contain the key', () => {
    // Act
    const id = rateLimitKeyId('my-api-key-123');

    // Assess
    expect(id).toBe(rateLimitKeyId('my-api-key-123'));
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).not.toContain('my-api-key');
    expect(rateLimitKeyId('another-key')).not.toBe(id);
  });
});
