/**
 * A backfill pass: count what is there (the estimate), then stream the listing again from the
 * checkpoint, skip what is recorded or not for the library, and put the rest on the ingest queue as
 * S3 notifications, paced by the queue's depth, within today's spare budget and `--max`. The listing
 * is read one page at a time in both passes, so memory does not grow with the bucket.
 */
import { objectIdOf } from '../../../shared/record/object-id.ts';
import type { OpsTarget } from '../target/types.ts';
import { checkpointKey, checkpointStore, emptyCounts, type BackfillCounts, type Checkpoint } from './checkpoint.ts';
import { skipReasonOf, type EligibilityRules, type SkipReason } from './eligibility.ts';
import { notificationBodyOf, sendBodies, SEND_BATCH_LIMIT } from './enqueue.ts';
import { estimateQuota, estimateText, type QuotaEstimate } from './estimate.ts';
import { recordedObjectIds } from './known-versions.ts';
import { inventoryPages } from './inventory.ts';
import { bucketIsVersioned, listPages, type ListedObject } from './listing.ts';
import { waitForRoom, type Pacing } from './pacing.ts';
import type { ProgressReporter } from './progress.ts';

export interface BackfillOptions {
  /** The listing prefix (default: the stage's upload prefix). */
  prefix?: string;
  since?: Date;
  /** `s3://…/manifest.json` of an S3 Inventory report to read instead of listing the bucket. */
  inventory?: string;
  dryRun?: boolean;
  /** At most this many files enqueued by this run. */
  max?: number;
  pacing: Pacing;
  /** The share of the key's daily limit kept for new drops. */
  reserveShare: number;
  pageSize?: number;
}

/** Why the run ended. */
export type BackfillStop = 'finished' | 'max' | 'daily-allowance' | 'interrupted';

export interface BackfillResult {
  dryRun: boolean;
  bucket: string;
  prefix: string;
  versioned: boolean;
  /** The manifest read instead of a listing. */
  inventory?: string;
  resumedAfter?: string;
  estimate: QuotaEstimate;
  /** Counts of the whole pass (a resumed pass includes the runs before). */
  counts: BackfillCounts;
  /** Files this run enqueued (or, dry, would). */
  enqueuedThisRun: number;
  stop: BackfillStop;
  lastKey?: string;
}

export interface BackfillDeps {
  progress: ProgressReporter;
  /** Lines before the work starts (the estimate). */
  say: (text: string) => void;
  /** Requests used today and requests per file measured today (from `ops quota`). */
  quotaToday: () => Promise<{ used: number; requestsPerFile?: number }>;
  signal?: AbortSignal;
  now?: () => Date;
}

interface PassState {
  counts: BackfillCounts;
  lastKey?: string;
  enqueuedThisRun: number;
  limit: number;
}

/** Runs one backfill pass against `target`. */
export async function runBackfill(
  target: OpsTarget,
  options: BackfillOptions,
  deps: BackfillDeps,
): Promise<BackfillResult> {
  const now = deps.now ?? (() => new Date());
  const { bucket, uploadPrefix } = target.resources;
  const prefix = options.prefix ?? uploadPrefix;
  const rules: EligibilityRules = { uploadPrefix, ...(options.since ? { since: options.since } : {}) };
  const versioned = target.kind === 'aws' ? await bucketIsVersioned(target.clients.s3, bucket) : false;
  const store = checkpointStore(
    target.clients.dynamodb,
    target.resources.limitsTable,
    checkpointKey(bucket, prefix, options.since, options.inventory),
  );
  const previous = await store.read();
  const resume = previous && previous.finishedAt === undefined ? previous : undefined;
  const pageSize = options.pageSize ?? 1000;
  const pages = (): AsyncGenerator<ListedObject[]> =>
    options.inventory === undefined
      ? listPages(target.clients.s3, {
          bucket,
          prefix,
          versioned,
          pageSize,
          ...(resume?.lastKey ? { startAfter: resume.lastKey } : {}),
        })
      : inventoryPages(target.clients.s3, {
          manifestUrl: options.inventory,
          sourceBucket: bucket,
          prefix,
          skip: resume?.counts.listed ?? 0,
          pageSize,
          versioned,
        });

  const census = await countCandidates(pages(), rules);
  const quota = await deps.quotaToday();
  const estimate = estimateQuota({
    files: options.max === undefined ? census.candidates : Math.min(options.max, census.candidates),
    dailyLimit: target.stage.library.requestsPerDay,
    usedToday: quota.used,
    ...(quota.requestsPerFile === undefined ? {} : { requestsPerFileToday: quota.requestsPerFile }),
    reserveShare: options.reserveShare,
  });
  deps.say(estimateLine(estimate, resume));

  const state: PassState = {
    counts: resume ? structuredClone(resume.counts) : emptyCounts(),
    ...(resume?.lastKey ? { lastKey: resume.lastKey } : {}),
    enqueuedThisRun: 0,
    limit: Math.min(options.max ?? Infinity, options.dryRun ? Infinity : estimate.allowanceToday),
  };
  const startedAt = resume?.startedAt ?? now().toISOString();
  const save = async (finished: boolean): Promise<void> => {
    if (options.dryRun) return;
    const checkpoint: Checkpoint = {
      ...(state.lastKey === undefined ? {} : { lastKey: state.lastKey }),
      counts: state.counts,
      startedAt,
      updatedAt: now().toISOString(),
      ...(finished ? { finishedAt: now().toISOString() } : {}),
    };
    await store.write(checkpoint);
  };

  deps.progress.start(state.counts.listed + census.listed, state.counts);
  let stop: BackfillStop = 'finished';
  try {
    for await (const page of pages()) {
      const ended = await handlePage(target, page, rules, state, options, deps);
      deps.progress.update(state.counts);
      if (ended) {
        stop = ended;
        break;
      }
      await save(false);
    }
    await save(stop === 'finished');
  } catch (error) {
    // Lost credentials or a failed call: keep what was sent, so the same command continues from there.
    await save(false).catch(() => undefined);
    throw error;
  } finally {
    deps.progress.stop();
  }
  return {
    dryRun: options.dryRun === true,
    bucket,
    prefix,
    versioned,
    ...(options.inventory === undefined ? {} : { inventory: options.inventory }),
    ...(resume?.lastKey ? { resumedAfter: resume.lastKey } : {}),
    estimate,
    counts: state.counts,
    enqueuedThisRun: state.enqueuedThisRun,
    stop,
    ...(state.lastKey === undefined ? {} : { lastKey: state.lastKey }),
  };
}

function estimateLine(estimate: QuotaEstimate, resume: Checkpoint | undefined): string {
  const from = resume?.lastKey ? `resuming after ${resume.lastKey} (${resume.counts.enqueued} enqueued before)\n` : '';
  return `${from}${estimateText(estimate)}`;
}

/** The first pass: how many objects are listed and how many are candidates (no record reads). */
async function countCandidates(
  pages: AsyncGenerator<ListedObject[]>,
  rules: EligibilityRules,
): Promise<{ listed: number; candidates: number }> {
  let listed = 0;
  let candidates = 0;
  for await (const page of pages) {
    listed += page.length;
    for (const object of page) if (skipReasonOf(object, rules) === undefined) candidates++;
  }
  return { listed, candidates };
}

type Disposition = 'enqueued' | 'done' | SkipReason;

/**
 * One page, in key order. Objects are held as `pending` until the batch they belong to is sent; only
 * then are they counted and the checkpoint's key moves past them, so an interrupted run neither loses
 * nor double-counts an object. Candidates are sent 10 to a SendMessageBatch.
 */
async function handlePage(
  target: OpsTarget,
  page: readonly ListedObject[],
  rules: EligibilityRules,
  state: PassState,
  options: BackfillOptions,
  deps: BackfillDeps,
): Promise<BackfillStop | undefined> {
  const { bucket } = target.resources;
  const idOf = (o: ListedObject): string => objectIdOf({ bucket, key: o.key, versionId: o.versionId, eTag: o.eTag });
  const recorded = await recordedObjectIds(
    target.clients.dynamodb,
    target.resources.uploadsTable,
    page.filter((o) => skipReasonOf(o, rules) === undefined).map(idOf),
  );
  const pending: Array<{ object: ListedObject; disposition: Disposition }> = [];
  const flush = async (): Promise<boolean> => {
    const toSend = pending.filter((p) => p.disposition === 'enqueued').map((p) => p.object);
    if (toSend.length > 0 && !options.dryRun) {
      if (!(await sendPaced(target, toSend, options.pacing, deps.signal))) return false;
    }
    for (const { object, disposition } of pending) commit(state, object, disposition);
    state.enqueuedThisRun += toSend.length;
    pending.length = 0;
    deps.progress.update(state.counts);
    return true;
  };
  for (const object of page) {
    // Unsent objects stay pending: not counted, and the checkpoint stays before them.
    if (deps.signal?.aborted) return 'interrupted';
    const reason = skipReasonOf(object, rules);
    const disposition: Disposition = reason ?? (recorded.has(idOf(object)) ? 'done' : 'enqueued');
    if (disposition === 'enqueued') {
      const queued = pending.filter((p) => p.disposition === 'enqueued').length;
      if (state.enqueuedThisRun + queued >= state.limit) {
        if (!(await flush())) return 'interrupted';
        return state.limit === options.max ? 'max' : 'daily-allowance';
      }
      if (queued === SEND_BATCH_LIMIT - 1) {
        pending.push({ object, disposition });
        if (!(await flush())) return 'interrupted';
        continue;
      }
    }
    pending.push({ object, disposition });
  }
  return (await flush()) ? undefined : 'interrupted';
}

/** Waits for room on the ingest queue, then sends; false when interrupted while waiting. */
async function sendPaced(
  target: OpsTarget,
  objects: readonly ListedObject[],
  pacing: Pacing,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const queue = target.resources.queues.ingest;
  if (!(await waitForRoom(target.clients.sqs, queue, pacing, objects.length, signal))) return false;
  const region = target.stage.env.region;
  const bucket = target.resources.bucket;
  await sendBodies(
    target.clients.sqs,
    queue.url,
    objects.map((o) => notificationBodyOf(bucket, o, region)),
  );
  return true;
}

function commit(state: PassState, object: ListedObject, disposition: Disposition): void {
  state.counts.listed++;
  if (disposition === 'enqueued') state.counts.enqueued++;
  else if (disposition === 'done') state.counts.alreadyDone++;
  else state.counts.skipped[disposition]++;
  state.lastKey = object.key;
}
