/**
 * The one place bundling runs for real (the other infra tests skip it): esbuild from node_modules, no
 * Docker, producing a minified ES module with a source map, the AWS SDK inside and a `require` for
 * CommonJS dependencies. The probe bundle is then run in plain Node, as Lambda would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../infra/config/index.ts';
import { ESM_REQUIRE_BANNER, PipelineFunction } from '../../infra/constructs/pipeline-function.ts';
import { PROJECT_ROOT } from '../../infra/stacks/pipeline-app.ts';
import { pipelineFunctions, synthesize } from './support.ts';

const outdirs: string[] = [];
const newOutdir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'library-upload-bundling-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The directory CDK staged a function's code in: `asset.<hash>` beside the template. */
function assetDir(outdir: string, fn: { Properties?: Record<string, unknown> }): string {
  const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('local bundling', () => {
  it('bundles the three pipeline functions into ES modules with source maps', () => {
    // Act
    const outdir = newOutdir();
    const { json } = synthesize(STAGES.dev, { bundle: true, outdir });

    // Assess
    for (const [name, [, fn]] of Object.entries(pipelineFunctions(json))) {
      const dir = assetDir(outdir, fn);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
      expect(code, name).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code, name).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(join(dir, 'index.mjs.map')), name).toBe(true);
      expect(fn.Properties?.Handler).toBe('index.handler');
      // What function-bundling.ts leaves out: mime-db's table, the SSO/INI credential chain, Milo.
      expect(code.length, name).toBeLessThanOrEqual(1024 * 1024);
      expect(code, name).not.toContain('application/1d-interleaved-parityfec');
      expect(code, name).not.toContain('credential-provider-ini');
      expect(code, name).not.toContain('UNDICI_USE_MILO');
    }
  });

  it('bundles the AWS SDK and CommonJS dependencies into a module that runs in plain Node', () => {
    // Prepare
    const outdir = newOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleProbe');
    const probe = new PipelineFunction(stack, 'Probe', {
      projectRoot: PROJECT_ROOT,
      entry: 'test/infra/fixtures/bundle-probe.ts',
      functionName: 'bundle-probe',
      description: 'bundling probe',
      settings: { memoryMb: 128, timeoutSeconds: 3, reservedConcurrency: undefined },
      environment: {},
      logRetention: RetentionDays.ONE_DAY,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });

    // Act
    app.synth();
    const [, fn] = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] ?? [];
    const bundle = join(assetDir(outdir, fn as { Properties?: Record<string, unknown> }), 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    const result = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(JSON.stringify(await m.handler()));`,
      ],
      {
        encoding: 'utf8',
        cwd: tmpdir(),
        env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIAPROBE', AWS_SECRET_ACCESS_KEY: 'probe-secret' },
      },
    );

    // Assess
    expect(probe.function.runtime.name).toBe('nodejs24.x');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/from\s*["']form-data["']/);
    expect(JSON.parse(result)).toEqual({
      sdk: 'function',
      multipart: true,
      accessKeyId: 'AKIAPROBE',
      fileContentType: true,
    });
  });
});
