/**
 * Figure 8, backfill: how fast `ops backfill` lists a bucket and puts its objects on the ingest queue,
 * and its peak memory, at 10,000 objects and around it (does memory grow with the count?), against the
 * time the API key's limits need to upload the same files. Each run is a fresh process (tsx) over
 * fauxqs and DynamoDB Local; the objects are put straight into the bucket, with no notification.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getStageConfig } from '../../../infra/config/index.ts';
import { startLocalAws } from '../../../infra/local/emulators/index.ts';
import { createLocalResources } from '../../../infra/local/runner/resources.ts';
import { BENCHMARK_REQUESTS_PER_FILE } from '../../../infra/ops/backfill/estimate.ts';
import type { BackfillChildInput, BackfillChildResult } from '../backfill-child.ts';
import { runJsonChild } from '../lib/child.ts';
import { fixed, markdownTable, mb } from '../lib/stats.ts';
import type { Figure } from '../lib/types.ts';

const PUT_CONCURRENCY = 32;
/** The old-space cap of the memory check: far below the uncapped peak, so a live set that grew would fail. */
const CAPPED_OLD_SPACE_MB = 64;
const TARGET = 'the listing and enqueueing take a small fraction of the time the key needs for the same files';

async function putObjects(s3: S3Client, bucket: string, prefix: string, count: number): Promise<void> {
  let next = 0;
  const body = Buffer.alloc(64, 7);
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const key = `${prefix}folder-${i % 50}/file-${String(i).padStart(6, '0')}.png`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
  };
  await Promise.all(Array.from({ length: PUT_CONCURRENCY }, worker));
}

/**
 * The largest size again with V8's old space capped: RSS peaks mostly show how lazily V8 collects, so
 * the proof that nothing accumulates is that the run completes under a cap well below that peak.
 */
async function cappedRun(
  objects: number,
  input: BackfillChildInput,
  log: (line: string) => void,
): Promise<{ objects: number; result?: BackfillChildResult; error?: string }> {
  try {
    const result = await runJsonChild<BackfillChildResult>({
      nodeArgs: ['--import', 'tsx', `--max-old-space-size=${CAPPED_OLD_SPACE_MB}`],
      script: 'test/bench/backfill-child.ts',
      env: { BENCH_BACKFILL: JSON.stringify(input) },
    });
    log(`  ${objects} with a ${CAPPED_OLD_SPACE_MB} MB old space: done, peak RSS ${mb(result.peakRssBytes)}`);
    return { objects, result };
  } catch (error) {
    log(`  ${objects} with a ${CAPPED_OLD_SPACE_MB} MB old space: FAILED ${String(error).slice(0, 200)}`);
    return { objects, error: String(error).slice(0, 500) };
  }
}

export const backfillListing: Figure = {
  id: 'backfill',
  title: 'Backfill listing and enqueue speed, peak memory',
  needsPipeline: false,
  async run({ quick, log }) {
    const sizes = quick ? [500, 2_000] : [2_500, 10_000, 20_000];
    const stage = getStageConfig('dev');
    const { requestsPerSecond, requestsPerDay } = stage.library;
    const local = await startLocalAws();
    const c = local.clientConfigs;
    const s3 = new S3Client({ ...c.s3, credentials: { ...c.s3.credentials } });
    const sqs = new SQSClient({ ...c.sqs, credentials: { ...c.sqs.credentials } });
    const dynamodb = new DynamoDBClient({ ...c.dynamodb, credentials: { ...c.dynamodb.credentials } });
    const runs: Array<{ objects: number; result: BackfillChildResult }> = [];
    let capped: { objects: number; result?: BackfillChildResult; error?: string } | undefined;
    try {
      const resources = await createLocalResources({ s3, sqs, dynamodb }, stage, []);
      for (const objects of sizes) {
        const prefix = `${resources.uploadPrefix}n${objects}/`;
        log(`  putting ${objects} objects under ${prefix}`);
        await putObjects(s3, resources.bucket, prefix, objects);
        const input: BackfillChildInput = {
          endpoints: local.endpoints,
          bucket: resources.bucket,
          uploadPrefix: prefix,
          uploadsTable: resources.uploadsTable,
          limitsTable: resources.limitsTable,
          ingestQueueUrl: resources.ingestQueue.url,
        };
        const result = await runJsonChild<BackfillChildResult>({
          nodeArgs: ['--import', 'tsx'],
          script: 'test/bench/backfill-child.ts',
          env: { BENCH_BACKFILL: JSON.stringify(input) },
        });
        log(
          `  ${objects}: ${result.counts.enqueued} enqueued in ${fixed(result.durationMs / 1000, 1)} s, peak RSS ${mb(result.peakRssBytes)}`,
        );
        runs.push({ objects, result });
        if (objects === sizes.at(-1)) capped = await cappedRun(objects, input, log);
      }
    } finally {
      [s3, sqs, dynamodb].forEach((client) => client.destroy());
      await local.stop();
    }
    const keySeconds = (n: number): number => (n * BENCHMARK_REQUESTS_PER_FILE) / requestsPerSecond;
    const keyDays = (n: number): number => (n * BENCHMARK_REQUESTS_PER_FILE) / requestsPerDay;
    const perSecond = (r: BackfillChildResult, n: number): number => n / (r.durationMs / 1000);
    const rows = runs.map(({ objects, result }) => [
      String(objects),
      String(result.counts.enqueued),
      `${fixed(result.durationMs / 1000, 1)} s`,
      `${fixed(perSecond(result, objects), 0)} objects/s`,
      mb(result.peakRssBytes),
      mb(result.rssBeforeBytes),
      `${fixed(keySeconds(objects) / 3600, 2)} h at ${requestsPerSecond}/s; ${fixed(keyDays(objects), 2)} days at ${requestsPerDay}/day`,
    ]);
    const judged = runs.find((r) => r.objects === 10_000) ?? runs.at(-1);
    if (judged === undefined) throw new Error('no backfill run');
    const n = judged.objects;
    const seconds = judged.result.durationMs / 1000;
    const ratio = seconds / keySeconds(n);
    const first = runs[0];
    const last = runs.at(-1);
    const growth = first && last ? last.result.peakRssBytes / first.result.peakRssBytes : Number.NaN;
    const cappedText =
      capped?.result === undefined
        ? `the run with a ${CAPPED_OLD_SPACE_MB} MB old space failed (${capped?.error ?? 'not run'})`
        : `with V8's old space capped at ${CAPPED_OLD_SPACE_MB} MB the ${capped.objects}-object run still completes (peak RSS ${mb(capped.result.peakRssBytes)}, ${fixed(capped.objects / (capped.result.durationMs / 1000), 0)} objects/s)`;
    return {
      status: 'measured',
      target: `${TARGET}, and memory that does not grow with the count`,
      headline: `${n} objects listed and enqueued in ${fixed(seconds, 1)} s (${fixed(perSecond(judged.result, n), 0)} objects/s), peak RSS ${mb(judged.result.peakRssBytes)}, vs ${fixed(keySeconds(n) / 3600, 2)} h the key's ${requestsPerSecond} requests/s need (${fixed(keyDays(n), 2)} days of its daily limit); ${cappedText}`,
      measured: `${fixed(perSecond(judged.result, n), 0)} objects/s, ${mb(judged.result.peakRssBytes)} peak RSS (${n} objects)`,
      baseline: `${fixed(n / keySeconds(n), 2)} files/s (the key at ${requestsPerSecond}/s ÷ ${BENCHMARK_REQUESTS_PER_FILE})`,
      ratio: `${fixed(ratio, 4)} of the key's time`,
      met: ratio < 0.05 && capped?.result !== undefined,
      settings: [
        `${sizes.join(', ')} objects of 64 bytes under one prefix each, in fauxqs, put with no notification; an empty uploads table in DynamoDB Local.`,
        'Each run: a fresh `node --import tsx` process running test/bench/backfill-child.ts, which calls `runBackfill` as `ops backfill` does (a counting pass, then the listing again with one BatchGetItem per 100 objects, one GetQueueAttributes and one SendMessageBatch per 10), with the queue window wide open so the pacing never waits and an unlimited daily allowance.',
        'Peak RSS = `VmHWM` of that process (test/bench/lib/peak-rss.ts); time from the first List call to the last message sent.',
        `Key time = files × ${BENCHMARK_REQUESTS_PER_FILE} requests per file (figure 1) ÷ the dev stage's ${requestsPerSecond} requests/s; days = the same requests ÷ ${requestsPerDay} per day.`,
      ],
      details: [
        markdownTable(
          ['objects', 'enqueued', 'time', 'listed + enqueued', 'peak RSS', 'RSS at start', 'the key needs'],
          rows,
        ),
      ],
      notes: [
        `The tool is never the bottleneck: at ${n} objects it needs ${fixed(ratio * 100, 2)} % of the time the key's per-second limit needs to upload them, and the daily limit is the real horizon (${fixed(keyDays(n), 2)} days). In a real backfill the queue window (20 messages) paces it to the pipeline's speed, so it spends its time waiting, not listing.`,
        `Peak RSS does rise with the count, from ${mb(first?.result.peakRssBytes ?? Number.NaN)} at ${first?.objects} objects to ${mb(last?.result.peakRssBytes ?? Number.NaN)} at ${last?.objects} (×${fixed(growth, 2)}), but that is V8 letting garbage (the XML of each page, the SDK's request objects) pile up while it has room: ${cappedText}. The listing is read one page (1,000 keys) at a time and nothing is kept across pages, so the live set is bounded; about ${mb(first?.result.rssBeforeBytes ?? Number.NaN, 0)} is the runtime and the SDK loaded before the first call.`,
        'Time per object is not steady across sizes here: fauxqs sorts the whole bucket on every List call (its listObjects filters and sorts all keys, then skips to the marker), so its listing cost grows with the bucket, and the machine was shared (load average in the run line). S3 pages in constant time.',
        'On AWS each List call and SendMessageBatch crosses the network, so expect fewer objects per second than against local emulators; a million-object bucket is still listed in minutes, against months of the key’s daily limit.',
      ],
      data: { runs },
    };
  },
};
