/**
 * The credentials provider on the wire: Powertools' SecretsProvider with a real Secrets Manager client
 * against the stand-in, which counts reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { startTestEnvironment } from '../../support/index.ts';
import type { TestEnvironment } from '../../support/index.ts';
import {
  MissingLibraryCredentialsError,
  createSecretsCredentialsProvider,
} from '../../../shared/secrets/library-credentials.ts';

let env: TestEnvironment;
let secretCounter = 0;

beforeAll(async () => {
  env = await startTestEnvironment({ secretsManager: true });
});

afterAll(() => env?.stop());

/** A fresh secret (so read counts are this test's own) and a provider reading it. */
function secretWith(value: string | Record<string, unknown>, options: { maxAgeSeconds?: number } = {}) {
  const secretId = `library-upload/it/credentials-${++secretCounter}`;
  env.secretsManager.setSecret(secretId, value);
  const credentials = createSecretsCredentialsProvider({
    secretId,
    secretsProvider: new SecretsProvider({ awsSdkV3Client: env.clients.secretsManager }),
    ...options,
  });
  return { secretId, credentials };
}

describe('Secrets Manager credentials provider', () => {
  it('reads the secret once and serves later calls from the cache', async () => {
    // Prepare
    const { secretId, credentials } = secretWith({ apiKey: 'key-1', accessToken: 'token-1' });

    // Act
    const first = await credentials();
    const second = await credentials();

    // Assess
    expect(first).toEqual({ apiKey: 'key-1', accessToken: 'token-1' });
    expect(second).toEqual(first);
    expect(env.secretsManager.readCount(secretId)).toBe(1);
  });

  it('shares one read between concurrent first calls', async () => {
    // Prepare
    const { secretId, credentials } = secretWith({ apiKey: 'key-1', accessToken: 'token-1' });

    // Act
    await Promise.all(Array.from({ length: 10 }, () => credentials()));

    // Assess
    expect(env.secretsManager.readCount(secretId)).toBe(1);
  });

  it('reads the rotated value at once when asked to force a refresh (after a 401)', async () => {
    // Prepare
    const { secretId, credentials } = secretWith({ apiKey: 'key-1', accessToken: 'old-token' });
    await credentials();
    env.secretsManager.setSecret(secretId, { apiKey: 'key-1', accessToken: 'new-token' });

    // Act
    const cached = await credentials();
    const refreshed = await credentials({ forceRefresh: true });
    const afterwards = await credentials();

    // Assess
    expect(cached.accessToken).toBe('old-token');
    expect(refreshed.accessToken).toBe('new-token');
    expect(afterwards.accessToken).toBe('new-token');
    expect(env.secretsManager.readCount(secretId)).toBe(2);
  });

  it('reads again once the cache is older than maxAgeSeconds', async () => {
    // Prepare: a zero max age means "never cache".
    const { secretId, credentials } = secretWith({ apiKey: 'key-1', accessToken: 'token-1' }, { maxAgeSeconds: 0 });

    // Act
    await credentials();
    await credentials();

    // Assess
    expect(env.secretsManager.readCount(secretId)).toBe(2);
  });

  it('refuses the placeholder the stack writes, and picks up the real value on the next call', async () => {
    // Prepare
    const { secretId, credentials } = secretWith({ apiKey: 'REPLACE_ME', accessToken: 'REPLACE_ME' });

    // Act
    const refused = await credentials().catch((error: unknown) => error);
    env.secretsManager.setSecret(secretId, { apiKey: 'key-2', accessToken: 'token-2' });
    const fixed = await credentials();

    // Assess
    expect(refused).toBeInstanceOf(MissingLibraryCredentialsError);
    expect((refused as MissingLibraryCredentialsError).reason).toBe('placeholder');
    expect(fixed).toEqual({ apiKey: 'key-2', accessToken: 'token-2' });
  });

  it('reports a secret that does not exist as MissingLibraryCredentialsError (not-found)', async () => {
    // Prepare
    const credentials = createSecretsCredentialsProvider({
      secretId: 'library-upload/it/never-created',
      secretsProvider: new SecretsProvider({ awsSdkV3Client: env.clients.secretsManager }),
    });

    // Act
    const error = await credentials().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MissingLibraryCredentialsError);
    expect((error as MissingLibraryCredentialsError).reason).toBe('not-found');
  });

  it('lets a Secrets Manager outage through as a retryable error, without the secret value', async () => {
    // Prepare
    const { credentials } = secretWith({ apiKey: 'key-1', accessToken: 'token-1' });
    env.secretsManager.failNextReads(10);

    // Act
    const error = await credentials().catch((e: unknown) => e);
    env.secretsManager.failNextReads(0);
    const recovered = await credentials();

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MissingLibraryCredentialsError);
    expect(recovered.apiKey).toBe('key-1');
  });
});
