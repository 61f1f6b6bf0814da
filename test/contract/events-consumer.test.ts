/**
 * The contract package from outside: a throwaway consumer package gets `library-upload-pipeline` as a
 * `file:` dependency (npm, offline: a link, nothing fetched), type-checks against
 * `library-upload-pipeline/events` with the project's TypeScript, and runs against events recorded from
 * a local pipeline run (one per detail-type) plus one foreign event.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./events-consumer/', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'events-consumer-'));
  cpSync(FIXTURE, dir, { recursive: true });
  // The consumer has no node_modules of its own but the link: Node's types come from the project's.
  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>;
  };
  tsconfig.compilerOptions['typeRoots'] = [join(ROOT, 'node_modules', '@types')];
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      '--cache',
      join(dir, '.npm-cache'),
      `library-upload-pipeline@file:${ROOT}`,
    ],
    { cwd: dir },
  );
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a consumer package of library-upload-pipeline/events', () => {
  it('gets the package as a link to this repository (nothing fetched)', () => {
    // Assess
    expect(realpathSync(join(dir, 'node_modules', 'library-upload-pipeline'))).toBe(realpathSync(ROOT));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['library-upload-pipeline']).toMatch(/^file:/);
  });

  it('type-checks against the subpath export, the types narrowing on detail-type', async () => {
    // Act
    const result = await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );

    // Assess (tsc prints nothing when the program is sound, including the expected error's presence)
    expect(result.stdout).toBe('');
  }, 60_000);

  it('runs against recorded events, acting on each detail-type and ignoring a foreign event', async () => {
    // Prepare
    const events = join(dir, 'recorded-events.jsonl');
    appendFileSync(events, `${JSON.stringify({ version: '0', source: 'aws.s3', 'detail-type': 'Object Created' })}\n`);

    // Act
    const { stdout } = await run(process.execPath, [join(dir, 'consumer.mts'), events], { cwd: dir });

    // Assess
    expect(stdout.trim().split('\n')).toEqual([
      'rejected uploads/Events/2026/notes.txt unsupported-type',
      'failed uploads/Events/2026/flyer.pdf VirusFound virus-found retry=no',
      expect.stringMatching(
        /^uploaded uploads\/Events\/2026\/poster\.png http:\/\/127\.0\.0\.1:\d+\/sandbox-files\/2\/poster\.png$/,
      ),
      'not a pipeline event',
    ]);
  });
});
