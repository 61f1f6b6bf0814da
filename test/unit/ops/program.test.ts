/**
 * The tool's command line: help for the tool and every command, exit codes (0 done, 1 not found or
 * failed, 2 usage), `--json` printing one JSON document and nothing else, and redaction of whatever
 * is printed.
 */
import { EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runOps, type OpsIO } from '../../../infra/ops/program.ts';
import { render } from '../../../infra/ops/output.ts';
import { parseStatusQuery } from '../../../infra/ops/commands/status.ts';
import { formatSeconds, parseTime } from '../../../infra/ops/time.ts';
import { prodTarget } from './support.ts';

function captured(extra: Partial<OpsIO> = {}): OpsIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    ...extra,
  };
  return io;
}

const COMMAND_NAMES = ['status', 'list', 'retry', 'redrive', 'replay', 'quota', 'pause', 'resume', 'backfill'];

describe('ops command line', () => {
  it('lists every command in --help (exit 0)', async () => {
    const io = captured();
    expect(await runOps(['--help'], io)).toBe(0);
    for (const name of COMMAND_NAMES) expect(io.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(COMMANDS).toHaveLength(8);
  });

  it.each(COMMAND_NAMES)('has --help for %s', async (name) => {
    const io = captured();
    expect(await runOps([name, '--help'], io)).toBe(0);
    expect(io.out).toContain(`Usage: ops ${name}`);
  });

  it.each([
    [['status', 'x'], /--stage <name>.*or --local/],
    [['--stage', 'prod', '--local', 'quota'], /not both/],
    [['--local', 'list', '--since', 'yesterday'], /--since: "yesterday"/],
    [['--local', 'list', '--limit', '0'], /--limit must be a positive integer/],
    [['--local', 'redrive', 'everything'], /Allowed choices are ingest, status, publish/],
    [['--local', 'retry'], /Give the keys to retry/],
    [['--local', 'retry', '--status', 'Active'], /Only Failed, Rejected, TimedOut can be retried/],
    [['--local', 'bogus'], /unknown command/],
  ])('answers %j with a usage error (exit 2)', async (argv, message) => {
    const io = captured({ resolveTarget: () => Promise.reject(new Error('no target needed')) });
    expect(await runOps(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });

  it('prints exactly one JSON document with --json', async () => {
    // Arrange
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge.on(StartReplayCommand).resolves({ State: 'STARTING' });
    const io = captured({ resolveTarget: prodTarget });
    // Act
    const code = await runOps(['--stage', 'prod', '--json', 'replay', '--from', '2h', '--to', '1h'], io);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ method: 'archive-replay', state: 'STARTING' });
    expect(io.err).toBe('');
    eventBridge.restore();
  });

  it('says when no local pipeline runs (exit 1)', async () => {
    const io = captured();
    expect(await runOps(['--local', '--state-dir', '/nonexistent/state', 'quota'], io)).toBe(1);
    expect(io.err).toMatch(/No local pipeline found .* start one with `npm start`/);
  });

  it('redacts credentials from tables and JSON alike', () => {
    const data = { errorMessage: 'GET https://api.example.test/v2/library/files?api_key=k3y&limit=1', apiKey: 'k3y' };
    for (const json of [true, false]) {
      const out = render({ data, text: `reason: ${data.errorMessage}`, exitCode: 0 }, json);
      expect(out).not.toContain('k3y');
      expect(out).toContain('api_key=***');
    }
  });
});

describe('ops arguments', () => {
  it('reads durations back from now and ISO times', () => {
    const now = new Date('2026-03-02T10:00:00.000Z');
    expect(parseTime('24h', '--since', now).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(parseTime('90m', '--since', now).toISOString()).toBe('2026-03-02T08:30:00.000Z');
    expect(parseTime('2026-03-01', '--since', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(() => parseTime('soon', '--since', now)).toThrow(/--since/);
  });

  it('tells an S3 URL, a library file id and a key apart', () => {
    const defaults = { bucket: 'b' };
    expect(parseStatusQuery('s3://other/uploads/a b.png', defaults)).toEqual({
      kind: 'key',
      bucket: 'other',
      key: 'uploads/a b.png',
    });
    expect(parseStatusQuery('1873', defaults)).toEqual({ kind: 'file', libraryFileId: '1873' });
    expect(parseStatusQuery('uploads/1873.png', defaults)).toEqual({
      kind: 'key',
      bucket: 'b',
      key: 'uploads/1873.png',
    });
  });

  it('prints retention for people', () => {
    expect(formatSeconds(4 * 86_400)).toBe('4 days');
    expect(formatSeconds(86_400)).toBe('1 day');
    expect(formatSeconds(9000)).toBe('2 h 30 min');
  });
});
