/**
 * esbuild with the options the stack's NodejsFunction uses (infra/constructs/pipeline-function.ts):
 * ESM, minified, external source maps without sources content, platform node, target node24,
 * `module` before `main`, the `require` banner, AWS SDK v3 bundled, the stack's define, alias and
 * external lists (infra/constructs/bundling/function-bundling.ts), the project's tsconfig. The architecture (arm64) does not change the bundle.
 */
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_ALIAS, BUNDLE_DEFINE, BUNDLE_EXTERNAL } from '../../../infra/constructs/bundling/function-bundling.ts';
import { ESM_REQUIRE_BANNER } from '../../../infra/constructs/pipeline-function.ts';
import { PROJECT_ROOT } from './child.ts';

export interface BundleResult {
  outfile: string;
  bytes: number;
  mapBytes: number;
  /** Bytes in the bundle per npm package (or project folder), largest first. */
  composition: Array<{ source: string; bytes: number }>;
}

/** `node_modules/@aws-sdk/client-s3/...` → `@aws-sdk/client-s3`; `shared/library/x.ts` → `shared/library`. */
function sourceOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path.split('/').slice(0, 2).join('/');
}

export async function bundleLikeTheStack(entry: string, outfile: string): Promise<BundleResult> {
  const result = await build({
    metafile: true,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // CDK passes `--sourcemap`: a linked external map (the bundle ends with a sourceMappingURL comment).
    sourcemap: true,
    sourcesContent: false,
    external: [...BUNDLE_EXTERNAL],
    define: { ...BUNDLE_DEFINE },
    alias: { ...BUNDLE_ALIAS },
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    logLevel: 'error',
    absWorkingDir: PROJECT_ROOT,
  });
  const bySource = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs))
      bySource.set(sourceOf(path), (bySource.get(sourceOf(path)) ?? 0) + input.bytesInOutput);
  }
  const composition = [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { outfile, bytes: statSync(outfile).size, mapBytes: statSync(`${outfile}.map`).size, composition };
}
