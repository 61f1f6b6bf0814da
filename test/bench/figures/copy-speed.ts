/**
 * Figure 4, copy speed: a 200 MB object through the ingest path (S3 GetObject from fauxqs → library
 * client multipart upload → sandbox, in a fresh process running the bundled ingest child with the
 * ingest function's NODE_OPTIONS) against
 * `curl -F` sending the same bytes from a local file to the same sandbox endpoint with the same six
 * parts, api_key and bearer token. Target: ingest throughput / curl throughput ≥ 0.8.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { INGEST_DEPLOYED_FLAGS } from '../lib/deployed-flags.ts';
import { startIngestFixture, type StoredObject } from '../lib/ingest-fixture.ts';
import { fixed, MB, markdownTable, median } from '../lib/stats.ts';
import type { Figure } from '../lib/types.ts';
import type { Sandbox } from '../../../infra/local/sandbox/index.ts';

const run = promisify(execFile);
const TARGET = 0.8;

/** One `curl -F` upload; returns curl's own total time in ms. */
async function curlUpload(sandbox: Sandbox, object: StoredObject): Promise<number> {
  const url = `${sandbox.baseUrl}/library/files?api_key=${encodeURIComponent(sandbox.credentials.apiKey)}`;
  const { stdout } = await run('curl', [
    '--silent',
    '--show-error',
    '--output',
    '/dev/null',
    '--write-out',
    '%{http_code} %{time_total}',
    '--header',
    `Authorization: Bearer ${sandbox.credentials.accessToken}`,
    '--header',
    'Accept: application/json',
    // No `Expect: 100-continue` round trip (curl adds it for large bodies; the client does not).
    '--header',
    'Expect:',
    '--form-string',
    `file_name=${object.key.split('/').at(-1) ?? 'bench.pdf'}`,
    '--form-string',
    'folder_id=0',
    '--form-string',
    'description=copy speed benchmark',
    '--form-string',
    'source=MyComputer',
    '--form-string',
    'file_type=PDF',
    '--form',
    `data=@${object.path};type=application/pdf`,
    url,
  ]);
  const [status, seconds] = stdout.trim().split(' ');
  if (status !== '202') throw new Error(`curl upload answered ${status}`);
  return Number(seconds) * 1000;
}

export const copySpeed: Figure = {
  id: 'copy-speed',
  title: 'Copy speed (ingest vs curl)',
  needsPipeline: false,
  async run({ quick, log }) {
    const size = 200 * MB;
    const repeats = quick ? 1 : 5;
    const fixture = await startIngestFixture([size]);
    const object = fixture.objects.get(size);
    if (object === undefined) throw new Error('fixture object missing');
    const ingestMs: number[] = [];
    const curlMs: number[] = [];
    const readOnlyMs: number[] = [];
    try {
      const curlVersion = (await run('curl', ['--version'])).stdout.split('\n')[0] ?? 'curl';
      // Warm-up of both paths (page cache, first-process effects), not counted.
      await fixture.runIngest(size, INGEST_DEPLOYED_FLAGS);
      await curlUpload(fixture.sandbox, object);
      // Interleaved, so a burst of load from elsewhere on the machine hits both sides alike.
      for (let i = 1; i <= repeats; i++) {
        const ingest = (await fixture.runIngest(size, INGEST_DEPLOYED_FLAGS)).durationMs;
        const curl = await curlUpload(fixture.sandbox, object);
        const readOnly = (await fixture.runIngest(size, [], { BENCH_READ_ONLY: 'true' })).durationMs;
        ingestMs.push(ingest);
        curlMs.push(curl);
        readOnlyMs.push(readOnly);
        log(
          `  run ${i}/${repeats}: ingest ${ingest.toFixed(0)} ms, curl ${curl.toFixed(0)} ms, S3 read alone ${readOnly.toFixed(0)} ms`,
        );
      }
      const mbps = (ms: number) => size / MB / (ms / 1000);
      const ingest = mbps(median(ingestMs));
      const curl = mbps(median(curlMs));
      const ratio = ingest / curl;
      return {
        status: 'measured',
        target: `ingest throughput / curl throughput ≥ ${TARGET}`,
        headline: `ingest ${fixed(ingest, 0)} MB/s vs curl ${fixed(curl, 0)} MB/s: ratio ${fixed(ratio)}`,
        measured: `${fixed(ingest, 0)} MB/s (ingest, 200 MB)`,
        baseline: `${fixed(curl, 0)} MB/s (curl -F)`,
        ratio: fixed(ratio),
        met: ratio >= TARGET,
        settings: [
          `One 200 MB object. Ingest: a fresh \`node ${INGEST_DEPLOYED_FLAGS.join(' ')}\` process (the ingest function's NODE_OPTIONS) running the bundled ingest child, timed from GetObject (fauxqs, over HTTP) to the 202 from the sandbox (process start-up not included).`,
          `curl: \`${curlVersion}\`, \`-F\` with the same six parts (file_name, folder_id, description, source, file_type, data from a file on local disk), the same api_key and bearer, no \`Expect: 100-continue\`; curl's own \`time_total\`.`,
          `Same sandbox (\`keepBytes: false\`: it still parses the multipart body and hashes every byte), interleaved runs, one warm-up each, medians of ${repeats}.`,
        ],
        details: [
          markdownTable(
            ['path', 'median time', 'runs (ms)', 'throughput'],
            [
              [
                'ingest (S3 → client → sandbox)',
                `${median(ingestMs).toFixed(0)} ms`,
                ingestMs.map((ms) => ms.toFixed(0)).join(', '),
                `${fixed(ingest, 0)} MB/s`,
              ],
              [
                'curl -F (disk → sandbox)',
                `${median(curlMs).toFixed(0)} ms`,
                curlMs.map((ms) => ms.toFixed(0)).join(', '),
                `${fixed(curl, 0)} MB/s`,
              ],
              [
                'diagnostic: S3 read alone (GetObject drained, no upload)',
                `${median(readOnlyMs).toFixed(0)} ms`,
                readOnlyMs.map((ms) => ms.toFixed(0)).join(', '),
                `${fixed(mbps(median(readOnlyMs)), 0)} MB/s`,
              ],
            ],
          ),
        ],
        notes: [
          `Where the time goes: reading the 200 MB from fauxqs alone takes ${median(readOnlyMs).toFixed(0)} ms (${fixed(mbps(median(readOnlyMs)), 0)} MB/s), ${fixed((100 * median(readOnlyMs)) / median(ingestMs), 0)}% of the ingest copy's ${median(ingestMs).toFixed(0)} ms; curl sends the whole body in ${median(curlMs).toFixed(0)} ms. The two halves overlap (the body is piped with backpressure), so the copy is bounded by the slower side plus the CPU both need on 2 cores.`,
          "The ingest side reads the bytes over a second HTTP connection (fauxqs serving from memory in another process) while curl reads a cached local file, so on this 2-core machine ingest also pays for fauxqs' CPU; on AWS the S3 read is network-bound instead.",
          ratio >= TARGET
            ? 'The streaming path (no buffering, backpressure end to end) keeps up with curl.'
            : 'Missed: the gap is the extra hop (S3 read in another process competing for 2 cores) plus JavaScript stream overhead; what would close it: larger read chunks from S3 (fewer, bigger writes), or measuring on a machine where fauxqs does not share the cores with the sandbox and the client.',
        ],
        data: { ingestMs, curlMs, readOnlyMs, sizeBytes: size },
      };
    } finally {
      await fixture.close();
    }
  },
};
