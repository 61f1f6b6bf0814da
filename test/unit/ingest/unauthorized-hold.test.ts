import { describe, expect, it } from 'vitest';
import { CredentialsOnHoldError, UnauthorizedHold } from '../../../shared/runtime/unauthorized-hold.ts';
import { classifyFailure } from '../../../shared/retry/retry-policy.ts';

describe('UnauthorizedHold', () => {
  it('lets requests through until tripped, then holds them for the hold time', () => {
    // Prepare
    let now = 1000;
    const hold = new UnauthorizedHold(60_000, () => now);
    // Act & Assess
    expect(() => hold.check()).not.toThrow();
    hold.trip();
    expect(() => hold.check()).toThrow(CredentialsOnHoldError);
    now += 60_000;
    expect(() => hold.check()).not.toThrow();
  });

  it('is waited out like a 401 (put back, never towards the DLQ)', () => {
    expect(classifyFailure(new CredentialsOnHoldError(new Date()))).toBe('unauthorized');
  });
});
