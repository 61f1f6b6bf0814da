/**
 * How a backfill leaves live traffic room: it adds messages only while the ingest queue holds fewer
 * than `window` visible messages. New drops join the same queue, so one waits behind at most `window`
 * backfilled files (seconds of work), never behind the backfill's thousands; and since the pipeline
 * only takes work as fast as the key's limits let it, the backfill goes at the pipeline's pace with no
 * backlog of its own. The daily budget is the other half (estimate.ts: a reserve kept for new drops).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueFacts } from '../queues.ts';
import type { QueueRef } from '../target/types.ts';

export interface Pacing {
  /** At most this many visible messages on the ingest queue before the backfill adds more. */
  window: number;
  /** How often the queue's depth is looked at while it is full. */
  pollMs: number;
}

/** Waits until the queue has room for `batch` more messages; false when aborted first. */
export async function waitForRoom(
  sqs: SQSClient,
  queue: QueueRef,
  pacing: Pacing,
  batch: number,
  signal?: AbortSignal,
): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) return false;
    const { visible } = await queueFacts(sqs, queue);
    if (visible + batch <= Math.max(pacing.window, batch)) return true;
    await pause(pacing.pollMs, signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
