import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, errorKeys, startTestSandbox } from './helpers.ts';

describe('sandbox authentication and content negotiation', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox ??= await startTestSandbox();
    sandbox.setCredentials([{ apiKey: 'sandbox-api-key', accessToken: 'sandbox-access-token' }]);
    sandbox.reset();
  });
  afterAll(async () => sandbox?.close());

  it('answers 401 with an error body when the api_key is missing', async () => {
    // Act
    const result = await call(sandbox, '/library/info', { apiKey: null });

    // Assess
    expect(result.status).toBe(401);
    expect(result.json).toEqual([{ error_key: 'http.status.unauthorized', error_message: expect.any(String) }]);
  });

  it('answers 401 when the api_key is unknown', async () => {
    const result = await call(sandbox, '/library/info', { apiKey: 'someone-else' });

    expect(result.status).toBe(401);
  });

  it('answers 401 when the bearer token is wrong or absent', async () => {
    const wrong = await call(sandbox, '/library/info', { token: 'not-the-token' });
    const absent = await call(sandbox, '/library/info', { token: null });

    expect(wrong.status).toBe(401);
    expect(errorKeys(wrong)).toEqual(['http.status.unauthorized']);
    expect(absent.status).toBe(401);
  });

  it('answers 401 once the token is revoked mid-run, and 200 with the new pair', async () => {
    // Prepare
    expect((await call(sandbox, '/library/info')).status).toBe(200);

    // Act
    sandbox.setCredentials([{ apiKey: 'sandbox-api-key', accessToken: 'rotated-token' }]);
    const revoked = await call(sandbox, '/library/info');
    const rotated = await call(sandbox, '/library/info', { token: 'rotated-token' });

    // Assess
    expect(revoked.status).toBe(401);
    expect(rotated.status).toBe(200);
  });

  it('answers 406 when the Accept header does not allow JSON', async () => {
    const result = await call(sandbox, '/library/info', { headers: { accept: 'text/html' } });

    expect(result.status).toBe(406);
    expect(errorKeys(result)).toEqual(['http.status.not_acceptable']);
  });

  it('accepts */*, application/* and a missing Accept header', async () => {
    const any = await call(sandbox, '/library/info', { headers: { accept: '*/*' } });
    const family = await call(sandbox, '/library/info', { headers: { accept: 'text/html, application/*;q=0.5' } });

    expect(any.status).toBe(200);
    expect(family.status).toBe(200);
  });

  it('counts every request by operation and outcome, unauthorized ones included', async () => {
    await call(sandbox, '/library/info', { token: 'bad' });
    await call(sandbox, '/library/info');

    const counters = sandbox.counters();

    expect(counters.requests.getLibraryInfo).toEqual({ '200': 1, '401': 1 });
    expect(counters.totalRequests).toBe(2);
  });

  it('answers 404 with an error body for paths the API does not have', async () => {
    const result = await call(sandbox, '/library/nothing-here');

    expect(result.status).toBe(404);
    expect(errorKeys(result)).toEqual(['http.status.not_found']);
  });
});

describe('sandbox permission errors', () => {
  it('answers 403 http.status.forbidden (not a mashery key) for a pair without privileges', async () => {
    // Prepare
    const sandbox = await startTestSandbox({
      credentials: [{ apiKey: 'sandbox-api-key', accessToken: 'sandbox-access-token', forbidden: true }],
    });
    try {
      // Act
      const result = await call(sandbox, '/library/info');

      // Assess
      expect(result.status).toBe(403);
      expect(errorKeys(result)).toEqual(['http.status.forbidden']);
      expect(sandbox.counters().throttled).toEqual({ second: 0, day: 0 });
    } finally {
      await sandbox.close();
    }
  });
});
