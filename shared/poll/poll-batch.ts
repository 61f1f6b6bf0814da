/**
 * The poll function's work on one SQS batch of status checks: one upload-status request answers the
 * whole batch (less the files the last list of recent files already shows Active), then each message is settled on its own (partial batch responses): final, re-checked
 * with a growing delay, or timed out. If that request fails, every message goes to the retry policy.
 * The rules per status are in docs/pipeline.md, "Following the upload".
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  FINAL_LIBRARY_STATUSES,
  LIBRARY_LIMITS,
  type LibraryClient,
  type LibraryFile,
  type LibraryUploadStatus,
  type UploadStatus,
} from '../library/types.ts';
import { countMetric, createUploadLogger, METRIC } from '../observability/index.ts';
import type { FinalDetails, UploadsStore } from '../store/uploads-store.ts';
import { nextPollDelaySeconds, plainDelayAfter, type PollSchedule } from '../retry/backoff.ts';
import { tagObjectOutcome, type OutcomeTagging } from '../s3/outcome-tags.ts';
import type { FinalStatus, UploadRecord } from '../record/upload-record.ts';
import { describeError, reportFailure } from '../retry/failure-report.ts';
import { decideDisposition, type Disposition, type RetryPolicy } from '../retry/retry-policy.ts';
import { RecentFiles } from './recent-files.ts';
import { parseStatusCheckMessage, type StatusCheckMessage } from './status-message.ts';
import { followActive, type SyncDependencies } from '../sync/library-sync.ts';
import { forBatch, type SpareBudget } from './spare-budget.ts';

/** The stage settings poll reads. */
export interface PollSettings {
  schedule: PollSchedule;
  enrichActiveFiles: boolean;
  /** Checks in a row without the id in the answer before the file is declared Failed. */
  maxMissingChecks: number;
  /**
   * From this many Active files in one batch, their records are read with one list request rather than
   * one GET each (default 2: the list, kept for later batches, is a far larger answer than one record;
   * set it above the batch size to turn this off).
   */
  listActiveFilesFrom: number;
}

/** What the poll batch needs; the runtime builds it (shared/runtime/poll-dependencies.ts). */
export interface PollDependencies {
  store: UploadsStore;
  library: Pick<LibraryClient, 'getUploadStatus' | 'getFile'> & Partial<Pick<LibraryClient, 'listFiles'>>;
  sendStatusCheck: (message: StatusCheckMessage, delaySeconds: number) => Promise<void>;
  reportThrottle: (scope: 'second' | 'day') => Promise<void>;
  /** Called after a 401 that survived the secret re-read: this process holds its requests for a while. */
  reportUnauthorized?: () => void;
  /** The last list of recent files, kept between batches (recent-files.ts); without it, one per batch. */
  recentFiles?: RecentFiles;
  tagging: OutcomeTagging;
  settings: PollSettings;
  retryPolicy: RetryPolicy;
  logger: Logger;
  now: () => Date;
  random?: () => number;
  /** The stage's sync policy and what following it needs (absent: keep everything). */
  sync?: Omit<SyncDependencies, 'store' | 'logger'>;
  /** Faster re-checks while the day's budget is spare, in batches of a trickle (absent: the schedule). */
  spareBudget?: Pick<SpareBudget, 'delaySeconds'>;
}

/** Checks in a row without the id in the answer before the file is Failed. */
export const DEFAULT_MAX_MISSING_CHECKS = 3;
/** Active files in one batch from which one list request replaces the per-file GETs. */
export const DEFAULT_LIST_ACTIVE_FILES_FROM = 2;

type Answer =
  { ok: true; statuses: Map<string, UploadStatus>; listed: Map<string, LibraryFile> } | { ok: false; error: unknown };

/** Settles a batch of status checks; one status request answers for all of them. */
export async function processPollBatch(
  event: SQSEvent,
  batchDeps: PollDependencies,
  context?: Context,
): Promise<SQSBatchResponse> {
  const messages = readChecks(event, batchDeps.logger);
  const deps = forBatch(batchDeps, messages.size);
  const answer = await askStatuses([...messages.values()], deps);
  const prefetched = answer.ok
    ? new Map([...answer.listed, ...(await prefetchActiveFiles(answer.statuses, answer.listed, deps))])
    : new Map<string, LibraryFile>();
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const message = messages.get(record.messageId);
      if (message === undefined) return;
      const log = createUploadLogger(deps.logger, message);
      if (!answer.ok) {
        await putBack(message, answer.error, log, deps);
        return;
      }
      await settle(message, answer.statuses.get(message.libraryFileId), log, deps, prefetched);
    },
    processor,
    { ...(context ? { context } : {}), throwOnFullBatchFailure: false },
  );
}

/** The batch's readable checks by message id, one per object version; the rest logged and dropped. */
function readChecks(event: SQSEvent, logger: Logger): Map<string, StatusCheckMessage> {
  const messages = new Map<string, StatusCheckMessage>();
  const seen = new Set<string>();
  for (const record of event.Records) {
    const parsed = parseStatusCheckMessage(record.body);
    if (!parsed.ok) {
      logger.error('Malformed status check dropped', {
        messageId: record.messageId,
        problem: parsed.problem,
        body: record.body.slice(0, 500),
      });
      continue;
    }
    // Two checks for the same version in one batch: one is enough, the other would double the polling.
    if (seen.has(parsed.message.objectId)) {
      logger.info('Duplicate status check in the batch dropped', {
        objectId: parsed.message.objectId,
        messageId: record.messageId,
      });
      continue;
    }
    seen.add(parsed.message.objectId);
    messages.set(record.messageId, parsed.message);
  }
  return messages;
}

/** The one status request for the batch, for the files the last list of recent files does not show Active. */
async function askStatuses(messages: readonly StatusCheckMessage[], deps: PollDependencies): Promise<Answer> {
  const ids = [...new Set(messages.map((m) => m.libraryFileId))];
  const listed = await listedActive(messages, ids, deps);
  const statuses = new Map<string, UploadStatus>(
    [...listed.keys()].map((id) => [id, { fileId: id, status: 'Active', description: 'Active' }]),
  );
  const asked = ids.filter((id) => !listed.has(id));
  if (asked.length === 0) return observed(messages, { ok: true, statuses, listed }, deps);
  try {
    const answered = await deps.library.getUploadStatus(asked);
    deps.logger.debug('Upload statuses', { asked: asked.length, answered: answered.length, listed: listed.size });
    for (const s of answered) statuses.set(s.fileId, s);
    return observed(messages, { ok: true, statuses, listed }, deps);
  } catch (error) {
    await noteApiFailure(error, deps.logger, deps, decideDisposition(error, 0, deps.retryPolicy, deps.now().getTime()));
    return { ok: false, error };
  }
}

/**
 * The batch's files the recent-files list shows Active. When every other file of the batch is at a
 * check that has lately found files final (recent-files.ts, `odds`), the list is refreshed first: one
 * request that likely settles the whole batch, instead of a status request and then a list.
 */
async function listedActive(
  messages: readonly StatusCheckMessage[],
  ids: readonly string[],
  deps: PollDependencies,
): Promise<Map<string, LibraryFile>> {
  const recent = deps.recentFiles;
  if (recent === undefined || !deps.settings.enrichActiveFiles) return new Map();
  const held = recent.activeAmong(ids);
  const rest = messages.filter((m) => !held.has(m.libraryFileId));
  // Listing first pays when it likely replaces a status request and a list: as many likely Active files
  // as a list is worth (listActiveFilesFrom), all at checks that have lately found files final.
  if (rest.length < deps.settings.listActiveFilesFrom || !rest.every((m) => recent.odds.likelyFinal(m.checks)))
    return held;
  try {
    await recent.refresh();
  } catch (error) {
    deps.logger.warn('Could not list recent files: asking for the statuses', { error: (error as Error).message });
  }
  return recent.activeAmong(ids);
}

/** Tallies each check's outcome (recent-files.ts, `odds`), then passes the answer on. */
function observed(messages: readonly StatusCheckMessage[], answer: Answer, deps: PollDependencies): Answer {
  if (!answer.ok || deps.recentFiles === undefined) return answer;
  for (const m of messages) {
    const status = answer.statuses.get(m.libraryFileId)?.status;
    deps.recentFiles.odds.observe(m.checks, FINAL_LIBRARY_STATUSES.has(status as LibraryUploadStatus));
  }
  return answer;
}

/** One check's outcome from the batch's answer: final, re-checked later, or timed out. */
async function settle(
  message: StatusCheckMessage,
  status: UploadStatus | undefined,
  log: Logger,
  deps: PollDependencies,
  prefetched: ReadonlyMap<string, LibraryFile> = new Map(),
): Promise<void> {
  // Elapsed time as of the answer, before the writes below: the time-out is judged on what was seen.
  const elapsedSeconds = (deps.now().getTime() - Date.parse(message.submittedAt)) / 1000;
  if (status === undefined) return settleMissing(message, elapsedSeconds, log, deps);
  if (FINAL_LIBRARY_STATUSES.has(status.status as LibraryUploadStatus)) {
    const final = status.status as FinalStatus & LibraryUploadStatus;
    if (final !== 'Active') return finish(message, final, failureDetails(final, status.description), log, deps);
    const details = await enrichment(message, log, deps, prefetched.get(message.libraryFileId));
    if (details !== 'put-back') await finish(message, 'Active', details, log, deps);
    return;
  }
  const observed = status.status;
  if (observed === 'Processing' || observed === 'Uploaded') {
    const progress = await deps.store.recordProgress(message.objectId, observed as 'Processing' | 'Uploaded', {
      libraryFileId: message.libraryFileId,
    });
    if (progress === 'final' || progress === 'missing') {
      log.info('Record already final (or gone): status check dropped', { progress });
      return;
    }
  } else {
    log.warn('Unknown upload status: treated as not final', { status: status.status, description: status.description });
    if ((await deps.store.recordCheck(message.objectId, { libraryFileId: message.libraryFileId })) !== 'counted')
      return;
  }
  await checkAgain(
    { ...message, checks: message.checks + 1, missing: 0, retries: 0 },
    elapsedSeconds,
    status.status,
    log,
    deps,
  );
}

/** The answer left this file out: asked again a few times, then Failed. */
async function settleMissing(
  message: StatusCheckMessage,
  elapsedSeconds: number,
  log: Logger,
  deps: PollDependencies,
): Promise<void> {
  const missing = message.missing + 1;
  if (missing >= deps.settings.maxMissingChecks) {
    const errorMessage = `The library did not report an upload status for file ${message.libraryFileId} in ${missing} checks.`;
    await finish(message, 'Failed', { errorKey: 'not-found-in-library', errorMessage }, log, deps);
    return;
  }
  if ((await deps.store.recordCheck(message.objectId, { libraryFileId: message.libraryFileId })) !== 'counted') {
    log.info('Record already final (or gone): status check dropped');
    // An interrupted sync step may have trashed the file and the Trash been emptied since: finish the step.
    const record = await deps.store.get(message.objectId);
    if (record?.status === 'Active') await syncAfterActive(record, log, deps);
    return;
  }
  log.warn('The library did not return this file id: checking again', { missing });
  await checkAgain(
    { ...message, checks: message.checks + 1, missing, retries: 0 },
    elapsedSeconds,
    'not reported',
    log,
    deps,
  );
}

/** Re-sends the check with the schedule's next delay, or declares the time-out. */
async function checkAgain(
  next: StatusCheckMessage,
  elapsedSeconds: number,
  lastSeen: string,
  log: Logger,
  deps: PollDependencies,
): Promise<void> {
  const { schedule } = deps.settings;
  const scheduled = nextPollDelaySeconds(schedule, next.checks, elapsedSeconds);
  if (scheduled === undefined) {
    await finish(
      next,
      'TimedOut',
      {
        errorKey: 'timed-out',
        errorMessage: `Still ${lastSeen} ${Math.round(elapsedSeconds)} s after submission (limit ${deps.settings.schedule.maxWaitSeconds} s).`,
      },
      log,
      deps,
    );
    return;
  }
  // From the clock as well as the count: after faster checks the count runs ahead of the schedule.
  const plain = Math.min(scheduled, plainDelayAfter(schedule, elapsedSeconds));
  const delaySeconds = deps.spareBudget ? await deps.spareBudget.delaySeconds(plain) : plain;
  await deps.sendStatusCheck(next, delaySeconds);
  log.debug('Status check re-sent', { checks: next.checks, delaySeconds, lastSeen });
}

async function finish(
  message: StatusCheckMessage,
  status: FinalStatus,
  details: FinalDetails,
  log: Logger,
  deps: PollDependencies,
): Promise<void> {
  const result = await deps.store.recordFinal(
    message.objectId,
    status,
    { ...details, countCheck: true },
    { libraryFileId: message.libraryFileId },
  );
  if (!result.applied) {
    log.info('Record already final: outcome not overwritten', { status, recorded: result.record?.status });
    // A redelivery after an interrupted sync step: the step is safe to run again. Whatever the library says
    // now: the step may have trashed this very file (status Deleted) before the record could say Replaced.
    if (result.record?.status === 'Active') await syncAfterActive(result.record, log, deps);
    return;
  }
  const startedAt = Date.parse(message.receivedAt ?? message.submittedAt);
  countMetric(METRIC.FilesFinal, 1, { status });
  if (Number.isFinite(startedAt)) countMetric(METRIC.TimeToFinal, deps.now().getTime() - startedAt);
  const level = status === 'Active' ? 'info' : 'warn';
  log[level]('Final', { status, errorKey: details.errorKey, url: details.url });
  await tagObjectOutcome(deps.tagging, message, { status, libraryFileId: message.libraryFileId });
  if (status === 'Active') await syncAfterActive(result.record, log, deps);
}

/** Once a version is Active, the library follows the bucket (shared/sync/library-sync.ts). */
async function syncAfterActive(record: UploadRecord, log: Logger, deps: PollDependencies): Promise<void> {
  if (deps.sync === undefined) return;
  await followActive(record, { ...deps.sync, store: deps.store, logger: log });
}

function failureDetails(status: Exclude<FinalStatus, 'Active'>, description: string): FinalDetails {
  const text = description && description !== status ? ` (${description})` : '';
  switch (status) {
    case 'VirusFound':
      return { errorKey: 'virus-found', errorMessage: `The library's virus scan rejected the file${text}.` };
    case 'Deleted':
      return {
        errorKey: 'deleted',
        errorMessage: `The file was deleted from the library before it became active${text}.`,
      };
    default:
      return { errorKey: 'library-failed', errorMessage: `The library could not process the file${text}.` };
  }
}

/**
 * When several files of the batch became Active, one list of the library's most recent files usually
 * holds all their records (URL, thumbnail, size): one request instead of one GET per file. Files not in
 * it (older than the page) are fetched one by one as before; a failed list just falls back to that.
 * The list is kept (`deps.recentFiles`), so later batches find the files it shows Active without asking.
 */
async function prefetchActiveFiles(
  statuses: ReadonlyMap<string, UploadStatus>,
  listed: ReadonlyMap<string, LibraryFile>,
  deps: PollDependencies,
): Promise<Map<string, LibraryFile>> {
  const active = [...statuses.values()].filter((s) => s.status === 'Active' && !listed.has(s.fileId));
  const { listFiles } = deps.library;
  if (!deps.settings.enrichActiveFiles || active.length < deps.settings.listActiveFilesFrom || listFiles === undefined)
    return new Map();
  const recent =
    deps.recentFiles ??
    new RecentFiles(
      async () => (await listFiles({ sortBy: 'CREATED_DATE_DESC', limit: LIBRARY_LIMITS.listLimitMax })).results,
    );
  try {
    await recent.refresh();
    const found = recent.recordsOf(active.map((s) => s.fileId));
    deps.logger.debug('Active file records from one list request', { active: active.length, found: found.size });
    return found;
  } catch (error) {
    deps.logger.warn('Could not list recent files for enrichment: fetching them one by one', {
      error: (error as Error).message,
    });
    return new Map();
  }
}

/** The file record's URL, thumbnail and size for the event; never a reason to lose the final state. */
async function enrichment(
  message: StatusCheckMessage,
  log: Logger,
  deps: PollDependencies,
  listed?: LibraryFile,
): Promise<FinalDetails | 'put-back'> {
  if (!deps.settings.enrichActiveFiles) return {};
  try {
    const file = listed ?? (await deps.library.getFile(message.libraryFileId));
    return {
      ...(file.url === undefined ? {} : { url: file.url }),
      ...(file.thumbnail?.url === undefined ? {} : { thumbnailUrl: file.thumbnail.url }),
      ...(file.width === undefined ? {} : { width: file.width }),
      ...(file.height === undefined ? {} : { height: file.height }),
      ...(file.size === undefined ? {} : { size: file.size }),
    };
  } catch (error) {
    const disposition = decideDisposition(error, message.retries, deps.retryPolicy, deps.now().getTime(), deps.random);
    if (disposition.action === 'resend') {
      await noteApiFailure(error, log, deps, disposition);
      await deps.sendStatusCheck(nextAfterFailure(message, disposition), disposition.delaySeconds);
      return 'put-back';
    }
    log.warn('Could not fetch the file record: recording Active without URL and thumbnail', {
      error: (error as Error).message,
    });
    return {};
  }
}

/** The batch's status request failed: wait, retry or fail this message per the retry policy. */
async function putBack(
  message: StatusCheckMessage,
  error: unknown,
  log: Logger,
  deps: PollDependencies,
): Promise<void> {
  const disposition = decideDisposition(error, message.retries, deps.retryPolicy, deps.now().getTime(), deps.random);
  if (disposition.action === 'fail') {
    log.error('Status check failed repeatedly: leaving the message to SQS redelivery', {
      error: (error as Error).message,
      retries: message.retries,
    });
    throw error;
  }
  await deps.sendStatusCheck(nextAfterFailure(message, disposition), disposition.delaySeconds);
  log.info('Status check put back on the queue', { cause: disposition.cause, delaySeconds: disposition.delaySeconds });
}

function nextAfterFailure(
  message: StatusCheckMessage,
  disposition: Extract<Disposition, { action: 'resend' }>,
): StatusCheckMessage {
  return disposition.cause === 'transient'
    ? { ...message, retries: disposition.retries }
    : { ...message, waits: message.waits + 1 };
}

/** Reports a failed API call once per call, not per message (shared/retry/failure-report.ts). */
async function noteApiFailure(
  error: unknown,
  log: Logger,
  deps: PollDependencies,
  disposition: Disposition,
): Promise<void> {
  const reporting = { log, reportThrottle: deps.reportThrottle, reportUnauthorized: deps.reportUnauthorized };
  if (await reportFailure(error, disposition, { ...reporting, waiting: 'status checks wait' })) return;
  log.warn('Library API call failed', { ...describeError(error), cause: disposition.cause });
}
