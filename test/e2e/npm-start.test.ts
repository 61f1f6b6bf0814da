/**
 * `npm start` as a user runs it: a child process (`node --import tsx infra/local/start.ts`, what the npm
 * script's `tsx` runs), its banner, a file dropped into the drop folder reaching events.jsonl, Ctrl-C
 * (SIGINT) ending it with exit code 0, and none of the ports it printed still listening. A second start
 * works the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortListening } from '../../infra/local/emulators/processes.ts';
import { waitFor } from '../support/index.ts';
import { pngBytes } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startLocalMode(stateDir: string, dropDir: string, extraEnv: NodeJS.ProcessEnv = {}): Run {
  return runScript(['infra/local/start.ts', '--fast', '--state', stateDir, '--drop', dropDir], extraEnv);
}

function runScript(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  // Never the user's real account in a test.
  delete env['LIBRARY_BASE_URL'];
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function runOnce(label: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `npm-start-${label}-`));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const dropDir = join(dir, 'drop');
  await mkdir(dropDir, { recursive: true });
  const t0 = Date.now();
  const run = startLocalMode(stateDir, dropDir);

  // The banner
  await waitFor(() => run.output().includes('Ctrl-C stops everything.') || run.child.exitCode !== null, {
    what: 'the banner',
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  expect(run.child.exitCode, run.output()).toBeNull();
  const bannerMs = Date.now() - t0;
  const ports = [...new Set([...run.output().matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];
  expect(ports.length, run.output()).toBeGreaterThanOrEqual(4);
  for (const port of ports) expect(await isPortListening(port), `port ${port} while running`).toBe(true);
  expect(run.output()).toContain(`cp photo.png ${dropDir}/`);
  expect(run.output()).toMatch(
    /aws --endpoint-url http:\/\/127\.0\.0\.1:\d+ s3 cp photo\.png s3:\/\/library-upload-dev-uploads\/uploads\/photo\.png/,
  );
  expect(run.output()).not.toContain('sandbox-access-token');
  expect(run.output()).toContain('State:            in memory, fresh at each start');

  // A second start on the same state directory is refused before it starts anything, naming this one
  const second = startLocalMode(stateDir, join(dir, 'other-drop'));
  const refused = await second.exited;
  expect(refused.code, second.output()).toBe(1);
  expect(second.output()).toContain(`already running on ${stateDir} (PID ${run.child.pid}`);
  expect(second.output()).toMatch(/Its endpoints: s3 http:\/\/127\.0\.0\.1:\d+/);
  expect(second.output()).not.toContain('Starting DynamoDB Local');

  // A dropped file reaches events.jsonl
  const t1 = Date.now();
  await writeFile(join(dropDir, 'photo.png'), pngBytes());
  const eventsFile = join(stateDir, 'events.jsonl');
  const line = await waitFor(
    async () => {
      const text = await readFile(eventsFile, 'utf8').catch(() => '');
      return text.split('\n').find((l) => l.includes('"uploads/photo.png"'));
    },
    { what: 'the event in events.jsonl', timeoutMs: 40_000, intervalMs: 200 },
  );
  const dropMs = Date.now() - t1;
  expect(JSON.parse(line)).toMatchObject({ 'detail-type': 'Library File Uploaded', detail: { status: 'Active' } });
  await waitFor(() => run.output().includes('✔ Active     uploads/photo.png'), {
    what: 'the event line',
    timeoutMs: 5_000,
  });
  console.info(`[figures] npm start (${label}): banner after ${bannerMs} ms, drop → event ${dropMs} ms`);

  // Ctrl-C
  run.child.kill('SIGINT');
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit after SIGINT:\n${run.output()}`)), 20_000),
    ),
  ]);
  expect(exit, run.output()).toEqual({ code: 0, signal: null });
  expect(run.output()).toContain('Nothing left running.');
  for (const port of ports) expect(await isPortListening(port), `port ${port} after exit`).toBe(false);
}

describe('npm start (child process)', () => {
  it('refuses LIBRARY_BASE_URL without credentials before starting anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npm-start-creds-'));
    dirs.push(dir);
    const run = startLocalMode(join(dir, 'state'), join(dir, 'drop'), {
      LIBRARY_BASE_URL: 'https://api.example.test/v2',
    });
    const exit = await run.exited;
    expect(exit.code, run.output()).toBe(2);
    expect(run.output()).toContain('LIBRARY_API_KEY and LIBRARY_ACCESS_TOKEN are not set');
    expect(run.output()).not.toContain('Starting DynamoDB Local');
  });

  it('prints --help for npm start and for the sandbox CLI, without a stack trace', async () => {
    const start = runScript(['infra/local/start.ts', '--help']);
    const sandbox = runScript(['infra/local/sandbox/cli.ts', '--help']);
    const bogus = runScript(['infra/local/sandbox/cli.ts', '--bogus']);
    expect((await start.exited).code).toBe(0);
    expect(start.output()).toContain('npm start -- [options]');
    expect((await sandbox.exited).code).toBe(0);
    expect(sandbox.output()).toContain('--per-second <n>');
    expect((await bogus.exited).code).toBe(2);
    expect(bogus.output()).toContain("Unknown option '--bogus'");
    expect(bogus.output()).not.toMatch(/\n\s+at /);
  });

  it('starts, uploads a dropped file, and stops cleanly on SIGINT; a second start works too', async () => {
    await runOnce('first');
    await runOnce('second');
  }, 150_000);
});
