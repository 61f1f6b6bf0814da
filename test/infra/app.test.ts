/**
 * The CDK entry point as the CLI runs it: a child process with the context in CDK_CONTEXT_JSON and the
 * output directory in CDK_OUTDIR (what `cdk synth -c stage=...` sets up).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/stacks/pipeline-app.ts';
import { cdkJsonContext } from './support.ts';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function runApp(context: Record<string, unknown>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'library-upload-app-'));
  outdirs.push(outdir);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'infra', 'app.ts')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('infra/app.ts', () => {
  it('fails on an unknown stage, listing the known ones', () => {
    const { status, stderr } = runApp({ ...cdkJsonContext(), stage: 'qa' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('Unknown stage "qa". Known stages: dev, staging, prod.');
  });

  it('fails without a stage, saying how to give one', () => {
    const { status, stderr } = runApp(cdkJsonContext());
    expect(status).not.toBe(0);
    expect(stderr).toContain('No stage given. Pass one with -c stage=<name>');
  });

  it('fails without the alarm recipients staging needs, naming the setting', () => {
    const { status, stderr } = runApp({ ...cdkJsonContext(), stage: 'staging', 'aws:cdk:bundling-stacks': [] });
    expect(status).toBe(1);
    expect(stderr).toContain('observability.alarmRecipients is required for stage "staging"');
  });

  it('fails on an unknown key in the settings file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'library-upload-app-settings-'));
    outdirs.push(dir);
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ staging: { alarmRecipients: ['oncall@team.test'], alarmEmail: 'x' } }));
    const { status, stderr } = runApp({ ...cdkJsonContext(), stage: 'staging', settingsFile: file });
    expect(status).toBe(1);
    expect(stderr).toMatch(/settings\.json is invalid:[\s\S]*alarmEmail/);
  });

  it('synthesizes a known stage with its settings given as context values, nag checks included', () => {
    const { status, stderr, outdir } = runApp({
      ...cdkJsonContext(),
      stage: 'staging',
      alarmRecipients: 'oncall@team.test',
      'aws:cdk:bundling-stacks': [],
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, unknown>;
    };
    expect(Object.keys(manifest.artifacts)).toContain('LibraryUpload-staging');
    expect(existsSync(join(outdir, 'LibraryUpload-staging.template.json'))).toBe(true);
  });
});
