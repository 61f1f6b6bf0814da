/**
 * Figure 5, cold start: each function's bundle (esbuild with the stack's NodejsFunction options) and
 * the time a fresh Node.js process takes to load it, beside an empty handler bundled and loaded the
 * same way. Target: each bundle ≤ 1 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FUNCTION_ENTRIES } from '../../../infra/stacks/upload-pipeline-stack.ts';
import { bundleLikeTheStack, type BundleResult } from '../lib/bundle.ts';
import { PROJECT_ROOT } from '../lib/child.ts';
import { fixed, markdownTable, median } from '../lib/stats.ts';
import type { Figure } from '../lib/types.ts';

const TARGET_BYTES = 1024 * 1024;

interface LoadTiming {
  /** Spawn to exit, as the parent sees it. */
  processMs: number;
  /** `await import(bundle)` inside the process. */
  importMs: number;
}

/** `node --input-type=module -e "await import(bundle)"`, timed from outside and inside. */
function loadOnce(bundle: string): Promise<LoadTiming> {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(bundle).href)});process.stdout.write(String(performance.now()-t));`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Environment as a deployed function would have it, minus anything that would reach out.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      if (code !== 0) reject(new Error(`loading ${bundle} failed (${code}): ${stderr.slice(-1000)}`));
      else resolve({ processMs, importMs: Number(stdout) });
    });
  });
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KiB`;
}

/** The three largest contributors of a bundle, in words. */
function topThree(b: { name: string; bundle: BundleResult }): string {
  return `in ${b.name} the largest contributors are ${b.bundle.composition
    .slice(0, 3)
    .map((c) => `${c.source} (${kib(c.bytes)})`)
    .join(', ')}.`;
}

/** How much of each bundle (of the over-target ones, unless `all`) is the AWS SDK and Smithy. */
function sdkShare(functions: Array<{ name: string; bundle: BundleResult }>, all = false): string {
  return functions
    .filter((b) => all || b.bundle.bytes > TARGET_BYTES)
    .map((b) => {
      const sdk = b.bundle.composition
        .filter(
          (c) =>
            c.source.startsWith('@aws-sdk/') || c.source.startsWith('@smithy/') || c.source.startsWith('@aws-crypto/'),
        )
        .reduce((sum, c) => sum + c.bytes, 0);
      return `In ${b.name}, ${kib(sdk)} (${((100 * sdk) / b.bundle.bytes).toFixed(0)}%) is the AWS SDK v3 (@aws-sdk, @smithy, @aws-crypto).`;
    })
    .join(' ');
}

export const coldStart: Figure = {
  id: 'cold-start',
  title: 'Cold start (bundle size and load time)',
  needsPipeline: false,
  async run({ quick, log }) {
    const repeats = quick ? 3 : 15;
    const workDir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
    try {
      const emptyEntry = join(workDir, 'empty-handler.ts');
      writeFileSync(emptyEntry, 'export const handler = async (): Promise<object> => ({});\n');
      const entries: Array<[string, string]> = [
        ['empty handler (baseline)', emptyEntry],
        ...Object.entries(FUNCTION_ENTRIES).map(([name, entry]): [string, string] => [name, join(PROJECT_ROOT, entry)]),
      ];
      const bundles: Array<{ name: string; bundle: BundleResult; timings: LoadTiming[] }> = [];
      for (const [name, entry] of entries) {
        const bundle = await bundleLikeTheStack(entry, join(workDir, name.split(' ')[0] ?? name, 'index.mjs'));
        bundles.push({ name, bundle, timings: [] });
        log(`  ${name}: ${(bundle.bytes / 1024).toFixed(0)} KiB (+ ${(bundle.mapBytes / 1024).toFixed(0)} KiB map)`);
      }
      // One warm-up load each (page cache), then interleaved rounds.
      for (const b of bundles) await loadOnce(b.bundle.outfile);
      for (let round = 0; round < repeats; round++) {
        for (const b of bundles) b.timings.push(await loadOnce(b.bundle.outfile));
      }
      const empty = bundles[0];
      const emptyProcess = median(empty?.timings.map((t) => t.processMs) ?? []);
      const emptyImport = median(empty?.timings.map((t) => t.importMs) ?? []);
      const functions = bundles.slice(1);
      const rows = bundles.map((b) => {
        const processMs = median(b.timings.map((t) => t.processMs));
        const importMs = median(b.timings.map((t) => t.importMs));
        return [
          b.name,
          kib(b.bundle.bytes),
          kib(b.bundle.mapBytes),
          `${importMs.toFixed(1)} ms`,
          `${processMs.toFixed(0)} ms`,
          b === empty ? '—' : `+${(processMs - emptyProcess).toFixed(0)} ms (${fixed(processMs / emptyProcess)}×)`,
          b === empty ? '—' : b.bundle.bytes <= TARGET_BYTES ? 'yes' : '**no**',
        ];
      });
      const largest = functions.reduce((a, b) => (b.bundle.bytes > a.bundle.bytes ? b : a));
      const slowest = functions.reduce((a, b) =>
        median(b.timings.map((t) => t.processMs)) > median(a.timings.map((t) => t.processMs)) ? b : a,
      );
      const met = functions.every((b) => b.bundle.bytes <= TARGET_BYTES);
      const slowestMs = median(slowest.timings.map((t) => t.processMs));
      const sizes = functions.map((b) => `${b.name} ${kib(b.bundle.bytes)}`).join(', ');
      return {
        status: 'measured',
        target: 'each bundle ≤ 1 MB',
        headline: `${sizes}; slowest load ${slowest.name} ${slowestMs.toFixed(0)} ms vs empty handler ${emptyProcess.toFixed(0)} ms`,
        measured: `${sizes}; load ≤ ${slowestMs.toFixed(0)} ms`,
        baseline: `empty handler ${empty?.bundle.bytes ?? 0} B, ${emptyProcess.toFixed(0)} ms`,
        ratio: `largest bundle ${fixed(largest.bundle.bytes / TARGET_BYTES)} of 1 MB; load ${fixed(slowestMs / emptyProcess)}× empty`,
        met,
        settings: [
          "esbuild (the project's copy) with the stack's NodejsFunction options: ESM, minify, linked source map without sources content, platform node, target node24, main fields module,main, the `require` banner, AWS SDK bundled, project tsconfig. Architecture (arm64) does not change the bundle.",
          `Load: \`node --input-type=module -e "await import('<bundle>')"\` in a fresh process, one warm-up then ${repeats} interleaved rounds, medians; "process" is spawn to exit, "import" is the import alone measured inside.`,
          'The source map is a separate file in the asset: it is read only when a stack trace is mapped (`--enable-source-maps`), so the load time does not include it.',
        ],
        details: [
          markdownTable(
            ['bundle', 'size', 'source map', 'import (inside)', 'process (spawn→exit)', 'over empty', '≤ 1 MB'],
            rows,
          ),
          'What the bundles are made of (esbuild metafile, minified bytes per package, the eight largest):',
          markdownTable(
            ['bundle', 'largest contributors'],
            functions.map((b) => [
              b.name,
              b.bundle.composition
                .slice(0, 8)
                .map((c) => `${c.source} ${kib(c.bytes)}`)
                .join(', '),
            ]),
          ),
        ],
        notes: [
          `Process-level load times include Node's own start (${emptyProcess.toFixed(0)} ms here for the empty handler, whose import takes ${emptyImport.toFixed(1)} ms); on Lambda the runtime start is paid by every function alike, so the "over empty" column is what the code adds to a cold start.`,
          met
            ? `All bundles are at most 1 MiB with the AWS SDK v3 clients, Powertools, undici and form-data bundled in; ${topThree(largest)} What is left out, and why it is never run on Lambda (infra/constructs/bundling/function-bundling.ts, read by the stack and by this benchmark): undici's experimental Milo parser (two WebAssembly builds, ≈ 148 KiB, used only with \`UNDICI_USE_MILO=1\`; dropped with the \`esbuildDetection\` define Node.js itself uses), llhttp's build without WebAssembly SIMD (≈ 70 KiB; only for CPUs without SIMD or \`UNDICI_NO_WASM_SIMD=1\`), mime-db through form-data's mime-types (≈ 134 KiB; every part the client appends carries its content type) and the SDK's SSO, INI, process, web-identity and login credential providers with their three nested clients (≈ 80 KiB; Lambda hands the role's credentials in the environment). Before: 1,490 KiB. Powertools' \`commons\` at two versions costs ≈ 10 KiB more (aligning the Powertools versions in package.json would remove it). ${sdkShare(functions, true)}`
            : `Missed by ${functions
                .filter((b) => b.bundle.bytes > TARGET_BYTES)
                .map((b) => `${b.name} (${kib(b.bundle.bytes)})`)
                .join(', ')}. ${sdkShare(functions)} Why: ${topThree(largest)}`,
          "Timings are on this shared 2-core machine; Lambda's cold start adds the runtime init and the download of the code package, which grows with the bundle.",
        ],
        data: bundles.map((b) => ({
          name: b.name,
          bytes: b.bundle.bytes,
          mapBytes: b.bundle.mapBytes,
          timings: b.timings,
        })),
      };
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  },
};
