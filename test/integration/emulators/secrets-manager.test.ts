import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
} from '../../../infra/local/standins/secrets-manager.ts';
import { ENDPOINT_ENV_VARS, localClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { isPortListening } from '../../../infra/local/emulators/processes.ts';

const SECRET_ID = 'library-pipeline/dev/library-credentials';

describe('Secrets Manager stand-in', () => {
  let standIn: SecretsManagerStandIn;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    standIn = await startSecretsManagerStandIn({
      secrets: { [SECRET_ID]: { apiKey: 'key-1', accessToken: 'token-1' } },
    });
    client = new SecretsManagerClient(localClientConfig(standIn.endpoint));
  });

  afterAll(async () => {
    client?.destroy();
    await standIn?.stop();
  });

  it('answers GetSecretValue by name and by ARN, and counts the reads', async () => {
    // Act
    const before = standIn.readCount(SECRET_ID);
    const byName = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN }));

    // Assess
    expect(standIn.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(byName.SecretString!)).toEqual({ apiKey: 'key-1', accessToken: 'token-1' });
    expect(byName.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${SECRET_ID}-[a-f0-9]{6}$`),
    );
    expect(byName.Name).toBe(SECRET_ID);
    expect(byName.VersionStages).toEqual(['AWSCURRENT']);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    expect(byArn.SecretString).toBe(byName.SecretString);
    expect(standIn.readCount(SECRET_ID) - before).toBe(2);
  });

  it('answers ResourceNotFoundException (400) for an unknown secret', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rotates with PutSecretValue: the new value is AWSCURRENT, the old one AWSPREVIOUS', async () => {
    // Prepare
    await client.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1' }));

    // Act
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2' }));
    const current = await client.send(new GetSecretValueCommand({ SecretId: 'rotating' }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'rotating' }));

    // Assess
    expect(current.SecretString).toBe('v2');
    expect(current.VersionId).toBe(put.VersionId);
    expect(previous.SecretString).toBe('v1');
    expect(
      Object.values(described.VersionIdsToStages ?? {})
        .flat()
        .sort(),
    ).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(standIn.currentValue('rotating')).toBe('v2');
  });

  it('PutSecretValue on an unknown secret and CreateSecret on an existing one fail like AWS', async () => {
    await expect(
      client.send(new PutSecretValueCommand({ SecretId: 'missing', SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(client.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: 'x' }))).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
  });

  it('answers unknown operations with UnknownOperationException', async () => {
    const response = await fetch(standIn.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.RotateSecret' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('can fail the next reads, for tests of what a caller does when Secrets Manager is down', async () => {
    standIn.failNextReads(1, { statusCode: 400, code: 'AccessDeniedException', message: 'no' });
    await expect(client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const after = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    expect(after.SecretString).toBeDefined();
  });

  it("works with Powertools' SecretsProvider: cached within maxAge, re-read with forceFetch (e.g. after a 401)", async () => {
    // Prepare
    standIn.setSecret('powertools', { apiKey: 'k1', accessToken: 'old' });
    const provider = new SecretsProvider({ clientConfig: localClientConfig(standIn.endpoint) });
    const reads = (): number => standIn.readCount('powertools');

    // Act
    const first = await provider.get('powertools', { maxAge: 300, transform: 'json' });
    const cached = await provider.get('powertools', { maxAge: 300, transform: 'json' });
    const readsWhileCached = reads();
    standIn.setSecret('powertools', { apiKey: 'k1', accessToken: 'rotated' });
    const stillCached = await provider.get('powertools', { maxAge: 300, transform: 'json' });
    const refreshed = await provider.get('powertools', { maxAge: 300, transform: 'json', forceFetch: true });

    // Assess
    expect(first).toEqual({ apiKey: 'k1', accessToken: 'old' });
    expect(cached).toEqual(first);
    expect(readsWhileCached).toBe(1);
    expect(stillCached).toEqual(first);
    expect(refreshed).toEqual({ apiKey: 'k1', accessToken: 'rotated' });
    expect(reads()).toBe(2);
  });

  it("works with Powertools' getSecret() and no client config, through AWS_ENDPOINT_URL_SECRETS_MANAGER", async () => {
    // Prepare: the default provider is created on first use and reads the environment then.
    Object.assign(process.env, {
      [ENDPOINT_ENV_VARS.secretsmanager]: standIn.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    standIn.setSecret('from-env', 'plain text');

    // Act
    const value = await getSecret('from-env', { maxAge: 60 });
    const again = await getSecret('from-env', { maxAge: 60 });

    // Assess
    expect(value).toBe('plain text');
    expect(again).toBe('plain text');
    expect(standIn.readCount('from-env')).toBe(1);
  });

  it('leaves no listening port after stop', async () => {
    const second = await startSecretsManagerStandIn();
    await second.stop();
    expect(await isPortListening(second.port)).toBe(false);
  });
});
