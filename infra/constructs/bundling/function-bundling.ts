/**
 * What esbuild leaves out of the pipeline functions' bundles, in one place: the stack's NodejsFunction
 * and the benchmark's bundler (test/bench/lib/bundle.ts) both read it, so the measured bundle is the
 * deployed one. Each entry removes code that a Lambda function never runs; docs/benchmarks.md (figure 5)
 * has the sizes.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Global constants esbuild substitutes. undici guards its experimental Milo HTTP/1 parser (two embedded
 * WebAssembly builds, used only with `UNDICI_USE_MILO=1`) behind `typeof esbuildDetection`, the switch
 * Node.js itself uses when it bundles undici: defining it drops the parser and keeps llhttp.
 */
export const BUNDLE_DEFINE: Readonly<Record<string, string>> = { esbuildDetection: 'true' };

/**
 * Packages replaced by a small module of ours:
 * - `mime-types` (and with it mime-db's 130 KiB table): form-data looks a type up only for a part given
 *   without one, and the client gives every part's content type.
 * - `@aws-sdk/credential-provider-node`: the default chain loads SSO, INI, process, web-identity and
 *   login providers (with three nested SDK clients); on Lambda the credentials are in the environment.
 */
export const BUNDLE_ALIAS: Readonly<Record<string, string>> = {
  'mime-types': join(HERE, 'mime-types-unused.ts'),
  '@aws-sdk/credential-provider-node': join(HERE, 'lambda-credentials.ts'),
};

/**
 * Files left out and loaded from disk if ever required (they are not in the asset, so such a require
 * fails): undici's llhttp build without WebAssembly SIMD, its fallback for CPUs without SIMD (ppc64,
 * riscv64) or `UNDICI_NO_WASM_SIMD=1`. Lambda's arm64 and x86_64 runtimes have SIMD. The pattern
 * matches the resolved path: the file name is undici's alone.
 */
export const BUNDLE_EXTERNAL: readonly string[] = ['*/llhttp-wasm.js'];

/** The same settings as esbuild command-line arguments, for NodejsFunction's `esbuildArgs`. */
export function aliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE_ALIAS).map(([name, path]) => [`--alias:${name}`, path]));
}
