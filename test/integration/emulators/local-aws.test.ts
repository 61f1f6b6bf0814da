import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startLocalAws, isPortListening, isProcessAlive } from '../../../infra/local/emulators/index.ts';

describe('startLocalAws (local mode)', () => {
  it('starts all four services, writes events to the JSONL file, and stops without leftovers', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'local-aws-'));
    const eventsFile = join(dir, '.local', 'events.jsonl');

    // Act
    const local = await startLocalAws({ eventBridge: { eventsFile } });
    const ports = [local.dynamodb.port, local.fauxqs.port, local.eventBridge.port, local.secretsManager.port];
    const pids = [local.dynamodb.pid, local.fauxqs.pid];
    try {
      const dynamodb = new DynamoDBClient(local.clientConfigs.dynamodb);
      const events = new EventBridgeClient(local.clientConfigs.eventbridge);
      await dynamodb.send(new ListTablesCommand({}));
      await events.send(
        new PutEventsCommand({
          Entries: [{ Source: 'local', DetailType: 'Check', Detail: '{"ok":true}', EventBusName: 'dev' }],
        }),
      );
      dynamodb.destroy();
      events.destroy();
      console.info('local AWS start-up times (ms):', local.startupMs);

      // Assess
      expect(local.endpoints.s3).toBe(local.endpoints.sqs);
      expect(Object.values(local.endpoints).filter((v) => v.startsWith('http://127.0.0.1:'))).toHaveLength(5);
      expect(local.env['AWS_ENDPOINT_URL_SECRETS_MANAGER']).toBe(local.endpoints.secretsmanager);
      expect(existsSync(eventsFile)).toBe(true);
      expect(JSON.parse(readFileSync(eventsFile, 'utf8').trim())).toMatchObject({
        source: 'local',
        detail: { ok: true },
      });
    } finally {
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    for (const port of ports) expect(await isPortListening(port)).toBe(false);
  });
});
