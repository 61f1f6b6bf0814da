/**
 * `npm run synth [-- [--settings <file>] <stage>...]`: runs `cdk synth` for every stage (or the ones
 * named), each into its own cloud assembly `cdk.out/<stage>/`, and fails if any of them fails.
 * Synthesis includes bundling with the local esbuild and the cdk-nag checks, so a green run means every
 * stage could be deployed. Adopter settings come from `--settings <file>` or `stage-settings.json`
 * (docs/deploy.md); a stage whose alarm recipients nobody gave is checked without a subscription
 * (`-c alarmRecipients=none`, said in the output), since `cdk deploy` will ask for them anyway.
 *
 * Offline by construction: CLI telemetry, notices and the version check are off, and the AWS SDK is
 * kept from probing the EC2 instance metadata service for credentials (which also slows synth down).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  STAGE_NAMES,
  deploymentProblems,
  getStageConfig,
  isStageName,
  resolveSettings,
  StageConfigError,
  StageSettingsError,
  type StageName,
} from '../config/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cdk = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'cdk.cmd' : 'cdk');

interface Result {
  stage: string;
  ok: boolean;
  seconds: number;
  output: string;
}

/** The context values for one stage's synthesis, and a note when a required setting had to be filled. */
function contextFor(stage: StageName, settingsFile: string | undefined): { args: string[]; note?: string } {
  const args = ['--context', `stage=${stage}`];
  if (settingsFile !== undefined) args.push('--context', `settingsFile=${settingsFile}`);
  const given = (key: string): unknown => (key === 'settingsFile' ? settingsFile : undefined);
  const config = getStageConfig(stage, resolveSettings(stage, given, root));
  if (deploymentProblems(config).length === 0) return { args };
  args.push('--context', 'alarmRecipients=none');
  return { args, note: 'no alarm recipients given: checked without a subscription (a deploy needs them)' };
}

function synth(stage: StageName, settingsFile: string | undefined): Promise<Result> {
  const started = performance.now();
  const outdir = join('cdk.out', stage);
  // A fresh assembly each time: stale asset directories from earlier runs would otherwise pile up.
  rmSync(join(root, outdir), { recursive: true, force: true });
  const context = contextFor(stage, settingsFile);
  if (context.note) console.log(`  ${stage}: ${context.note}`);
  const args = ['synth', ...context.args, '--output', outdir, '--no-notices', '--quiet', '--strict'];
  return new Promise((resolve) => {
    const child = spawn(cdk, args, {
      cwd: root,
      env: {
        ...process.env,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = (ok: boolean, extra = ''): void =>
      resolve({ stage, ok, seconds: (performance.now() - started) / 1000, output: output + extra });
    child.on('error', (error) => done(false, `\n${error.message}`));
    child.on('close', (code) => {
      const template = join(root, outdir, `LibraryUpload-${stage}.template.json`);
      if (code !== 0) done(false, `\ncdk synth exited with ${code}`);
      else if (!existsSync(template)) done(false, `\nno template at ${template}`);
      else done(true);
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--settings');
  const settingsFile = at === -1 ? undefined : argv[at + 1];
  const requested = at === -1 ? argv : argv.filter((_, i) => i !== at && i !== at + 1);
  const unknown = requested.filter((s) => !isStageName(s));
  if (unknown.length > 0) {
    console.error(`Unknown stage(s): ${unknown.join(', ')}. Known stages: ${STAGE_NAMES.join(', ')}.`);
    process.exit(2);
  }
  const stages = requested.length > 0 ? requested.filter(isStageName) : [...STAGE_NAMES];
  // A broken settings file is a usage error: say so once, before any synthesis starts.
  try {
    for (const stage of stages) contextFor(stage, settingsFile);
  } catch (error) {
    if (!(error instanceof StageConfigError || error instanceof StageSettingsError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const started = performance.now();

  // Stages are independent (separate output directories), so run as many at once as there are cores.
  const queue = [...stages];
  const results: Result[] = [];
  const worker = async (): Promise<void> => {
    for (let stage = queue.shift(); stage !== undefined; stage = queue.shift()) {
      const result = await synth(stage, settingsFile);
      results.push(result);
      const lines = result.output
        .trim()
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('npm warn'));
      console.log(`${result.ok ? '✓' : '✗'} ${stage} (${result.seconds.toFixed(1)} s) → cdk.out/${stage}`);
      if (!result.ok || process.env.SYNTH_VERBOSE) for (const line of lines) console.log(`  ${stage} | ${line}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(stages.length, availableParallelism())) }, worker));

  const failed = results.filter((r) => !r.ok).map((r) => r.stage);
  const total = ((performance.now() - started) / 1000).toFixed(1);
  if (failed.length > 0) {
    console.error(`synth failed for: ${failed.join(', ')} (${total} s)`);
    process.exit(1);
  }
  console.log(`synthesized ${stages.join(', ')} in ${total} s`);
}

await main();
