/**
 * One measured ingest copy, in a process of its own (started by figures/streaming-memory.ts and
 * figures/copy-speed.ts): opens the object with the pipeline's own S3 reader (GetObject from fauxqs,
 * `If-Match` on the eTag, as ingest does), hands the body to the library client's streaming multipart
 * upload to the sandbox, and prints one JSON line with the process's peak RSS and the copy's duration.
 *
 * Environment: BENCH_S3_ENDPOINT, BENCH_BUCKET, BENCH_KEY, BENCH_ETAG, BENCH_BASE_URL, BENCH_API_KEY,
 * BENCH_ACCESS_TOKEN. Node flags (heap sizes, `--expose-gc` as the ingest function has it) are the
 * parent's choice, on the command line. With `BENCH_READ_ONLY=true` the body is only drained (no
 * upload): the S3 read's own speed.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { S3ObjectReader } from '../../shared/s3/object-reader.ts';
import { createLibraryClient } from '../../shared/library/index.ts';
import { peakRssBytes } from './lib/peak-rss.ts';

export interface IngestChildResult {
  sizeBytes: number;
  fileId: string;
  /** Peak resident set size of this process image (VmHWM; see lib/peak-rss.ts for why not maxRSS). */
  peakRssBytes: number;
  /** RSS just before the copy (modules loaded, clients built). */
  rssBeforeBytes: number;
  /** Highest `process.memoryUsage().arrayBuffers` seen (sampled every 10 ms): Buffers alive or not yet collected. */
  peakArrayBuffersBytes: number;
  peakHeapUsedBytes: number;
  /** V8's heap limit in this process (shows the effect of --max-old-space-size). */
  heapSizeLimitBytes: number;
  /** GetObject to the upload's 202. */
  durationMs: number;
  execArgv: string[];
}

async function main(): Promise<void> {
  const need = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  const s3 = new S3Client({
    endpoint: need('BENCH_S3_ENDPOINT'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const apiKey = need('BENCH_API_KEY');
  const accessToken = need('BENCH_ACCESS_TOKEN');
  const library = createLibraryClient({
    baseUrl: need('BENCH_BASE_URL'),
    credentials: async () => ({ apiKey, accessToken }),
    timeouts: { headersMs: 300_000, bodyMs: 300_000 },
  });
  const reader = new S3ObjectReader(s3);
  const ref = { bucket: need('BENCH_BUCKET'), key: need('BENCH_KEY'), eTag: need('BENCH_ETAG') };

  let peakArrayBuffersBytes = 0;
  let peakHeapUsedBytes = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peakArrayBuffersBytes = Math.max(peakArrayBuffersBytes, usage.arrayBuffers);
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, usage.heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const rssBeforeBytes = process.memoryUsage.rss();
  const started = performance.now();
  const opened = await reader.open(ref);
  const size = opened.size;
  const body = opened.body;
  if (process.env.BENCH_READ_ONLY === 'true') {
    // Diagnostic (copy-speed): the S3 read alone, drained without uploading.
    for await (const chunk of body) void chunk;
  }
  const { fileId } =
    process.env.BENCH_READ_ONLY === 'true'
      ? { fileId: '' }
      : await library.uploadFile({
          fileName: ref.key.split('/').at(-1) ?? 'bench.pdf',
          folderId: '0',
          description: 'ingest benchmark',
          fileType: 'PDF',
          contentType: 'application/pdf',
          data: body,
          size,
        });
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  sample();
  await library.close();
  s3.destroy();
  const result: IngestChildResult = {
    sizeBytes: size,
    fileId,
    peakRssBytes: peakRssBytes(),
    rssBeforeBytes,
    peakArrayBuffersBytes,
    peakHeapUsedBytes,
    heapSizeLimitBytes: getHeapStatistics().heap_size_limit,
    durationMs,
    execArgv: process.execArgv.filter((arg) => arg.startsWith('--max')),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
