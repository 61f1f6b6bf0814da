/**
 * One measured upload, in a process of its own (started by client-memory.ts): streams a generated file
 * of `BENCH_SIZE` bytes through the library client to the sandbox at `BENCH_BASE_URL`, then prints one
 * JSON line with the process's peak RSS. Nothing the size of the file ever exists in this process.
 *
 * Two producers (`BENCH_PRODUCER`):
 * - `shared`: cycles through 16 immutable 64 KiB chunks made at start. It allocates nothing per chunk,
 *   so any growth in RSS is the client's own doing (copies, buffering): this is the client's figure.
 * - `fresh`: a new 64 KiB buffer per chunk, like an S3 GetObject body. The chunks become garbage once
 *   written, and V8 only collects that external memory after tens of MB have piled up, so this figure
 *   adds the runtime's GC lag to the client's cost.
 */
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLibraryClient } from '../../shared/library/index.ts';
import { peakRssBytes } from './lib/peak-rss.ts';

export type Producer = 'shared' | 'fresh';

export interface ChildResult {
  sizeBytes: number;
  producer: Producer;
  fileId: string;
  /**
   * Peak resident set size of this process image (VmHWM on Linux). Not `resourceUsage().maxRSS`, which on
   * Linux also counts the parent's memory at fork time (see lib/peak-rss.ts).
   */
  peakRssBytes: number;
  /** RSS just before the upload started (runtime, tsx, undici, zod loaded). */
  rssBeforeBytes: number;
  /** Highest `process.memoryUsage().arrayBuffers` seen (sampled every 10 ms): Buffers alive or not yet collected. */
  peakArrayBuffersBytes: number;
  /** Highest V8 heap in use seen (sampled). */
  peakHeapUsedBytes: number;
  durationMs: number;
}

const CHUNK = 64 * 1024;

/** A Readable that makes `size` bytes on demand (see the module comment for the two producers). */
export function generatedStream(size: number, producer: Producer): Readable {
  const patterns =
    producer === 'shared' ? Array.from({ length: 16 }, (_, k) => Buffer.alloc(CHUNK, (k * 37 + 11) & 0xff)) : [];
  let produced = 0;
  let index = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK, size - produced);
      let chunk: Buffer;
      if (producer === 'shared') {
        const pattern = patterns[index++ % patterns.length] ?? Buffer.alloc(CHUNK);
        chunk = length === CHUNK ? pattern : pattern.subarray(0, length);
      } else {
        chunk = Buffer.allocUnsafe(length);
        for (let i = 0; i < length; i += 4096) chunk.fill((produced + i) & 0xff, i, Math.min(i + 4096, length));
      }
      produced += length;
      this.push(chunk);
    },
  });
}

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_SIZE);
  const producer: Producer = process.env.BENCH_PRODUCER === 'fresh' ? 'fresh' : 'shared';
  const baseUrl = process.env.BENCH_BASE_URL ?? '';
  const apiKey = process.env.BENCH_API_KEY ?? '';
  const accessToken = process.env.BENCH_ACCESS_TOKEN ?? '';
  if (!Number.isSafeInteger(size) || size <= 0 || baseUrl === '')
    throw new Error('BENCH_SIZE and BENCH_BASE_URL are required');

  const client = createLibraryClient({
    baseUrl,
    credentials: async () => ({ apiKey, accessToken }),
    timeouts: { headersMs: 120_000, bodyMs: 120_000 },
  });
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
  const { fileId } = await client.uploadFile({
    fileName: `bench-${size}.pdf`,
    folderId: '0',
    description: 'client memory benchmark',
    fileType: 'PDF',
    contentType: 'application/pdf',
    data: generatedStream(size, producer),
    size,
  });
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  sample();
  await client.close();
  const result: ChildResult = {
    sizeBytes: size,
    producer,
    fileId,
    peakRssBytes: peakRssBytes(),
    rssBeforeBytes,
    peakArrayBuffersBytes,
    peakHeapUsedBytes,
    durationMs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
