/**
 * The stable event id consumers de-duplicate on.
 *
 * EventBridge gives every PutEvents entry its own envelope `id`, and PutEvents cannot set it: a stream
 * record delivered twice (Lambda retries, a batch re-run after a partial failure) produces two envelopes
 * with different ids. `detail.eventId` is the same for both: a name-based UUID (version 5, RFC 9562)
 * of the object version and its final status. One object version reaches one final status once, so
 * one id names one outcome; it does not include the detail's version, so a future v2 event for the
 * same outcome carries the same id (consumers migrating between versions can de-duplicate across them).
 */
import { createHash } from 'node:crypto';
import type { FinalStatus } from '../record/upload-record.ts';

/** The pipeline's own UUID namespace for event ids (a random UUID, fixed forever). */
export const EVENT_ID_NAMESPACE = '6f1c1d8e-2b3a-4c5d-9e8f-0a1b2c3d4e5f';

/**
 * `retryCount` (an operator's re-run, `ops retry`) names a new outcome: a retry that ends in the same
 * status as before must not be dropped as a repeat. Without it (a first outcome) the id is unchanged.
 */
export function eventIdFor(objectId: string, status: FinalStatus, retryCount = 0): string {
  return uuidV5(
    retryCount > 0 ? `${objectId}#${status}#retry=${retryCount}` : `${objectId}#${status}`,
    EVENT_ID_NAMESPACE,
  );
}

/** A name-based UUID, version 5 (SHA-1), as RFC 9562 defines it. */
export function uuidV5(name: string, namespace: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
