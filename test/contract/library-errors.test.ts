/**
 * Every error class from the real sandbox over HTTP: what the API answers (400, 401, 403 throttles,
 * 404, 5xx) and what the network does (hang → timeout, resets before/after the body, refused
 * connection), with `mayHaveReachedServer` checked against what the sandbox actually stored.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { DEFAULT_FAULTS } from '../../infra/local/sandbox/index.ts';
import {
  LibraryForbiddenError,
  LibraryNetworkError,
  LibraryNotFoundError,
  LibraryServerError,
  LibraryThrottledError,
  LibraryTimeoutError,
  LibraryUnauthorizedError,
  LibraryValidationError,
} from '../../shared/library/index.ts';
import { clientFor, everythingPrinted, failureOf, pngLike, startContractSandbox, uploadOf } from './support.ts';
import type { ClientHarness } from './support.ts';

let sandbox: Sandbox;
let harness: ClientHarness;

beforeAll(async () => {
  sandbox = await startContractSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.setFaults({ ...DEFAULT_FAULTS, endpoints: undefined });
  sandbox.setLimits({ perSecond: 10_000, perDay: 1_000_000 });
  sandbox.setCredentials([sandbox.credentials]);
  sandbox.reset();
  harness = clientFor(sandbox, { timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 } });
});
afterEach(async () => {
  await harness.client.close();
});

/** No error may print the credentials, whatever happened. */
function expectNoSecrets(error: Error): void {
  const text = everythingPrinted(error);
  expect(text).not.toContain(sandbox.credentials.apiKey);
  expect(text).not.toContain(sandbox.credentials.accessToken);
}

describe('400', () => {
  it('surfaces the API entries of a refused upload as LibraryValidationError', async () => {
    // Act
    const error = await failureOf(harness.client.uploadFile(uploadOf(pngLike(), { folderId: '-777' })));
    // Assess
    expect(error).toBeInstanceOf(LibraryValidationError);
    const validation = error as LibraryValidationError;
    expect(validation.status).toBe(400);
    expect(validation.errorKey).toBe('json.field.invalid');
    expect(validation.apiErrors[0]?.errorMessage).toContain('-777');
    expect(sandbox.files()).toHaveLength(0);
    expectNoSecrets(error);
  });

  it('surfaces a refused folder (duplicate name) as LibraryValidationError', async () => {
    // Act
    const error = await failureOf(harness.client.createFolder('Images'));
    // Assess
    expect(error).toBeInstanceOf(LibraryValidationError);
    expect((error as LibraryValidationError).errorKey).toBe('folder.name.duplicate');
  });
});

describe('401', () => {
  it('refreshes the credentials once and succeeds when the secret was rotated', async () => {
    // Prepare
    const rotated = { apiKey: 'rotated-key-31f0', accessToken: 'rotated-token-77aa' };
    sandbox.setCredentials([rotated]);
    const refreshing = clientFor(sandbox, {}, (options) => (options?.forceRefresh ? rotated : sandbox.credentials));
    // Act
    const info = await refreshing.client.getLibraryInfo();
    await refreshing.client.close();
    // Assess
    expect(info.maxUploadSizeLimit).toBeGreaterThan(0);
    expect(refreshing.providerCalls).toEqual([undefined, { forceRefresh: true }]);
    expect(refreshing.reports.map((r) => r.status)).toEqual([401, 200]);
  });

  it('rejects with LibraryUnauthorizedError when the token stays revoked', async () => {
    // Prepare
    sandbox.setCredentials([{ apiKey: sandbox.credentials.apiKey, accessToken: 'another-token' }]);
    // Act
    const error = await failureOf(harness.client.listFolders());
    // Assess
    expect(error).toBeInstanceOf(LibraryUnauthorizedError);
    expect((error as LibraryUnauthorizedError).retryable).toBe(true);
    expect(harness.providerCalls).toEqual([undefined, { forceRefresh: true }]);
    expect(sandbox.counters().requests.listFolders).toEqual({ '401': 2 });
    expectNoSecrets(error);
  });

  it('does not replay an upload: one request, credentials refreshed, nothing stored', async () => {
    // Prepare
    sandbox.setCredentials([{ apiKey: 'other-key', accessToken: 'other-token' }]);
    // Act
    const error = await failureOf(harness.client.uploadFile(uploadOf(pngLike())));
    // Assess
    expect(error).toBeInstanceOf(LibraryUnauthorizedError);
    expect(sandbox.counters().requests.uploadFile).toEqual({ '401': 1 });
    expect(harness.providerCalls).toEqual([undefined, { forceRefresh: true }]);
    expect(sandbox.files()).toHaveLength(0);
  });
});

describe('403 throttling', () => {
  it('maps over.qps to LibraryThrottledError with scope second', async () => {
    // Prepare: the sandbox clock is frozen, so the one-second window never moves on.
    sandbox.setLimits({ perSecond: 1 });
    await harness.client.getLibraryInfo();
    // Act
    const error = await failureOf(harness.client.getLibraryInfo());
    // Assess
    expect(error).toBeInstanceOf(LibraryThrottledError);
    expect((error as LibraryThrottledError).scope).toBe('second');
    expect((error as LibraryThrottledError).status).toBe(403);
    expect((error as LibraryThrottledError).retryable).toBe(true);
    expect(sandbox.counters().throttled.second).toBe(1);
  });

  it('maps over.ratelimit to LibraryThrottledError with scope day', async () => {
    // Prepare
    sandbox.setLimits({ perDay: 1 });
    await harness.client.getLibraryInfo();
    // Act
    const error = await failureOf(harness.client.uploadFile(uploadOf(pngLike())));
    // Assess
    expect(error).toBeInstanceOf(LibraryThrottledError);
    expect((error as LibraryThrottledError).scope).toBe('day');
    expect(sandbox.files()).toHaveLength(0);
  });

  it('maps a 403 that is not a throttle to LibraryForbiddenError, which is not retryable', async () => {
    // Prepare: a key the sandbox knows but whose account lacks the MyLibrary privileges.
    sandbox.setCredentials([{ ...sandbox.credentials, forbidden: true }]);
    // Act
    const error = await failureOf(harness.client.getLibraryInfo());
    // Assess
    expect(error).toBeInstanceOf(LibraryForbiddenError);
    expect((error as LibraryForbiddenError).status).toBe(403);
    expect((error as LibraryForbiddenError).retryable).toBe(false);
    expect(sandbox.counters().throttled.second).toBe(0);
    expectNoSecrets(error);
  });
});

describe('404', () => {
  it('maps an unknown file to LibraryNotFoundError', async () => {
    const error = await failureOf(harness.client.getFile('31337'));
    expect(error).toBeInstanceOf(LibraryNotFoundError);
    expect((error as LibraryNotFoundError).retryable).toBe(false);
  });

  it('maps deleting an unknown file to LibraryNotFoundError', async () => {
    await expect(harness.client.deleteFile('31337')).rejects.toBeInstanceOf(LibraryNotFoundError);
  });
});

describe('5xx', () => {
  it('maps injected 500 and 503 answers to LibraryServerError', async () => {
    // Prepare
    sandbox.setFaults({ serverErrorRate: 1, seed: 7 });
    // Act
    const errors = [];
    for (let i = 0; i < 6; i++) errors.push(await failureOf(harness.client.getLibraryInfo()));
    // Assess
    expect(errors.every((e) => e instanceof LibraryServerError)).toBe(true);
    const statuses = new Set(errors.map((e) => (e as LibraryServerError).status));
    expect([...statuses].every((s) => s === 500 || s === 503)).toBe(true);
    expect(errors.every((e) => (e as LibraryServerError).retryable)).toBe(true);
  });

  it('maps an upload answered 5xx to LibraryServerError, nothing stored', async () => {
    // Prepare
    sandbox.setFaults({ serverErrorRate: 1, endpoints: ['uploadFile'] });
    // Act
    const error = await failureOf(harness.client.uploadFile(uploadOf(pngLike())));
    // Assess
    expect(error).toBeInstanceOf(LibraryServerError);
    expect(sandbox.files()).toHaveLength(0);
  });
});

describe('no answer', () => {
  it('gives a LibraryTimeoutError when the sandbox hangs, saying the request may have been acted on', async () => {
    // Prepare
    sandbox.setFaults({ hangRate: 1 });
    const impatient = clientFor(sandbox, { timeouts: { headersMs: 300 } });
    // Act
    const error = await failureOf(impatient.client.uploadFile(uploadOf(pngLike(200_000))));
    await impatient.client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryTimeoutError);
    expect((error as LibraryTimeoutError).mayHaveReachedServer).toBe(true);
    expect((error as LibraryTimeoutError).retryable).toBe(true);
    expect(impatient.reports[0]?.error).toContain('timeout');
    expectNoSecrets(error);
  });

  it('gives a LibraryTimeoutError for a hung read', async () => {
    // Prepare
    sandbox.setFaults({ hangRate: 1 });
    const impatient = clientFor(sandbox, { timeouts: { headersMs: 300 } });
    // Act
    const error = await failureOf(impatient.client.getUploadStatus(['1']));
    await impatient.client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryTimeoutError);
  });
});

describe('connection resets', () => {
  it('reset before the body: LibraryNetworkError, may have reached the server, nothing stored', async () => {
    // Prepare
    sandbox.setFaults({ resetBeforeBodyRate: 1, endpoints: ['uploadFile'] });
    // Act
    const error = await failureOf(harness.client.uploadFile(uploadOf(pngLike(300_000))));
    // Assess
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect((error as LibraryNetworkError).mayHaveReachedServer).toBe(true);
    expect((error as LibraryNetworkError).retryable).toBe(true);
    expect(sandbox.counters().faults.resetBeforeBody).toBe(1);
    expect(sandbox.files()).toHaveLength(0);
    expectNoSecrets(error);
  });

  it('reset after the body: LibraryNetworkError, may have reached the server, and it was stored', async () => {
    // Prepare
    sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['uploadFile'] });
    // Act
    const error = await failureOf(
      harness.client.uploadFile(uploadOf(pngLike(300_000), { fileName: 'lost-answer.png' })),
    );
    // Assess
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect((error as LibraryNetworkError).mayHaveReachedServer).toBe(true);
    expect(sandbox.files().map((f) => f.name)).toEqual(['lost-answer.png']);
  });

  it('the pool recovers: the next request after a reset succeeds on a new connection', async () => {
    // Prepare
    sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['getLibraryInfo'] });
    await failureOf(harness.client.getLibraryInfo());
    sandbox.setFaults({ resetAfterBodyRate: 0 });
    // Act
    const info = await harness.client.getLibraryInfo();
    // Assess
    expect(info.maxUploadSizeLimit).toBeGreaterThan(0);
  });
});

describe('refused connection', () => {
  it('gives a LibraryNetworkError that cannot have reached the server', async () => {
    // Prepare
    const gone = await startContractSandbox();
    const orphan = clientFor(gone);
    await gone.close();
    // Act
    const error = await failureOf(orphan.client.uploadFile(uploadOf(pngLike())));
    await orphan.client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect((error as LibraryNetworkError).mayHaveReachedServer).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');
    expect(orphan.reports[0]?.status).toBeUndefined();
    expectNoSecrets(error);
  });
});
