/**
 * A streamed upload's garbage: every chunk the S3 response delivers is a new Buffer outside the V8
 * heap. The chunks die at once, but a young-generation collection runs only when the heap's semi-space
 * fills, and streaming allocates little on the heap, so tens of MB of dead chunks wait for V8's
 * external-memory pressure (a 200 MB copy peaked 1.65× a 1 MB one). Asking for a minor collection every
 * few MB of body keeps the peak flat for about a millisecond each time. It needs `gc` exposed
 * (`--expose-gc`, which the ingest function's NODE_OPTIONS sets); without it this does nothing.
 * docs/benchmarks.md (figure 3) has the measurements.
 */

type MinorCollector = (options: { type: 'minor' }) => void;

/** Body bytes between two minor collections. */
export const DEFAULT_COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * A byte counter that asks V8 for a minor collection each `everyBytes`; `undefined` when the process
 * does not expose `gc` or `everyBytes` is 0.
 */
export function youngGarbageCollector(
  everyBytes = DEFAULT_COLLECT_EVERY_BYTES,
  gc: MinorCollector | undefined = (globalThis as { gc?: MinorCollector }).gc,
): ((bytes: number) => void) | undefined {
  if (gc === undefined || !(everyBytes > 0)) return undefined;
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
}
