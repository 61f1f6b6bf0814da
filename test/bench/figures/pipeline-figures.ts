/**
 * Figures 1, 2, 6 and 7: the whole local pipeline (lib/pipeline-run.ts) against the sandbox.
 *
 * - The "spread" run (figures 1, 6 and 7 share it; it runs once per `npm run bench`): N files whose
 *   library processing takes 2-60 s (uniform, seeded), real time; the key's per-second limit scaled 10×
 *   (40/s on the sandbox and in REQUESTS_PER_SECOND) so the uploads take ~30 s instead of ~5 min.
 * - The "backlog" run (figure 2): N files dropped at once, the sandbox's default processing (0.3 s +
 *   0.3 s), the same 40/s.
 * - Figure 1's baseline: the vendor's pattern (upload, then `getUploadStatus([id])` every 5 s until
 *   final), simulated with the real client against a second sandbox whose clock the benchmark drives
 *   (`now` option), same processing times, so 60 s of library time take no wall time.
 */
import { createLibraryClient } from '../../../shared/library/index.ts';
import { startSandbox, uniformDuration } from '../../../infra/local/sandbox/index.ts';
import {
  DEFAULT_RATE_LIMIT_MAX_SAFETY_MARGIN,
  DEFAULT_RATE_LIMIT_SAFETY_MARGIN,
} from '../../../shared/runtime/pipeline-runtime.ts';
import { nextPollDelaySeconds, type PollSchedule } from '../../../shared/retry/backoff.ts';
import { requestsOf, runPipeline, type PipelineRunResult } from '../lib/pipeline-run.ts';
import { fixed, markdownTable, median, quantile } from '../lib/stats.ts';
import { Readable } from 'node:stream';
import type { BenchContext, Figure } from '../lib/types.ts';

const SEED = 7;
const SCALED_PER_SECOND = 40;
const KEY_PER_SECOND = 4;
/**
 * The backlog's per-second limit: the key's own. Scaled up (40/s, then 10/s), this shared 2-core
 * machine's CPU time per file limited the drain, not the limiter; at 4/s the limiter does.
 */
const BACKLOG_PER_SECOND = KEY_PER_SECOND;
/** At most this share of requests may be throttled (per-second 403s) in the backlog. */
const MAX_THROTTLED_SHARE = 0.005;
const MIN_PROCESSING_MS = 2_000;
const MAX_PROCESSING_MS = 60_000;
const VENDOR_POLL_MS = 5_000;

const processingTimes = () => uniformDuration(MIN_PROCESSING_MS, MAX_PROCESSING_MS, SEED);

let spreadRun: Promise<PipelineRunResult> | undefined;
/** The 2-60 s run, shared by figures 1, 6 and 7. */
function spread(context: BenchContext): Promise<PipelineRunResult> {
  spreadRun ??= runPipeline({
    label: 'spread',
    files: context.quick ? 100 : 1000,
    perSecond: SCALED_PER_SECOND,
    processingMs: processingTimes(),
    uploadedMs: 0,
    timeoutMs: 15 * 60_000,
    log: context.log,
  });
  return spreadRun;
}

/** The table rows every pipeline figure shows: API requests by kind, and the sandbox's throttled answers. */
function requestRows(run: PipelineRunResult): [[string, string], [string, string]] {
  const r = apiRequests(run);
  return [
    [
      'API requests (upload / status / enrichment / other)',
      `${r.total} (${r.upload} / ${r.status} / ${r.enrichment} / ${r.other})`,
    ],
    ['throttled answers (403 over qps / over day)', `${run.sandbox.throttled.second} / ${run.sandbox.throttled.day}`],
  ];
}

function apiRequests(run: PipelineRunResult) {
  const c = run.sandbox;
  const upload = requestsOf(c, 'uploadFile');
  const status = requestsOf(c, 'getUploadStatus');
  // Enrichment: the file record of Active files, one by one (getFile) or a batch's worth from one list.
  const enrichment = requestsOf(c, 'getFile') + requestsOf(c, 'listFiles');
  const total = c.totalRequests;
  return {
    upload,
    status,
    enrichment,
    other: total - upload - status - enrichment,
    total,
    throttled: c.throttled.second + c.throttled.day,
  };
}

/** The vendor's pattern: upload, then a status request for that one file every 5 s until it is final. */
async function vendorBaseline(files: number, log: (line: string) => void) {
  let virtualNow = Date.now();
  const sandbox = await startSandbox({
    now: () => virtualNow,
    keepBytes: false,
    limits: { perSecond: 1_000_000_000, perDay: 1_000_000_000 },
    processing: { processingMs: processingTimes(), uploadedMs: 0 },
  });
  const client = createLibraryClient({
    baseUrl: sandbox.baseUrl,
    credentials: async () => ({ ...sandbox.credentials }),
  });
  try {
    const pending = new Map<string, number>();
    const indexes = Array.from({ length: files }, (_, i) => i);
    // Sequential uploads: the sandbox gives file k the k-th processing time, as in the pipeline run.
    for (const i of indexes) {
      const { fileId } = await client.uploadFile({
        fileName: `vendor-${i}.png`,
        folderId: '0',
        description: 'baseline',
        fileType: 'PNG',
        contentType: 'image/png',
        data: Readable.from([
          Buffer.concat([
            Buffer.from([
              0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 64, 0, 0, 0,
              48,
            ]),
            Buffer.alloc(256, i & 0xff),
          ]),
        ]),
        size: 280,
      });
      pending.set(fileId, virtualNow);
    }
    const waited: number[] = [];
    let elapsed = 0;
    while (pending.size > 0) {
      virtualNow += VENDOR_POLL_MS;
      elapsed += VENDOR_POLL_MS;
      const ids = [...pending.keys()];
      for (let start = 0; start < ids.length; start += 32) {
        await Promise.all(
          ids.slice(start, start + 32).map(async (id) => {
            const [status] = await client.getUploadStatus([id]);
            if (status !== undefined && ['Active', 'VirusFound', 'Failed', 'Deleted'].includes(status.status)) {
              pending.delete(id);
              waited.push(elapsed);
            }
          }),
        );
      }
      if (elapsed > 10 * MAX_PROCESSING_MS) throw new Error('baseline: files never became final');
    }
    const counters = sandbox.counters();
    const upload = requestsOf(counters, 'uploadFile');
    const status = requestsOf(counters, 'getUploadStatus');
    log(`  baseline (vendor pattern): ${upload} uploads, ${status} status requests for ${files} files`);
    return { upload, status, total: counters.totalRequests, files };
  } finally {
    await client.close();
    await sandbox.close();
  }
}

const perFile = (n: number, files: number) => fixed(n / files, 3);

export const requestsPerFile: Figure = {
  id: 'requests-per-file',
  title: 'Requests per final file',
  needsPipeline: true,
  async run(context) {
    const run = await spread(context);
    const baseline = await vendorBaseline(run.files, context.log);
    const r = apiRequests(run);
    const n = run.files;
    const core = (r.total - r.enrichment) / n;
    const withEnrichment = r.total / n;
    const base = baseline.total / n;
    const checksPerStatusRequest = run.records.reduce(
      (sum, rec) => sum + ((rec as { checks?: number }).checks ?? 0),
      0,
    );
    const statusRows = [
      ['upload (POST /library/files)', perFile(r.upload, n), perFile(baseline.upload, n)],
      ['status (GET …/uploadstatus/{ids})', perFile(r.status, n), perFile(baseline.status, n)],
      ['other (library info, folders)', perFile(r.other, n), '0'],
      ['**upload + status + other**', `**${fixed(core, 3)}**`, `**${fixed(base, 3)}**`],
      [
        'enrichment (file records of Active files: GET /library/files/{id} or one list per batch; optional)',
        perFile(r.enrichment, n),
        '0 (the vendor examples do not fetch the record)',
      ],
      ['**all requests**', `**${fixed(withEnrichment, 3)}**`, `**${fixed(base, 3)}**`],
    ];
    const statuses = new Map<string, number>();
    for (const rec of run.records) statuses.set(rec.status, (statuses.get(rec.status) ?? 0) + 1);
    return {
      status: 'measured',
      target: '≤ 1.05 requests per file, all-in with enrichment on',
      headline: `${fixed(core, 3)} requests per file (upload + status) and ${fixed(withEnrichment, 3)} with the optional enrichment, vs ${fixed(base, 2)} for the vendor's upload-then-poll-every-5-s pattern: ratio ${fixed(core / base)} (${fixed(withEnrichment / base)} with enrichment)`,
      measured: `${fixed(core, 3)} (upload + status); ${fixed(withEnrichment, 3)} with enrichment`,
      baseline: `${fixed(base, 2)} (upload, then poll each file every 5 s)`,
      ratio: `${fixed(core / base)} (${fixed(withEnrichment / base)} with enrichment)`,
      // Judged as deployed: every stage enriches, so the total counts, not only upload + status.
      met: withEnrichment <= 1.05,
      settings: [
        `${n} PNG files put into the bucket at once; library processing per file uniform ${MIN_PROCESSING_MS / 1000}-${MAX_PROCESSING_MS / 1000} s (sandbox \`uniformDuration(2000, 60000, ${SEED})\`, real time), then Active.`,
        `Dev stage as configured (poll: first check after ${run.poll.firstDelaySeconds} s, doubling up to ${run.poll.maxDelaySeconds} s; status queue batches of ${run.stage.sources.statusQueue.batchSize} with a ${run.stage.sources.statusQueue.maxBatchingWindowSeconds} s window; enrichment ${run.stage.features.enrichActiveFiles ? 'on' : 'off'}), except the per-second limit: ${SCALED_PER_SECOND}/s on the sandbox and in REQUESTS_PER_SECOND (10× the key's 4/s) so the uploads take ~${Math.round(n / SCALED_PER_SECOND)} s, not ~${Math.round(n / KEY_PER_SECOND)} s. At 4/s status checks would arrive 10× slower, but a batch of ${run.stage.sources.statusQueue.batchSize} still fills in ${(run.stage.sources.statusQueue.batchSize / KEY_PER_SECOND).toFixed(1)} s, inside the ${run.stage.sources.statusQueue.maxBatchingWindowSeconds} s window, so the batching (and this ratio) is the same.`,
        'Counted by the sandbox (every answered API request, by operation). Baseline: the real library client against a second sandbox with the same processing times, whose clock the benchmark moves 5 s at a time: each file uploaded, then `getUploadStatus([id])` every 5 s until final.',
        `Final statuses: ${[...statuses].map(([s, c]) => `${c} ${s}`).join(', ')}; ${r.throttled} throttled answers.`,
      ],
      details: [markdownTable(['requests per file', 'pipeline', 'baseline (vendor pattern)'], statusRows)],
      notes: [
        `One status request answers for a whole SQS batch (up to ${run.stage.sources.statusQueue.batchSize} ids), and the growing delay (10, 30, 70, 150 s after submission) checks a 60 s file 3 times instead of 12: ${fixed(r.status / n, 3)} status requests per file here against ${fixed(baseline.status / n, 2)} for per-file polling every 5 s.${checksPerStatusRequest > 0 ? ` The records report ${checksPerStatusRequest} checks in total (${fixed(checksPerStatusRequest / Math.max(1, r.status), 1)} files per status request).` : ''}`,
        `Without enrichment: ${fixed(core, 3)} requests per file.`,
        withEnrichment <= 1.05
          ? `With enrichment (on in every stage: the event carries the hosted URL and thumbnail) the total is ${fixed(withEnrichment, 3)}: within the target.`
          : `Enrichment (on in every stage: the event carries the hosted URL and thumbnail) adds ${fixed(r.enrichment / n, 3)} requests per file (${requestsOf(run.sandbox, 'getFile')} single-file reads, ${requestsOf(run.sandbox, 'listFiles')} list reads), so the total is ${fixed(withEnrichment, 3)} and misses 1.05 (it was 1.101 before the kept list). Already done: the poll process keeps its last list of recent files, so a later batch's file the list shows Active needs neither a status request nor a record read, and a batch of files at check counts that have lately found files final lists first (shared/poll/recent-files.ts, active-odds.ts). What stops it: in this run the files finish spread over 2-60 s while checks come 10, 30, 70 s after submission, so most batches hold files that became Active since the last list and files still processing: such a batch needs its status request and a list. What would close it: fewer, fuller poll batches (status-queue batches of 100 with the client's status chunk at 100 ids would halve both counts: ≈ ${fixed(1 + r.other / n + (r.status + r.enrichment) / n / 2, 3)}; a longer batching window only helps when checks arrive slower than ${run.stage.sources.statusQueue.batchSize} per window), or enrichment off in a stage whose consumers do not need the URL (\`enrichActiveFiles: false\`: ${fixed(core, 3)}).`,
      ],
      data: { pipeline: r, baseline, files: n },
    };
  },
};

export const backlog: Figure = {
  id: 'backlog',
  title: 'Backlog throughput',
  needsPipeline: true,
  async run(context) {
    const files = context.quick ? 60 : 240;
    const run = await runPipeline({
      label: 'backlog',
      files,
      perSecond: BACKLOG_PER_SECOND,
      processingMs: 300,
      uploadedMs: 300,
      timeoutMs: 15 * 60_000,
      log: context.log,
    });
    const r = apiRequests(run);
    const lastAccepted = Math.max(...run.uploads.map((u) => u.acceptedAt));
    const drainS = (lastAccepted - run.dropStartedAt) / 1000;
    const endToEndS = (run.finishedAt - run.dropStartedAt) / 1000;
    const rpf = r.total / files;
    const ceiling = BACKLOG_PER_SECOND / rpf;
    const filesPerSecond = files / drainS;
    const ratio = filesPerSecond / ceiling;
    const e2eRatio = files / endToEndS / ceiling;
    // The functions' runtime spaces limiter slots by 1000 / REQUESTS_PER_SECOND × (1 + margin).
    const margin = DEFAULT_RATE_LIMIT_SAFETY_MARGIN;
    const limiterCeiling = 1 / (1 + margin);
    const marginPercent = `${Math.round(margin * 100)} %`;
    const maxMarginPercent = `${Math.round(DEFAULT_RATE_LIMIT_MAX_SAFETY_MARGIN * 100)} %`;
    const throttledShare = r.throttled / r.total;
    // Is the drain rate steady? Files accepted per second in each quarter of the drain.
    const accepted = run.uploads.map((u) => u.acceptedAt).sort((a, b) => a - b);
    const quarters = [0, 1, 2, 3].map((q) => {
      const from = run.dropStartedAt + ((lastAccepted - run.dropStartedAt) * q) / 4;
      const to = run.dropStartedAt + ((lastAccepted - run.dropStartedAt) * (q + 1)) / 4;
      return accepted.filter((t) => t >= from && (q === 3 ? t <= to : t < to)).length / ((to - from) / 1000);
    });
    return {
      status: 'measured',
      target: `≥ 0.92 of limit ÷ requests per file, ≤ ${MAX_THROTTLED_SHARE * 100} % of requests throttled`,
      headline: `${fixed(filesPerSecond, 1)} files/s while the backlog drained vs a ceiling of ${fixed(ceiling, 1)} files/s (${BACKLOG_PER_SECOND}/s ÷ ${fixed(rpf, 2)} requests per file): ratio ${fixed(ratio)}; ${r.throttled} throttled (${fixed(throttledShare * 100, 2)} %)`,
      measured: `${fixed(filesPerSecond, 1)} files/s (${r.throttled} throttled)`,
      baseline: `${fixed(ceiling, 1)} files/s = ${BACKLOG_PER_SECOND}/s ÷ ${fixed(rpf, 2)}`,
      ratio: `${fixed(ratio)} (end to end ${fixed(e2eRatio)})`,
      met: ratio >= 0.92 && throttledShare <= MAX_THROTTLED_SHARE,
      settings: [
        `${files} PNG files put at once (${((run.dropFinishedAt - run.dropStartedAt) / 1000).toFixed(1)} s to put them all); sandbox processing 0.3 s + 0.3 s (its defaults).`,
        `Per-second limit ${BACKLOG_PER_SECOND}/s on the sandbox (a sliding one-second window, as the vendor's gateway counts) and in the pipeline's REQUESTS_PER_SECOND: the key's own rate (scaled to 40/s or 10/s, this shared 2-core machine's CPU per file limited the drain, not the limiter); everything else is the dev stage (ingest: batches of ${run.stage.sources.ingestQueue.batchSize}, max concurrency ${run.stage.sources.ingestQueue.maxConcurrency}; enrichment on).`,
        `Files per second = files ÷ time from the first put to the last upload the sandbox accepted (the backlog's drain, ${drainS.toFixed(1)} s); requests per file = every API request of the run ÷ files (${fixed(rpf, 3)}); end to end = files ÷ time to the last event (${endToEndS.toFixed(1)} s).`,
      ],
      details: [
        markdownTable(
          ['', 'value'],
          [
            ...requestRows(run),
            ['request rate while draining', `${fixed(r.total / drainS, 1)} /s of ${BACKLOG_PER_SECOND}`],
            ['ingest invocations, max concurrent', `${run.invocations.ingest}, ${run.maxInFlight.ingest}`],
            ['files accepted per second, by quarter of the drain', quarters.map((q) => fixed(q, 1)).join(' → ')],
            [
              'ingest busy time per file',
              `${fixed(run.busyMs.ingest / files, 0)} ms (max concurrency ${run.stage.sources.ingestQueue.maxConcurrency}: ${fixed((run.stage.sources.ingestQueue.maxConcurrency * 1000) / (run.busyMs.ingest / files), 1)} files/s at most)`,
            ],
          ],
        ),
      ],
      notes: [
        DEFAULT_RATE_LIMIT_MAX_SAFETY_MARGIN > margin
          ? `The shared limiter spaces requests 1000 / REQUESTS_PER_SECOND × (1 + margin) apart, the margin adaptive (shared/rate-limit/adaptive-margin.ts): it starts at ${marginPercent} (${Math.ceil((1000 / BACKLOG_PER_SECOND) * (1 + margin))} ms here, a ceiling of ${fixed(limiterCeiling)} of the key), widens a third of the way to ${maxMarginPercent} on each per-second 403 (reported by a function, or seen as another process's hold) and narrows back a step per 200 grants without one.`
          : `The shared limiter spaces requests 1000 / REQUESTS_PER_SECOND × (1 + margin) apart with a fixed margin of ${marginPercent} (${Math.ceil((1000 / BACKLOG_PER_SECOND) * (1 + margin))} ms here, a ceiling of ${fixed(limiterCeiling)} of the key); a waiting request reads the limits item for holds during the last 25 ms of its wait, so it leaves at its slot and not one DynamoDB read later (shared/rate-limit/dynamo-rate-limiter.ts). The margin absorbs the rest of the delay between a slot and the request's arrival (a busy host, clock skew between hosts, the network): a fixed 20 % capped the ratio at 0.83; an adaptive 5 → 20 % throttled 3.8 % of requests on this machine.`,
        ratio >= 0.92
          ? `The backlog drains at ${fixed(ratio)} of the rate the key allows, ${r.throttled} request(s) throttled.`
          : `Missed (${fixed(ratio)}). The request rate while draining, ${fixed(r.total / drainS, 1)}/s of ${BACKLOG_PER_SECOND}, is ${fixed(r.total / drainS / BACKLOG_PER_SECOND)} of the key against the limiter's ${fixed(limiterCeiling)}; the rest is this machine: each file keeps an ingest invocation busy ${fixed(run.busyMs.ingest / files, 0)} ms (including its wait for a slot), with the dev stage's max concurrency of ${run.stage.sources.ingestQueue.maxConcurrency}, on 2 cores shared with DynamoDB Local, fauxqs, the sandbox and the other work on the machine (load average in the run header).`,
        "End to end includes the last files' first status check (10 s after their upload) and the event: a fixed tail that matters less the longer the backlog.",
      ],
      data: {
        requests: r,
        throttledShare,
        drainS,
        endToEndS,
        files,
        quarters,
        invocations: run.invocations,
        busyMs: run.busyMs,
      },
    };
  },
};

/** Check times (seconds after submission) the poll schedule gives, up to the deadline. */
function checkTimes(schedule: PollSchedule): number[] {
  const times: number[] = [schedule.firstDelaySeconds];
  for (let checks = 1; times.length < 64; checks++) {
    const last = times.at(-1) ?? 0;
    const delay = nextPollDelaySeconds(schedule, checks, last);
    if (delay === undefined) break;
    times.push(last + delay);
    if (last + delay >= schedule.maxWaitSeconds) break;
  }
  return times;
}

/** How long a file final at `finalS` after submission waits for the next check. */
function floorWait(times: readonly number[], finalS: number): number {
  const next = times.find((t) => t >= finalS);
  return next === undefined ? Number.NaN : next - finalS;
}

export const timeToEvent: Figure = {
  id: 'time-to-event',
  title: 'Time to event',
  needsPipeline: true,
  async run(context) {
    const run = await spread(context);
    const times = checkTimes(run.poll);
    const byId = new Map(run.uploads.map((u) => [u.fileId, u]));
    const measured: number[] = [];
    const floors: number[] = [];
    for (const event of run.events) {
      const upload = event.libraryFileId === undefined ? undefined : byId.get(event.libraryFileId);
      if (upload === undefined) continue;
      measured.push((event.receivedAt - (upload.acceptedAt + upload.finalAfterMs)) / 1000);
      floors.push(floorWait(times, upload.finalAfterMs / 1000));
    }
    // The floor's expectation over the distribution itself (uniform 2-60 s), by numeric integration.
    const grid = Array.from(
      { length: 5801 },
      (_, i) => MIN_PROCESSING_MS / 1000 + (i * (MAX_PROCESSING_MS - MIN_PROCESSING_MS)) / 1000 / 5800,
    );
    const gridFloors = grid.map((t) => floorWait(times, t));
    const m50 = median(measured);
    const m95 = quantile(measured, 0.95);
    const f50 = median(floors);
    const f95 = quantile(floors, 0.95);
    const overhead = measured.map((m, i) => m - (floors[i] ?? 0));
    return {
      status: 'measured',
      target: "near the poll schedule's floor (no numeric target)",
      headline: `median ${fixed(m50, 1)} s, p95 ${fixed(m95, 1)} s from final to event, vs the schedule's floor of ${fixed(f50, 1)} s / ${fixed(f95, 1)} s for the same files`,
      measured: `median ${fixed(m50, 1)} s, p95 ${fixed(m95, 1)} s`,
      baseline: `floor median ${fixed(f50, 1)} s, p95 ${fixed(f95, 1)} s`,
      ratio: `${fixed(m50 / f50)} (median), ${fixed(m95 / f95)} (p95)`,
      met: m50 <= f50 + 5,
      settings: [
        `The run of figure 1 (${run.files} files, processing 2-60 s, ${SCALED_PER_SECOND}/s): for each file, from the moment the sandbox makes it final (acceptance time + its processing time) to the moment the EventBridge stand-in received its event; ${measured.length} files matched.`,
        `Floor: the schedule checks at ${times.slice(0, 6).join(', ')} … s after submission (first ${run.poll.firstDelaySeconds} s, doubling to ${run.poll.maxDelaySeconds} s; shared/retry/backoff.ts), so a file final at t waits until the next check time: computed per file for the same processing times.`,
        `Over the whole 2-60 s distribution the floor averages ${fixed(gridFloors.reduce((a, b) => a + b, 0) / gridFloors.length, 1)} s (median ${fixed(median(gridFloors), 1)} s, p95 ${fixed(quantile(gridFloors, 0.95), 1)} s). The vendor's 5 s polling would wait 2.5 s on average, for ${fixed(1 / 5, 1)} status requests per file-second instead.`,
        `Judged "near the floor" when the median is within 5 s of it (the status queue's batching window is ${run.stage.sources.statusQueue.maxBatchingWindowSeconds} s).`,
      ],
      details: [
        markdownTable(
          ['seconds', 'median', 'p95', 'max'],
          [
            ['final → event (measured)', fixed(m50, 1), fixed(m95, 1), fixed(Math.max(...measured), 1)],
            ['schedule floor (same files)', fixed(f50, 1), fixed(f95, 1), fixed(Math.max(...floors), 1)],
            [
              'overhead beyond the floor',
              fixed(median(overhead), 1),
              fixed(quantile(overhead, 0.95), 1),
              fixed(Math.max(...overhead), 1),
            ],
          ],
        ),
      ],
      notes: [
        'The floor dominates: a file that becomes final just after a check waits for the next one, and the checks grow apart (10, 30, 70, 150 s) to save requests; that trade is what figure 1 buys.',
        `The overhead beyond the floor is the status queue's batching (up to ${run.stage.sources.statusQueue.maxBatchingWindowSeconds} s when batches do not fill), waits for the shared rate limiter while uploads still drain (the first ~${Math.round(run.files / SCALED_PER_SECOND)} s), the poll handler, the DynamoDB stream's ${run.stage.sources.uploadsStream.maxBatchingWindowSeconds} s batching window and the publish call.`,
        "What would lower it, at a price in requests: a shorter first delay or a slower growth factor, or a cap (maxDelaySeconds) matched to the library's real processing times.",
      ],
      data: { measured, floors, checkTimes: times },
    };
  },
};

/** The real link: upload bodies at ~2.5 MB/s with 100 ms before each answer, files of 1-5 MB. */
const LINK = { uploadBytesPerSecond: 2_500_000, latencyMs: 100 };
const MIN_FILE_BYTES = 1_000_000;
const MAX_FILE_BYTES = 5_000_000;

/** File `i`'s padding: sizes spread evenly over 1-5 MB in a seeded order. */
function realSize(i: number): number {
  const x = Math.sin(i * 12.9898 + SEED) * 43758.5453;
  return Math.round(MIN_FILE_BYTES + (x - Math.floor(x)) * (MAX_FILE_BYTES - MIN_FILE_BYTES));
}

export const backlogRealLink: Figure = {
  id: 'backlog-real-link',
  title: 'Backlog of real-sized files over a real link',
  needsPipeline: true,
  async run(context) {
    // 120 files are 33 s of the key at 4/s: long enough that the start (first notification, library
    // info, cold clients) and the last 5 MB body are not most of the drain, as they were with 40.
    const files = context.quick ? 12 : 120;
    const run = await runPipeline({
      label: 'real-link',
      files,
      perSecond: KEY_PER_SECOND,
      processingMs: 300,
      uploadedMs: 300,
      timeoutMs: 15 * 60_000,
      log: context.log,
      paddingOf: realSize,
      link: LINK,
    });
    const r = apiRequests(run);
    const lastAccepted = Math.max(...run.uploads.map((u) => u.acceptedAt));
    const drainS = (lastAccepted - run.dropStartedAt) / 1000;
    const rpf = r.total / files;
    const ceiling = KEY_PER_SECOND / rpf;
    const ratio = files / drainS / ceiling;
    const accepted = run.uploads.map((u) => u.acceptedAt).sort((a, b) => a - b);
    const steadyS = ((accepted.at(-1) ?? 0) - (accepted[0] ?? 0)) / 1000;
    const steadyRatio = (files - 1) / Math.max(steadyS, 0.001) / ceiling;
    const { batchSize, maxConcurrency } = run.stage.sources.ingestQueue;
    const busyPerFileS = run.busyMs.ingest / files / 1000;
    const neededConcurrency = Math.ceil(0.9 * ceiling * busyPerFileS);
    const meanMb = Array.from({ length: files }, (_, i) => realSize(i)).reduce((a, b) => a + b, 0) / files / 1e6;
    return {
      status: 'measured',
      target: '≥ 0.9 of limit ÷ requests per file',
      headline: `${fixed(files / drainS, 2)} files/s vs a ceiling of ${fixed(ceiling, 2)} files/s (${KEY_PER_SECOND}/s ÷ ${fixed(rpf, 2)}): ratio ${fixed(ratio)} with the dev stage's ingest concurrency ${maxConcurrency}${ratio >= 0.9 ? '' : `; about ${neededConcurrency} concurrent uploads would reach 0.9`}`,
      measured: `${fixed(files / drainS, 2)} files/s (${r.throttled} throttled)`,
      baseline: `${fixed(ceiling, 2)} files/s = ${KEY_PER_SECOND}/s ÷ ${fixed(rpf, 2)}`,
      ratio: `${fixed(ratio)}`,
      met: ratio >= 0.9,
      settings: [
        `${files} PNG files of 1-5 MB (mean ${fixed(meanMb, 1)} MB) put at once; the sandbox reads each upload body at ${LINK.uploadBytesPerSecond / 1e6} MB/s at most and waits ${LINK.latencyMs} ms before each answer (its \`uploadBytesPerSecond\` and \`latencyMs\`: a client far from the vendor); processing 0.3 s + 0.3 s.`,
        `The key's real ${KEY_PER_SECOND}/s on the sandbox and in REQUESTS_PER_SECOND; the dev stage as configured (ingest: batches of ${batchSize}, max concurrency ${maxConcurrency}, the files of a batch one after another).`,
        `Files per second = files ÷ time from the first put to the last upload accepted (${drainS.toFixed(1)} s).`,
      ],
      details: [
        markdownTable(
          ['', 'value'],
          [
            ...requestRows(run),
            ['ingest invocations, max concurrent', `${run.invocations.ingest}, ${run.maxInFlight.ingest}`],
            [
              'first put → first upload accepted',
              `${fixed(((accepted[0] ?? 0) - run.dropStartedAt) / 1000, 1)} s (notification, cold clients, library info)`,
            ],
            [
              'steady drain: first to last upload accepted',
              `${fixed((files - 1) / Math.max(steadyS, 0.001), 2)} files/s in ${fixed(steadyS, 1)} s: ${fixed(steadyRatio)} of the ceiling`,
            ],
            [
              'ingest busy time per file (its wait for a slot included)',
              `${fixed(busyPerFileS, 2)} s (max concurrency ${maxConcurrency}: ${fixed(maxConcurrency / busyPerFileS, 2)} files/s at most)`,
            ],
            [
              'concurrent uploads for 0.9 of the ceiling',
              `${neededConcurrency} (0.9 × ${fixed(ceiling, 2)} files/s × ${fixed(busyPerFileS, 2)} s)`,
            ],
          ],
        ),
      ],
      notes: [
        ratio >= 0.9
          ? `Met with the stage as configured${ratio > 1 ? ` (a ratio above 1 is this figure's arithmetic, not more than the key allows: the requests per file include the ${r.status + r.enrichment} status checks and record reads made after the last upload, outside the drain, and the drain ends when the last body is in, while the first uploads started before their bodies crawled in; the sandbox's sliding one-second window at the key's 4/s refused ${r.throttled})` : ''}: ${maxConcurrency} concurrent ingest invocations keep ${maxConcurrency} uploads in flight, which over this link (a 3.2 MB body takes about 1.3 s at ${LINK.uploadBytesPerSecond / 1e6} MB/s, plus ${LINK.latencyMs} ms) is what the key's ${KEY_PER_SECOND}/s needs; waiting invocations hold no upload (the limiter holds them before the request). With 2 (the earlier setting) this figure was 0.57, with 4 it was 0.75 (40 files).`
          : `Missed with the dev stage's ingest concurrency of ${maxConcurrency}: over a real link an upload takes seconds (the body at ${LINK.uploadBytesPerSecond / 1e6} MB/s plus the answer's latency), and ingest uploads a batch's files one after another, so ${maxConcurrency} invocations carry at most ${fixed(maxConcurrency / busyPerFileS, 2)} files/s against the key's ${fixed(ceiling, 2)}. The key is the bottleneck only from about ${neededConcurrency} concurrent uploads on; the ingest queue's maxConcurrency (infra/config/stages.ts) follows from this figure: at ≥ ${neededConcurrency} (batch size 1-5 changes little, since a batch's files go one after another) the limiter, not the concurrency, paces the drain. Extra invocations cost nothing while they wait: the limiter holds them before the request, not during an upload.`,
      ],
      data: { requests: r, drainS, steadyS, steadyRatio, files, busyPerFileS, neededConcurrency, ratio },
    };
  },
};

/** The trickle: one file every this many ms. */
const TRICKLE_EVERY_MS = 10_000;
/** Event lag target: p95 seconds from final to event, at most this many requests per file. */
const LAG_P95_TARGET_S = 10;
const LAG_REQUESTS_TARGET = 1.3;

export const eventLag: Figure = {
  id: 'event-lag',
  title: 'Event lag in a trickle',
  needsPipeline: true,
  async run(context) {
    const files = context.quick ? 6 : 18;
    const run = await runPipeline({
      label: 'trickle',
      files,
      perSecond: KEY_PER_SECOND,
      processingMs: processingTimes(),
      uploadedMs: 0,
      timeoutMs: 15 * 60_000,
      log: context.log,
      dropEveryMs: TRICKLE_EVERY_MS,
    });
    const r = apiRequests(run);
    const byId = new Map(run.uploads.map((u) => [u.fileId, u]));
    const times = checkTimes(run.poll);
    const lags: number[] = [];
    const floors: number[] = [];
    for (const event of run.events) {
      const upload = event.libraryFileId === undefined ? undefined : byId.get(event.libraryFileId);
      if (upload === undefined) continue;
      lags.push((event.receivedAt - (upload.acceptedAt + upload.finalAfterMs)) / 1000);
      floors.push(floorWait(times, upload.finalAfterMs / 1000));
    }
    const p50 = median(lags);
    const p95 = quantile(lags, 0.95);
    const rpf = r.total / files;
    const met = p95 <= LAG_P95_TARGET_S && rpf <= LAG_REQUESTS_TARGET;
    return {
      status: 'measured',
      target: `p95 ≤ ${LAG_P95_TARGET_S} s at ≤ ${LAG_REQUESTS_TARGET} requests per file`,
      headline: `final → event median ${fixed(p50, 1)} s, p95 ${fixed(p95, 1)} s at ${fixed(rpf, 2)} requests per file, vs the schedule's floor of ${fixed(median(floors), 1)} s / ${fixed(quantile(floors, 0.95), 1)} s`,
      measured: `p50 ${fixed(p50, 1)} s, p95 ${fixed(p95, 1)} s; ${fixed(rpf, 2)} requests per file`,
      baseline: `schedule floor p50 ${fixed(median(floors), 1)} s, p95 ${fixed(quantile(floors, 0.95), 1)} s`,
      ratio: `p95 ${fixed(p95 / LAG_P95_TARGET_S)} of the ${LAG_P95_TARGET_S} s target`,
      met,
      settings: [
        `${files} PNG files put one every ${TRICKLE_EVERY_MS / 1000} s; library processing uniform ${MIN_PROCESSING_MS / 1000}-${MAX_PROCESSING_MS / 1000} s as in figure 1; the key's real ${KEY_PER_SECOND}/s; the dev stage as configured (poll checks at ${times.slice(0, 5).join(', ')} … s after submission).`,
        'Lag: from the moment the sandbox makes the file final (acceptance + its processing time) to the moment the EventBridge stand-in received its event. Requests: every API request of the run ÷ files.',
      ],
      details: [
        markdownTable(
          ['', 'value'],
          [
            ['final → event p50 / p95 / max', `${fixed(p50, 1)} / ${fixed(p95, 1)} / ${fixed(Math.max(...lags), 1)} s`],
            [
              'schedule floor p50 / p95 (same files)',
              `${fixed(median(floors), 1)} / ${fixed(quantile(floors, 0.95), 1)} s`,
            ],
            requestRows(run)[0],
          ],
        ),
      ],
      notes: [
        met
          ? 'Met.'
          : `Missed on requests, by arithmetic rather than by code: a p95 of ${LAG_P95_TARGET_S} s needs every file in flight checked at least every ${LAG_P95_TARGET_S} s, i.e. at least one request per ${LAG_P95_TARGET_S} s while anything is in flight, which at one file per ${TRICKLE_EVERY_MS / 1000} s is at least one status request per file: ≥ 2 requests per file with the upload, against the ${LAG_REQUESTS_TARGET} asked. The pipeline takes the p95 when it is cheap: for a lone ingest message and in poll batches of up to five files (a trickle's) the first check and the re-checks come after 4 s instead of 10, 30, 70 s… while the day's use, projected at its pace so far, stays under half of the key's limit (shared/poll/spare-budget.ts). Here that gave ${fixed(r.status / files, 2)} status requests and ${fixed(r.enrichment / files, 2)} record reads per file. A trickle of this rate kept up all day (8,640 files) would need 8,640 uploads plus its checks, close to the key's 10,000 on its own: the projection then passes half the limit early in the day, the functions fall back to the plain schedule (${times.slice(0, 5).join(', ')} s: p95 36.8 s at 3.9 requests per file when this figure was first measured), and uploads keep the budget.`,
      ],
      data: { lags, floors, requests: r, files },
    };
  },
};

/** us-east-1 list prices used by the cost figure (see PRICES_AS_OF). */
export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  s3GetClass: 0.0004 / 1000,
  s3PutClass: 0.005 / 1000,
  eventBridgeEvent: 1.0 / 1e6,
  secretsManagerCall: 0.05 / 10_000,
} as const;
export const PRICES_AS_OF =
  'AWS public list prices for us-east-1 as known to the author in 2025 (on-demand DynamoDB after the November 2024 reduction); not fetched at run time (no network here): check https://aws.amazon.com/pricing/ before quoting';

export const cost: Figure = {
  id: 'cost',
  title: 'Cost per 1,000 files',
  needsPipeline: true,
  async run(context) {
    const run = await spread(context);
    const n = run.files;
    const per1000 = (x: number) => (x * 1000) / n;
    const calls = run.sdk.calls;
    const count = (service: string, ...commands: string[]) =>
      commands.reduce((sum, c) => sum + (calls[service]?.[c] ?? 0), 0);
    const rows: Array<[string, string, number, number]> = [];
    const add = (item: string, basis: string, quantity: number, unitPrice: number) =>
      rows.push([item, basis, per1000(quantity), per1000(quantity) * unitPrice]);
    for (const name of ['ingest', 'poll', 'publish'] as const) {
      const memoryGb = run.stage.functions[name].memoryMb / 1024;
      add(
        `Lambda ${name}: compute`,
        `${fixed(((run.busyMs[name] / 1000) * memoryGb) / run.invocations[name] || 0, 3)} GB-s per invocation (${run.stage.functions[name].memoryMb} MB × measured duration)`,
        (run.busyMs[name] / 1000) * memoryGb,
        PRICES.lambdaArmGbSecond,
      );
      add(`Lambda ${name}: requests`, 'invocations', run.invocations[name], PRICES.lambdaRequest);
    }
    const sqsSends = count('SQS', 'SendMessage', 'SendMessageBatch');
    const sqsDeletes = count('SQS', 'DeleteMessage', 'DeleteMessageBatch');
    const sqsVisibility = count('SQS', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch');
    const s3Notifications = n; // S3 → ingest queue: one SendMessage per object, by S3 (billed to the queue owner)
    add(
      'SQS: sends (status checks, re-queues) + S3 notifications',
      `${sqsSends} sends + ${s3Notifications} notifications`,
      sqsSends + s3Notifications,
      PRICES.sqsRequest,
    );
    add(
      'SQS: receives that returned messages',
      'event source receives',
      run.sdk.sqsReceives.withMessages,
      PRICES.sqsRequest,
    );
    add('SQS: deletes and visibility changes', 'batch calls', sqsDeletes + sqsVisibility, PRICES.sqsRequest);
    add(
      'DynamoDB: writes',
      'write units (uploads + limits tables, incl. conditional failures)',
      run.sdk.dynamodb.writeUnits,
      PRICES.dynamoWriteUnit,
    );
    add('DynamoDB: reads', 'read units', run.sdk.dynamodb.readUnits, PRICES.dynamoReadUnit);
    const s3Gets = count('S3', 'GetObject', 'HeadObject', 'GetObjectTagging');
    const s3Puts = count('S3', 'PutObjectTagging');
    add('S3: GET-class requests (Head, Get, ranged Get, GetObjectTagging)', 'requests', s3Gets, PRICES.s3GetClass);
    add('S3: PUT-class requests (PutObjectTagging)', 'requests', s3Puts, PRICES.s3PutClass);
    add('EventBridge: custom events', 'events published', run.events.length, PRICES.eventBridgeEvent);
    add(
      'Secrets Manager: API calls',
      'GetSecretValue (cached per cold start)',
      count('Secrets Manager', 'GetSecretValue'),
      PRICES.secretsManagerCall,
    );
    const total = rows.reduce((sum, row) => sum + row[3], 0);
    const lambda = rows.filter((r) => r[0].startsWith('Lambda')).reduce((s, r) => s + r[3], 0);
    const idleReceivesPerMonth = 5 * 3 * 60 * 24 * 30; // 5 pollers × one 20 s long poll each, per minute, per queue
    return {
      status: 'measured',
      target: 'reported (no target)',
      headline: `$${total.toFixed(4)} per 1,000 files (Lambda $${lambda.toFixed(4)}), from ${n} files counted`,
      measured: `$${total.toFixed(4)} per 1,000 files`,
      baseline: '—',
      ratio: '—',
      met: undefined,
      settings: [
        `Counted in the run of figure 1 (${n} files, 2-60 s processing, dev stage: memory ingest ${run.stage.functions.ingest.memoryMb} MB, poll ${run.stage.functions.poll.memoryMb} MB, publish ${run.stage.functions.publish.memoryMb} MB, arm64), scaled to 1,000 files.`,
        "Lambda duration: each function's in-flight invocations sampled every 10 ms and integrated (the local event sources invoke the handlers in this process) × configured memory; invocations counted per Lambda context. On AWS each invocation is also rounded up to 1 ms and starts with an init phase on a cold start: not included.",
        "SQS, DynamoDB, S3, EventBridge and Secrets Manager calls: every AWS SDK call in the process counted by service and command (test/bench/lib/sdk-counters.ts), DynamoDB with `ReturnConsumedCapacity: TOTAL` (DynamoDB Local's accounting; a failed conditional write counted as 1 write unit). DynamoDB Streams reads by the publish function's event source are free on AWS and not priced; the S3 PUT of the file itself is the uploader's.",
        `Prices: ${PRICES_AS_OF}. Lambda arm64 $${PRICES.lambdaArmGbSecond}/GB-s and $0.20 per million requests; SQS standard $0.40 per million requests; DynamoDB on demand $0.625 per million write units and $0.125 per million read units; S3 Standard $0.0004 per 1,000 GET and $0.005 per 1,000 PUT requests; EventBridge $1.00 per million custom events; Secrets Manager $0.05 per 10,000 calls. Free tiers ignored.`,
      ],
      details: [
        markdownTable(
          ['item', 'basis', 'quantity per 1,000 files', 'cost per 1,000 files'],
          [
            ...rows.map(([item, basis, quantity, dollars]) => [
              item,
              basis,
              fixed(quantity, quantity < 10 ? 2 : 0),
              `$${dollars.toFixed(5)}`,
            ]),
            ['**total**', '', '', `**$${total.toFixed(4)}**`],
          ],
        ),
        `SDK calls counted (whole run): ${Object.entries(calls)
          .map(
            ([service, commands]) =>
              `${service}: ${Object.entries(commands)
                .map(([c, k]) => `${c} ${k}`)
                .join(', ')}`,
          )
          .join(
            '; ',
          )}. DynamoDB: ${run.sdk.dynamodb.writeUnits} write units (${run.sdk.dynamodb.conditionalFailures} conditional failures), ${run.sdk.dynamodb.readUnits} read units. SQS receives: ${run.sdk.sqsReceives.withMessages} with messages, ${run.sdk.sqsReceives.empty} empty.`,
      ],
      notes: [
        `Excluded: CloudWatch Logs ingestion and metrics (EMF), X-Ray traces, the fixed monthly costs (the secret $0.40, alarms, the event archive), storage, and data transfer out to the API (about $0.09 per GB of uploaded files: at the 5 MB upload limit that is up to $0.45 per 1,000 files, more than everything above).`,
        `Idle polling is not per file: Lambda's SQS event source long-polls each queue all the time. Assuming 5 pollers with 20 s long polls, that is about ${(idleReceivesPerMonth / 1e6).toFixed(2)} million empty receives a month per queue, ≈ $${(idleReceivesPerMonth * PRICES.sqsRequest).toFixed(2)} per queue per month. The local event sources poll with 1 s long polls, so their ${run.sdk.sqsReceives.empty} empty receives here are not representative and are left out.`,
        "The ingest function's duration includes waiting for the shared rate limiter (it holds a slot while the key's budget is used by others): on AWS that wait is billed too, so a backlog costs more Lambda time per file than a trickle.",
      ],
      data: { rows, total, sdk: run.sdk, busyMs: run.busyMs, invocations: run.invocations, files: n },
    };
  },
};

export const pipelineFigures: Figure[] = [requestsPerFile, backlog, backlogRealLink, timeToEvent, eventLag, cost];
