/**
 * Benchmark (not a test): does the client's memory stay flat whatever the file size?
 *
 * Uploads a 1 MB and a 200 MB generated stream through the library client to a sandbox (upload limit
 * raised, `keepBytes` off). Each upload runs in a FRESH child Node process (client-memory-child.ts), so
 * the peak RSS of that process (VmHWM of /proc/self/status: the process image's own high-water mark) is the cost of that one upload; the
 * sandbox lives in this parent process and is not measured. Each size runs `repeats` times (default 3)
 * and medians are compared. Target: peak RSS(200 MB) / peak RSS(1 MB) ≤ 1.3.
 *
 * Two producers are measured (see client-memory-child.ts):
 * - `shared` (the target figure): a generator that allocates nothing per chunk, so the ratio shows the
 *   client's own behaviour; a client that copied or buffered the body would grow with the file.
 * - `fresh` (reported, not judged): a new buffer per chunk like an S3 body. It adds the runtime's GC lag
 *   on garbage chunks (V8 collects external memory only after tens of MB), which no client can avoid;
 *   its peak `arrayBuffers` still stays far below the file size, which shows nothing is retained.
 *
 *   npx tsx test/bench/client-memory.ts
 *
 * `runClientMemoryBenchmark()` returns the figures as data for `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../infra/local/sandbox/index.ts';
import type { ChildResult, Producer } from './client-memory-child.ts';

export type { ChildResult, Producer } from './client-memory-child.ts';

export interface ClientMemoryOptions {
  /** File sizes to upload, in bytes (default 1 MB and 200 MB). */
  sizes?: number[];
  /** Runs per size and producer (default 3). */
  repeats?: number;
  /** Producers to measure (default both; `shared` is the one judged against the target). */
  producers?: Producer[];
  /** Acceptable ratio of the largest size's median peak RSS to the smallest's (default 1.3). */
  targetRatio?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ClientMemorySizeResult {
  sizeBytes: number;
  runs: ChildResult[];
  medianPeakRssBytes: number;
  medianPeakArrayBuffersBytes: number;
  medianDurationMs: number;
  /** Size over the median duration, MB/s. */
  medianThroughputMBps: number;
}

export interface ClientMemoryProducerResult {
  producer: Producer;
  sizes: ClientMemorySizeResult[];
  /** Median peak RSS of the largest size divided by that of the smallest. */
  ratio: number;
}

export interface ClientMemoryResult {
  name: 'client-memory';
  producers: ClientMemoryProducerResult[];
  /** The judged ratio: the `shared` producer's (or the first measured). */
  ratio: number;
  targetRatio: number;
  pass: boolean;
  node: string;
}

const MB = 1024 * 1024;
const CHILD = fileURLToPath(new URL('./client-memory-child.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`benchmark child exited with ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildResult);
      } catch (error) {
        reject(new Error(`benchmark child printed no result: ${stdout} ${stderr}`, { cause: error }));
      }
    });
  });
}

export async function runClientMemoryBenchmark(options: ClientMemoryOptions = {}): Promise<ClientMemoryResult> {
  const sizes = [...(options.sizes ?? [1 * MB, 200 * MB])].sort((a, b) => a - b);
  const repeats = options.repeats ?? 3;
  const producers = options.producers ?? ['shared', 'fresh'];
  const targetRatio = options.targetRatio ?? 1.3;
  const log = options.log ?? (() => {});
  const largest = sizes.at(-1) ?? MB;
  const sandbox = await startSandbox({
    keepBytes: false,
    limits: {
      maxUploadSize: largest,
      maxTotalBytes: largest * sizes.length * repeats * producers.length * 2,
      perSecond: 10_000,
      perDay: 1_000_000,
    },
  });
  try {
    const results: ClientMemoryProducerResult[] = [];
    for (const producer of producers) {
      const sizeResults: ClientMemorySizeResult[] = [];
      for (const size of sizes) {
        const runs: ChildResult[] = [];
        for (let run = 1; run <= repeats; run++) {
          const result = await runChild({
            BENCH_SIZE: String(size),
            BENCH_PRODUCER: producer,
            BENCH_BASE_URL: sandbox.baseUrl,
            BENCH_API_KEY: sandbox.credentials.apiKey,
            BENCH_ACCESS_TOKEN: sandbox.credentials.accessToken,
          });
          const stored = sandbox.files().find((file) => file.id === result.fileId);
          if (stored?.size !== size)
            throw new Error(`the sandbox stored ${stored?.size} bytes for a ${size}-byte upload`);
          runs.push(result);
          log(
            `  ${producer} ${(size / MB).toFixed(0)} MB run ${run}/${repeats}: peak RSS ${(result.peakRssBytes / MB).toFixed(1)} MB, peak arrayBuffers ${(result.peakArrayBuffersBytes / MB).toFixed(1)} MB, ${result.durationMs.toFixed(0)} ms`,
          );
        }
        const medianDurationMs = median(runs.map((r) => r.durationMs));
        sizeResults.push({
          sizeBytes: size,
          runs,
          medianPeakRssBytes: median(runs.map((r) => r.peakRssBytes)),
          medianPeakArrayBuffersBytes: median(runs.map((r) => r.peakArrayBuffersBytes)),
          medianDurationMs,
          medianThroughputMBps: size / MB / (medianDurationMs / 1000),
        });
      }
      const smallest = sizeResults[0];
      const biggest = sizeResults.at(-1);
      const ratio = smallest && biggest ? biggest.medianPeakRssBytes / smallest.medianPeakRssBytes : Number.NaN;
      results.push({ producer, sizes: sizeResults, ratio });
    }
    const judged = results.find((r) => r.producer === 'shared') ?? results[0];
    const ratio = judged?.ratio ?? Number.NaN;
    return {
      name: 'client-memory',
      producers: results,
      ratio,
      targetRatio,
      pass: ratio <= targetRatio,
      node: process.version,
    };
  } finally {
    await sandbox.close();
  }
}

/** The figures as a small table. */
export function formatClientMemory(result: ClientMemoryResult): string {
  const mb = (bytes: number): string => (bytes / MB).toFixed(1);
  const lines = [
    'producer  size     median peak RSS  runs (MB)             peak arrayBuffers  median time  throughput',
  ];
  for (const producer of result.producers) {
    for (const s of producer.sizes) {
      lines.push(
        [
          producer.producer.padEnd(10),
          `${(s.sizeBytes / MB).toFixed(0)} MB`.padEnd(9),
          `${mb(s.medianPeakRssBytes)} MB`.padEnd(17),
          s.runs
            .map((r) => mb(r.peakRssBytes))
            .join(', ')
            .padEnd(22),
          `${mb(s.medianPeakArrayBuffersBytes)} MB`.padEnd(19),
          `${s.medianDurationMs.toFixed(0)} ms`.padEnd(13),
          `${s.medianThroughputMBps.toFixed(0)} MB/s`,
        ].join(''),
      );
    }
    const sizes = producer.sizes;
    lines.push(
      `          ratio ${((sizes.at(-1)?.sizeBytes ?? 0) / MB).toFixed(0)} MB / ${((sizes[0]?.sizeBytes ?? 0) / MB).toFixed(0)} MB = ${producer.ratio.toFixed(3)}${producer.producer === 'shared' ? ` (target ≤ ${result.targetRatio})` : ' (includes GC lag on garbage chunks; not judged)'}`,
    );
  }
  lines.push(`result: ${result.pass ? 'PASS' : 'FAIL'} (client ratio ${result.ratio.toFixed(3)}, Node ${result.node})`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log('client memory benchmark: each upload in a fresh child process, sandbox in this one');
  const result = await runClientMemoryBenchmark({ log: (line) => console.log(line) });
  console.log(formatClientMemory(result));
  process.exitCode = result.pass ? 0 : 1;
}
