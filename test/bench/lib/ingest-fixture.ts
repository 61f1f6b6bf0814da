/**
 * What figures 3 (streaming memory) and 4 (copy speed) share: fauxqs (S3) as a child process, the
 * library sandbox in this process (`keepBytes: false`, upload limit raised to the largest object, rate
 * limits out of the way), one bucket holding a generated object per size (also written to a temporary
 * file for curl), and the ingest child (ingest-child.ts) bundled by esbuild with the stack's options,
 * so it runs as plain `node` the way Lambda runs the bundle (no tsx loader in the measured process).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFauxqsProcess, type Fauxqs } from '../../../infra/local/emulators/index.ts';
import { startSandbox, type Sandbox } from '../../../infra/local/sandbox/index.ts';
import type { IngestChildResult } from '../ingest-child.ts';
import { bundleLikeTheStack } from './bundle.ts';
import { runJsonChild } from './child.ts';

export interface StoredObject {
  size: number;
  key: string;
  eTag: string;
  /** The same bytes on disk, for curl. */
  path: string;
}

export interface IngestFixture {
  sandbox: Sandbox;
  fauxqs: Fauxqs;
  bucket: string;
  objects: Map<number, StoredObject>;
  /** One ingest copy of the object of that size in a fresh process with these Node flags. */
  runIngest(size: number, nodeArgs?: readonly string[], env?: Record<string, string>): Promise<IngestChildResult>;
  close(): Promise<void>;
}

const CHILD_SOURCE = fileURLToPath(new URL('../ingest-child.ts', import.meta.url));

/** A PDF-looking object: `%PDF-` then a repeating pattern (the sandbox does not keep the bytes). */
function pdfLike(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += 4096)
    bytes.fill((offset >>> 12) & 0xff, offset, Math.min(size, offset + 4096));
  bytes.write('%PDF-1.4\n', 0, 'latin1');
  return bytes;
}

export async function startIngestFixture(sizes: readonly number[]): Promise<IngestFixture> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const largest = Math.max(...sizes);
  const [fauxqs, sandbox, child] = await Promise.all([
    startFauxqsProcess({ bodyLimitMb: Math.ceil(largest / 1024 / 1024) + 16 }),
    startSandbox({
      keepBytes: false,
      limits: {
        maxUploadSize: largest,
        maxTotalBytes: Number.MAX_SAFE_INTEGER,
        perSecond: 1_000_000,
        perDay: 100_000_000,
      },
    }),
    bundleLikeTheStack(CHILD_SOURCE, join(workDir, 'ingest-child.mjs')),
  ]);
  const s3 = new S3Client({
    endpoint: fauxqs.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const bucket = 'bench-ingest';
  const objects = new Map<number, StoredObject>();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const size of sizes) {
      const body = pdfLike(size);
      const key = `uploads/bench-${size}.pdf`;
      const path = join(workDir, `bench-${size}.pdf`);
      writeFileSync(path, body);
      const put = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/pdf' }),
      );
      objects.set(size, { size, key, eTag: (put.ETag ?? '').replaceAll('"', ''), path });
    }
  } catch (error) {
    s3.destroy();
    await Promise.allSettled([fauxqs.stop(), sandbox.close()]);
    throw error;
  }
  s3.destroy();

  return {
    sandbox,
    fauxqs,
    bucket,
    objects,
    async runIngest(size, nodeArgs = [], extraEnv = {}) {
      const object = objects.get(size);
      if (object === undefined) throw new Error(`no object of ${size} bytes`);
      const result = await runJsonChild<IngestChildResult>({
        script: child.outfile,
        nodeArgs,
        env: {
          BENCH_S3_ENDPOINT: fauxqs.endpoint,
          BENCH_BUCKET: bucket,
          BENCH_KEY: object.key,
          BENCH_ETAG: object.eTag,
          BENCH_BASE_URL: sandbox.baseUrl,
          BENCH_API_KEY: sandbox.credentials.apiKey,
          BENCH_ACCESS_TOKEN: sandbox.credentials.accessToken,
          ...extraEnv,
        },
      });
      if (extraEnv.BENCH_READ_ONLY === 'true') return result;
      const stored = sandbox.files().find((file) => file.id === result.fileId);
      if (stored?.size !== size) throw new Error(`the sandbox stored ${stored?.size} bytes for a ${size}-byte object`);
      return result;
    },
    async close() {
      await Promise.allSettled([fauxqs.stop(), sandbox.close()]);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
